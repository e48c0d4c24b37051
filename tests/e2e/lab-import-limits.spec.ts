import { request as httpRequest } from "node:http";
import { expect, type Page, test } from "@playwright/test";
import { signIn, world } from "./helpers";

/**
 * Lab feeds larger than the framework's 10 MB proxy buffer arrive whole, over the production server;
 * one over the maximum (LAB_IMPORT_MAX_BYTES, 100 MB by default) is refused with 413 before anything
 * is written; hostile text in a file is a rejected row, never a 5xx or an import left "processing".
 */
const HEADER = "rems_patient_id,test_code,collected_date,result_flag,lab_id";

/** A CSV of `rows` lines for one patient, each row `line(i)`, past `minBytes` in all. */
function bigCsv(remsId: string, minBytes: number, line: (remsId: string, i: number) => string) {
  const lines = [HEADER];
  let bytes = HEADER.length + 1;
  let rows = 0;
  while (bytes <= minBytes) {
    const row = line(remsId, rows);
    lines.push(row);
    bytes += row.length + 1;
    rows++;
  }
  return { csv: `${lines.join("\n")}\n`, rows };
}

async function importCount(page: Page): Promise<number> {
  await page.goto("/prescriber/labs");
  return page.getByRole("region", { name: "Your recent imports" }).getByRole("row").count();
}

test.describe("lab feed size limits", () => {
  test.setTimeout(300_000);

  test("a file over 10 MB arrives whole, as a text/csv body and as a multipart form", async ({ page }) => {
    const w = world();
    await signIn(page, w.accounts.ada, w.password);
    const remsId = w.patients.betweenCourses.remsId;
    const elevenMb = 11 * 1024 * 1024;

    // All or nothing, with a bad row first and another on the very last line: nothing is written,
    // and the report names the last line, which only a whole body can reach.
    const good = (id: string, i: number) => `${id},CBC_DIFF,2019-01-02,normal,BIG-${String(i).padStart(7, "0")}`;
    const { csv, rows } = bigCsv(remsId, elevenMb, (id, i) =>
      i === 0 ? `${id},NOT_A_TEST,2019-01-02,normal,BIG-FIRST` : good(id, i),
    );
    const lastLine = rows + 2;
    const body = `${csv}${remsId},CBC_DIFF,2019-01-02,sideways,BIG-LAST\n`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(10 * 1024 * 1024);

    const streamed = await page.request.post("/prescriber/labs/imports?mode=all_or_nothing&fileName=big.csv", {
      headers: { "content-type": "text/csv" },
      data: body,
      timeout: 240_000,
    });
    expect(streamed.status()).toBe(201);
    const summary = await streamed.json();
    expect(summary).toMatchObject({
      status: "rejected",
      totalRows: rows + 1,
      acceptedRows: 0,
      rejectedRows: 2,
    });
    const report = await page.request.get(`/prescriber/labs/imports/${summary.importId}/report.csv`);
    const reportText = await report.text();
    expect(reportText).toContain(`\r\n2,${remsId},NOT_A_TEST,`);
    expect(reportText).toContain(`\r\n${lastLine},${remsId},CBC_DIFF,2019-01-02,sideways,BIG-LAST,`);

    // The same size through the multipart form, importing the valid rows: every row is counted, and
    // identical rows are recorded once (one stored result, the rest "already recorded").
    const same = bigCsv(remsId, elevenMb, (id) => `${id},CBC_DIFF,2019-01-03,normal,BIG-MULTIPART`);
    const multipart = await page.request.post("/prescriber/labs/imports", {
      multipart: {
        mode: "valid_rows",
        file: { name: "big-multipart.csv", mimeType: "text/csv", buffer: Buffer.from(same.csv) },
      },
      timeout: 240_000,
    });
    expect(multipart.status()).toBe(201);
    expect(await multipart.json()).toMatchObject({
      status: "completed",
      totalRows: same.rows,
      acceptedRows: 1,
      duplicateRows: same.rows - 1,
      rejectedRows: 0,
    });
  });

  test("a file declared larger than the maximum is refused with 413 before anything is written", async ({
    page,
    baseURL,
  }) => {
    const w = world();
    await signIn(page, w.accounts.ada, w.password);
    const before = await importCount(page);
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const url = new URL("/prescriber/labs/imports?mode=valid_rows&fileName=huge.csv", baseURL);

    // Declares 101 MB, sends the first few kilobytes, and waits for the answer.
    const answer = await new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: "POST",
          headers: { "content-type": "text/csv", "content-length": String(101 * 1024 * 1024), cookie },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => {
            resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection });
            req.destroy();
          });
        },
      );
      req.on("error", reject);
      req.write(`${HEADER}\n${`${w.patients.betweenCourses.remsId},TSH,2019-01-02,normal,HUGE\n`.repeat(100)}`);
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: { code: "PAYLOAD_TOO_LARGE", message: expect.stringMatching(/larger than the maximum of 100 MB/) },
    });
    expect(answer.connection).toBe("close");
    expect(await importCount(page)).toBe(before);
    // The server is still well after refusing mid-upload.
    expect((await page.request.get("/api/health")).status()).toBe(200);
  });

  test("hostile text in a file is a rejected row and the import ends; a hostile file name is a field error", async ({
    page,
  }) => {
    const w = world();
    await signIn(page, w.accounts.ada, w.password);
    const remsId = w.patients.betweenCourses.remsId;
    const csv = `${HEADER}\n${remsId},TSH,2019-01-04,normal,LAB\u0000NUL\n${remsId},TSH\u0000,2019-01-04,normal,LAB\n`;
    const answer = await page.request.post("/prescriber/labs/imports?mode=valid_rows&fileName=nul.csv", {
      headers: { "content-type": "text/csv" },
      data: csv,
    });
    expect(answer.status()).toBe(201);
    const summary = await answer.json();
    expect(summary).toMatchObject({ status: "completed", totalRows: 2, acceptedRows: 0, rejectedRows: 2 });
    const report = await (await page.request.get(`/prescriber/labs/imports/${summary.importId}/report.csv`)).text();
    expect(report).toMatch(/lab_id: contains a NUL character/);
    expect(report).toMatch(/test_code: contains a NUL character/);

    const badName = await page.request.post("/prescriber/labs/imports?mode=valid_rows&fileName=a%00b.csv", {
      headers: { "content-type": "text/csv" },
      data: csv,
    });
    expect(badName.status()).toBe(400);
    expect((await badName.json()).error.fields).toHaveProperty(["?fileName"]);

    const multipartName = await page.request.post("/prescriber/labs/imports", {
      multipart: { mode: "valid_rows", file: { name: "x\u0000.csv", mimeType: "text/csv", buffer: Buffer.from(csv) } },
    });
    expect(multipartName.status()).toBe(422);
    expect((await multipartName.json()).error.fields).toHaveProperty("file");

    await page.goto("/prescriber/labs");
    await expect(page.getByRole("row").filter({ hasText: "nul.csv" }).first()).toContainText("Imported");
    await expect(page.getByText("In progress")).toHaveCount(0);
  });
});
