import { describe, expect, it } from "vitest";
import { safeRedirectPath, sameOriginPath, signInUrl } from "./safe-redirect";

const APP = "https://registry.example.org";

/** How a browser would resolve the path we return: it must stay on the app's origin. */
function landsOn(path: string): string {
  return new URL(path, APP).origin;
}

describe("sameOriginPath", () => {
  it.each([
    ["/dashboard", "/dashboard"],
    ["/prescriber/patients?page=2", "/prescriber/patients?page=2"],
    ["/prescriber/patients/1#labs", "/prescriber/patients/1#labs"],
    ["/a/../pharmacy", "/pharmacy"],
    // Encoded slashes and backslashes stay encoded: the browser asks this origin for that path.
    ["/%5Cevil.example/phish", "/%5Cevil.example/phish"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
  ])("keeps the same-origin path %j", (value, expected) => {
    expect(sameOriginPath(value, APP)).toBe(expected);
    expect(landsOn(expected)).toBe(APP);
  });

  it.each([
    // Protocol-relative and backslash forms browsers read as another host.
    "//evil.example",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example",
    "/\\/evil.example",
    // What `?next=/%09/evil.example` and `?next=/%5C…` decode to.
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\u0000/evil.example",
    "/\u007f/evil.example",
    // Dot segments that normalise to `//host`.
    "/.//evil.example",
    "/..//evil.example",
    "/a/../..//evil.example",
    "/%2e%2e//evil.example",
    "/%2e//evil.example",
    // Not a path at all.
    "https://evil.example/phish",
    "http://registry.example.org.evil.example/",
    "https://registry.example.org@evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "dashboard",
    " /dashboard",
    "",
    `/${"a".repeat(3000)}`,
  ])("refuses %j", (value) => {
    expect(sameOriginPath(value, APP)).toBeNull();
  });

  it("refuses values that are not strings", () => {
    for (const value of [undefined, null, 42, ["/dashboard"], { path: "/dashboard" }]) {
      expect(sameOriginPath(value, APP)).toBeNull();
    }
  });

  it("whatever it keeps, a browser resolves on the app's origin (mixed payloads)", () => {
    const pieces = ["/", "//", "\\", "%5C", "%2F", ".", "..", "\t", "evil.example", "@", ":", "?", "#", "%09", "%00"];
    let checked = 0;
    for (const a of pieces) {
      for (const b of pieces) {
        for (const c of pieces) {
          const value = `/${a}${b}${c}`;
          const kept = sameOriginPath(value, APP);
          if (kept !== null) {
            expect(landsOn(kept), value).toBe(APP);
            expect(kept.startsWith("//"), value).toBe(false);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(pieces.length ** 3);
  });
});

describe("safeRedirectPath", () => {
  it("falls back to the dashboard, or the fallback given", () => {
    expect(safeRedirectPath("/\\evil.example", APP)).toBe("/dashboard");
    expect(safeRedirectPath(undefined, APP, "/")).toBe("/");
    expect(safeRedirectPath("/pharmacy", APP)).toBe("/pharmacy");
  });
});

describe("signInUrl", () => {
  it("carries a same-origin path back, and nothing else", () => {
    expect(signInUrl("/prescriber/patients?page=2", APP)).toBe("/sign-in?next=%2Fprescriber%2Fpatients%3Fpage%3D2");
    expect(signInUrl("//evil.example", APP)).toBe("/sign-in");
  });
});
