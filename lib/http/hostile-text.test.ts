import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findHostileInPath, findHostileInQuery, findHostileText, hostileTextProblem } from "./hostile-text";

describe("hostileTextProblem", () => {
  it("accepts any well-formed text without NUL, controls or bidirectional controls, including astral characters", () => {
    const refused = (c: number) =>
      (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    const strip = (text: string) =>
      Array.from(text)
        .filter((ch) => !refused(ch.codePointAt(0) ?? 0))
        .join("");
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        expect(hostileTextProblem(strip(text))).toBeNull();
      }),
    );
    expect(hostileTextProblem("Zoë 😀 北京")).toBeNull();
    // Right-to-left scripts, their marks, tabs and line breaks are text.
    expect(hostileTextProblem("مريم \u200fحداد\u200e שרה")).toBeNull();
    expect(hostileTextProblem("line one\r\nline two\tcolumn")).toBeNull();
  });

  it("refuses control characters and bidirectional embeddings, overrides and isolates, naming the character", () => {
    for (const [bad, shown] of [
      ["Bell\u0007", "U+0007"],
      ["esc\u001b[31m", "U+001B"],
      ["del\u007f", "U+007F"],
      ["c1\u0085", "U+0085"],
      ["\u000bvt", "U+000B"],
    ] as const) {
      expect(hostileTextProblem(bad), JSON.stringify(bad)).toMatch(
        new RegExp(`control character \\(${shown.replace("+", "\\+")}\\)`),
      );
    }
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(hostileTextProblem(`Zoë ${String.fromCharCode(code)}gnp.exe`)).toMatch(/bidirectional control character/);
    }
  });

  it("refuses NUL and lone surrogates anywhere", () => {
    for (const bad of ["\u0000", "a\u0000", "\ud800", "x\ud83d", "\udc00y", "\ud800\ud800\udc00"]) {
      expect(hostileTextProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
  });
});

describe("findHostileText", () => {
  it("names the path of the first hostile value or key", () => {
    expect(findHostileText({ a: { b: ["ok", "x\u0000"] } })?.field).toBe("a.b.1");
    expect(findHostileText({ ["k\ud800"]: 1 })?.field).toBe("(field name)");
    expect(findHostileText({ a: 1, b: [true, null, "fine"] })).toBeNull();
    // Deep nesting is refused at a fixed depth instead of walking (and overflowing) the stack.
    let deep: unknown = "leaf";
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(findHostileText(deep)?.message).toMatch(/nested too deeply/);
    expect(findHostileText(JSON.parse(`${"[".repeat(65)}${"]".repeat(65)}`))?.message).toMatch(/nested too deeply/);
    expect(findHostileText(JSON.parse(`${"[".repeat(64)}${"]".repeat(64)}`))).toBeNull();
  });

  it("walks FormData fields and file names", () => {
    const form = new FormData();
    form.set("name", "Ada");
    form.set("file", new File(["x"], "a\u0000.csv"));
    expect(findHostileText(form)?.field).toBe("file");
  });
});

describe("URL checks", () => {
  it("refuses bad percent-encoding and encoded NULs in the query, naming the parameter", () => {
    expect(findHostileInQuery("a=1&npi=%E0%A4%A")?.field).toBe("?npi");
    expect(findHostileInQuery("?status=%00")?.field).toBe("?status");
    expect(findHostileInQuery("%ff=1")?.field).toBe("?(parameter name)");
    expect(findHostileInQuery("q=Zo%C3%AB+L&page=2")).toBeNull();
  });

  it("refuses undecodable path segments", () => {
    expect(findHostileInPath("/api/v1/x/%E0%A4%A")?.field).toBe("path");
    expect(findHostileInPath("/api/v1/x/%ED%A0%80")?.field).toBe("path");
    expect(findHostileInPath("/api/v1/x/Zo%C3%AB")).toBeNull();
  });
});
