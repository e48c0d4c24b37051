import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashInvitationToken, isWellFormedToken, newInvitationToken } from "./token";

describe("invitation tokens", () => {
  it("are 256-bit, URL-safe and different every time", () => {
    const a = newInvitationToken();
    const b = newInvitationToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token, "base64url")).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
  });

  it("are stored as their SHA-256, which does not contain the token", () => {
    const { token, tokenHash } = newInvitationToken();
    expect(tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashInvitationToken(token)).toBe(tokenHash);
    expect(tokenHash).not.toContain(token);
  });

  it("are recognised by shape before any database work", () => {
    expect(isWellFormedToken(newInvitationToken().token)).toBe(true);
    expect(isWellFormedToken("short")).toBe(false);
    expect(isWellFormedToken(`${"a".repeat(42)}!`)).toBe(false);
    expect(isWellFormedToken("a".repeat(44))).toBe(false);
  });
});
