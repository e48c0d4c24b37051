import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkEvidenceFile, EVIDENCE_MAX_BYTES, safeFileName, sniffContent } from "./evidence";

const text = (s: string) => new TextEncoder().encode(s);
const PDF = text("%PDF-1.7\n%%EOF\n");
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);

describe("sniffContent", () => {
  it("recognises PDF, PNG and JPEG signatures and plain UTF-8 text", () => {
    expect(sniffContent(PDF)).toBe("application/pdf");
    expect(sniffContent(PNG)).toBe("image/png");
    expect(sniffContent(JPEG)).toBe("image/jpeg");
    expect(sniffContent(text("a,b\r\n1,2\tx\n"))).toBe("text");
    expect(sniffContent(text("Grüße, 日本"))).toBe("text");
  });

  it("refuses binary content, control characters, invalid UTF-8 and nothing at all", () => {
    expect(sniffContent(new Uint8Array([0x4d, 0x5a, 0x90, 0]))).toBeNull();
    expect(sniffContent(text("a\u0000b"))).toBeNull();
    expect(sniffContent(text("bell\u0007"))).toBeNull();
    expect(sniffContent(new Uint8Array([0xc3, 0x28]))).toBeNull();
    expect(sniffContent(new Uint8Array())).toBeNull();
  });
});

describe("checkEvidenceFile", () => {
  const ok = (fileName: string, declaredType: string, bytes: Uint8Array) =>
    checkEvidenceFile({ fileName, declaredType, bytes });

  it("accepts a file whose content, extension and declared type agree (or no type is declared)", () => {
    expect(ok("report.PDF", "application/pdf", PDF)).toEqual({ ok: true, contentType: "application/pdf" });
    expect(ok("photo.png", "image/png", PNG)).toEqual({ ok: true, contentType: "image/png" });
    expect(ok("photo.jpeg", "", JPEG)).toEqual({ ok: true, contentType: "image/jpeg" });
    expect(ok("scan.jpg", "image/pjpeg", JPEG)).toEqual({ ok: true, contentType: "image/jpeg" });
    expect(ok("notes.txt", "text/plain; charset=utf-8", text("hello"))).toEqual({
      ok: true,
      contentType: "text/plain",
    });
    expect(ok("rows.csv", "application/vnd.ms-excel", text("a,b"))).toEqual({ ok: true, contentType: "text/csv" });
    expect(ok("rows.csv", "application/octet-stream", text("a,b"))).toEqual({ ok: true, contentType: "text/csv" });
  });

  it("refuses a declared type the content contradicts", () => {
    expect(ok("notes.txt", "image/png", text("<html>"))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/sent as image\/png/),
    });
    expect(ok("photo.png", "application/pdf", PNG)).toMatchObject({ ok: false });
  });

  it("refuses an extension that does not match the content, and text under another name", () => {
    expect(ok("photo.png", "image/png", text("<svg/>"))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/does not match/),
    });
    expect(ok("page.html", "text/html", text("<p>hi</p>"))).toMatchObject({ ok: false });
    expect(ok("archive", "", PDF)).toMatchObject({ ok: false, message: expect.stringMatching(/no extension/) });
  });

  it("refuses an empty file and one over the limit, whatever it claims", () => {
    expect(ok("a.txt", "text/plain", new Uint8Array())).toEqual({ ok: false, message: "The file is empty." });
    const big = new Uint8Array(EVIDENCE_MAX_BYTES + 1);
    big.set(PDF);
    expect(ok("big.pdf", "application/pdf", big)).toEqual({
      ok: false,
      message: "The file is larger than the maximum of 5 MB.",
    });
    const limit = new Uint8Array(EVIDENCE_MAX_BYTES);
    limit.set(PDF);
    expect(ok("limit.pdf", "application/pdf", limit)).toEqual({ ok: true, contentType: "application/pdf" });
  });

  it("never accepts bytes that are none of the accepted kinds (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.constantFrom("a.pdf", "a.png", "a.jpg", "a.txt", "a.csv"),
        (bytes, name) => {
          const result = ok(name, "", bytes);
          if (result.ok) expect(sniffContent(bytes)).not.toBeNull();
        },
      ),
    );
  });
});

describe("safeFileName", () => {
  it("keeps the last path segment in safe characters", () => {
    expect(safeFileName("../../etc/passwd.txt")).toBe("passwd.txt");
    expect(safeFileName("C:\\scans\\page 1 (final).pdf")).toBe("page_1_final_.pdf");
    expect(safeFileName('a"b;c.png')).toBe("a_b_c.png");
    expect(safeFileName("...")).toBe("file");
  });
});
