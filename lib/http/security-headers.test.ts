import { describe, expect, it } from "vitest";
import {
  NO_SCRIPT_CONTENT_SECURITY_POLICY,
  newNonce,
  pageContentSecurityPolicy,
  servedOverHttps,
} from "./security-headers";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((d) => {
      const [name = "", ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe("pageContentSecurityPolicy", () => {
  it("lets only scripts with this request's nonce run, never inline ones", () => {
    const policy = directives(pageContentSecurityPolicy("abc123=="));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(false);
  });

  it("allows eval only in development, and upgrades requests over HTTPS", () => {
    expect(directives(pageContentSecurityPolicy("n", { dev: true })).get("script-src")).toContain("'unsafe-eval'");
    expect(directives(pageContentSecurityPolicy("n")).get("script-src")).not.toContain("'unsafe-eval'");
    expect(directives(pageContentSecurityPolicy("n", { https: true })).has("upgrade-insecure-requests")).toBe(true);
  });
});

describe("NO_SCRIPT_CONTENT_SECURITY_POLICY", () => {
  it("allows no script and no framing", () => {
    const policy = directives(NO_SCRIPT_CONTENT_SECURITY_POLICY);
    expect(policy.get("default-src")).toEqual(["'none'"]);
    expect(policy.has("script-src")).toBe(false);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
  });
});

describe("newNonce", () => {
  it("is base64 of 16 bytes and differs every time", () => {
    const nonces = new Set(Array.from({ length: 200 }, newNonce));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("servedOverHttps", () => {
  it.each([
    ["https://registry.example.org", null, false, true],
    ["http://127.0.0.1:3000", null, false, false],
    ["http://127.0.0.1:3000", "https", false, false],
    ["http://127.0.0.1:3000", "https", true, true],
    ["http://127.0.0.1:3000", "HTTPS, http", true, true],
    ["http://127.0.0.1:3000", "http", true, false],
  ])("APP_URL %s, X-Forwarded-Proto %s, trusted proxy %s → %s", (appUrl, proto, trust, expected) => {
    expect(servedOverHttps(appUrl, proto, trust)).toBe(expected);
  });
});
