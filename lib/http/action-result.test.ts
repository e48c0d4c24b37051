import { describe, expect, it } from "vitest";
import { type ActionResult, actionError, checkActionInput } from "./action-result";

/** What an action's catch hands back to its form when the boundary check refuses its arguments. */
function resultOf(...args: unknown[]): ActionResult<never> | null {
  try {
    checkActionInput(...args);
    return null;
  } catch (error) {
    return actionError(error);
  }
}

describe("checkActionInput with actionError: hostile text becomes the form's field error", () => {
  it("names the FormData field holding a NUL", () => {
    const form = new FormData();
    form.set("programCode", "LEMTRADA");
    form.set("reason", "abc\u0000def");
    const result = resultOf(form);
    expect(result).toMatchObject({ ok: false, code: "VALIDATION" });
    expect(result?.ok === false && result.fields).toEqual({
      reason: ["Contains a NUL character (\\u0000), which is not allowed in any field."],
    });
    expect(result?.ok === false && result.message).toBe(
      '"reason": contains a NUL character (\\u0000), which is not allowed in any field.',
    );
  });

  it("names an uploaded file with an unusable name", () => {
    // FormData itself turns a lone surrogate into U+FFFD (its values are USVStrings), so a NUL is
    // what reaches an action through a form field; objects carry lone surrogates (below).
    const upload = new FormData();
    upload.set("note", "fine");
    upload.set("file", new File(["x"], "feed\u0000.csv"));
    expect(resultOf(upload)).toMatchObject({ code: "VALIDATION", fields: { file: [expect.stringMatching(/NUL/)] } });
  });

  it("refuses a hostile FormData field name without echoing it", () => {
    const form = new FormData();
    form.set("na\u0000me", "x");
    const result = resultOf(form);
    expect(result).toMatchObject({ code: "VALIDATION", fields: { "(field name)": [expect.stringMatching(/NUL/)] } });
    expect(JSON.stringify(result)).not.toContain("na\\u0000me");
  });

  it("walks FormData that is not an instance of this realm's class", () => {
    const real = new FormData();
    real.set("lotNumber", "L\u0000T");
    // The framework's FormData may come from another copy of the class; the check goes by shape.
    const foreign = Object.create(null, {
      [Symbol.toStringTag]: { value: "FormData" },
      entries: { value: () => real.entries() },
      getAll: { value: (k: string) => real.getAll(k) },
      append: { value: () => undefined },
    });
    expect(resultOf(foreign)).toMatchObject({ code: "VALIDATION", fields: { lotNumber: [expect.any(String)] } });
  });

  it("names nested object fields and keys, in whichever argument holds them", () => {
    expect(resultOf({ patient: { lastName: "Ok", address: { city: "Spring\u0000field" } } })).toMatchObject({
      code: "VALIDATION",
      fields: { "patient.address.city": [expect.stringMatching(/NUL/)] },
    });
    expect(resultOf({ items: ["a", { note: "\ud83d" }] })).toMatchObject({
      fields: { "items.1.note": [expect.stringMatching(/surrogate/)] },
    });
    expect(resultOf({ answers: { ["q\ud800"]: true } })).toMatchObject({
      fields: { "answers.(field name)": [expect.any(String)] },
    });
    // A plain string argument (an id bound to the form) is named by the request as a whole.
    expect(resultOf({ ok: "yes" }, "id\u0000")).toMatchObject({
      code: "VALIDATION",
      message: expect.stringMatching(/^The request: contains a NUL/),
    });
  });

  it("lets well-formed text through, astral characters and all", () => {
    const form = new FormData();
    form.set("note", "Zoë 😀 北京 — fine");
    expect(
      resultOf(form, { lastName: "O'Brien-Łukasz 🙂", dose: 12, when: new Date(0), none: null }, "x", undefined),
    ).toBeNull();
  });
});
