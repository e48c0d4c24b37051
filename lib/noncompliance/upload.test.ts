import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { EVIDENCE_MAX_BYTES } from "./evidence";
import { readEvidenceUpload } from "./upload";

async function refusal(request: Request): Promise<AppError> {
  const error = await readEvidenceUpload(request).then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("readEvidenceUpload", () => {
  it("reads the file, its name and its declared type from a multipart body", async () => {
    const form = new FormData();
    form.set("file", new File(["a,b\n1,2\n"], "rows.csv", { type: "text/csv" }));
    const upload = await readEvidenceUpload(new Request("http://x/upload", { method: "POST", body: form }));
    expect(upload.fileName).toBe("rows.csv");
    expect(upload.declaredType).toBe("text/csv");
    expect(new TextDecoder().decode(upload.bytes)).toBe("a,b\n1,2\n");
  });

  it("refuses a declared length over the limit before reading the body", async () => {
    let pulled = false;
    const body = new ReadableStream(
      {
        pull() {
          pulled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request("http://x/upload", {
      method: "POST",
      body,
      headers: { "content-length": String(EVIDENCE_MAX_BYTES * 2), "content-type": "multipart/form-data; boundary=x" },
      duplex: "half",
    } as RequestInit);
    const error = await refusal(request);
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.details?.fields?.file).toEqual(["The file is larger than the maximum of 5 MB."]);
    expect(pulled).toBe(false);
  });

  it("answers a body that is not a form upload, or a form without a file, with a field error", async () => {
    const json = await refusal(
      new Request("http://x/upload", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }),
    );
    expect(json.code).toBe("BAD_REQUEST");
    const form = new FormData();
    form.set("file", "just text");
    const noFile = await refusal(new Request("http://x/upload", { method: "POST", body: form }));
    expect(noFile.code).toBe("VALIDATION");
    expect(noFile.details?.fields?.file).toEqual(["Choose a file to upload"]);
  });
});
