import { describe, expect, it } from "vitest";
import { ZLabResultFields } from "./schema";

describe("ZLabResultFields", () => {
  it("upper-cases the test code and drops empty optional text", () => {
    expect(
      ZLabResultFields.parse({ testCode: " tsh ", collectedOn: "2026-01-02", abnormal: false, note: " ", labId: "" }),
    ).toEqual({ testCode: "TSH", collectedOn: "2026-01-02", abnormal: false });
  });

  it("needs a note when the result is abnormal, and a real date", () => {
    const abnormal = ZLabResultFields.safeParse({ testCode: "TSH", collectedOn: "2026-02-30", abnormal: true });
    expect(abnormal.success).toBe(false);
    const paths = abnormal.error?.issues.map((i) => i.path.join(".")).sort();
    expect(paths).toEqual(["collectedOn", "note"]);
    const noNote = ZLabResultFields.safeParse({ testCode: "TSH", collectedOn: "2026-02-03", abnormal: true });
    expect(noNote.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["note", "Describe the abnormal result"],
    ]);
  });
});
