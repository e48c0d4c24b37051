import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  deriveTotpKey,
  hashRecoveryCode,
  matchTotpStep,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  normalizeTotpCode,
  openTotpSecret,
  RECOVERY_CODE_COUNT,
  roleRequiresMfa,
  sealTotpSecret,
  totpCodeAt,
  totpStepAt,
  totpUri,
} from "./mfa-rules";

/** RFC 6238 appendix B: the ASCII secret "12345678901234567890", SHA-1, in base32. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const at = (seconds: number) => new Date(seconds * 1000);

describe("TOTP codes", () => {
  it("match the RFC 6238 test vectors (last six digits of the SHA-1 values)", () => {
    expect(totpCodeAt(RFC_SECRET, at(59))).toBe("287082");
    expect(totpCodeAt(RFC_SECRET, at(1111111109))).toBe("081804");
    expect(totpCodeAt(RFC_SECRET, at(1111111111))).toBe("050471");
    expect(totpCodeAt(RFC_SECRET, at(1234567890))).toBe("005924");
    expect(totpCodeAt(RFC_SECRET, at(2000000000))).toBe("279037");
  });

  it("have 30-second steps", () => {
    expect(totpStepAt(at(0))).toBe(0);
    expect(totpStepAt(at(29))).toBe(0);
    expect(totpStepAt(at(30))).toBe(1);
    expect(totpCodeAt(RFC_SECRET, at(30))).toBe(totpCodeAt(RFC_SECRET, at(59)));
  });

  it("accept the current step and one either side, nothing further", () => {
    const now = at(1111111111);
    const step = totpStepAt(now);
    const codeOf = (s: number) => totpCodeAt(RFC_SECRET, at(s * 30));
    expect(matchTotpStep(RFC_SECRET, codeOf(step), now, null)).toBe(step);
    expect(matchTotpStep(RFC_SECRET, codeOf(step - 1), now, null)).toBe(step - 1);
    expect(matchTotpStep(RFC_SECRET, codeOf(step + 1), now, null)).toBe(step + 1);
    expect(matchTotpStep(RFC_SECRET, codeOf(step - 2), now, null)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, codeOf(step + 2), now, null)).toBeNull();
  });

  it("refuse a step already used (a replay) and any earlier one, and accept a later one", () => {
    const now = at(1111111111);
    const step = totpStepAt(now);
    const codeOf = (s: number) => totpCodeAt(RFC_SECRET, at(s * 30));
    expect(matchTotpStep(RFC_SECRET, codeOf(step), now, step)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, codeOf(step - 1), now, step)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, codeOf(step - 1), now, step - 1)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, codeOf(step + 1), now, step)).toBe(step + 1);
    expect(matchTotpStep(RFC_SECRET, codeOf(step), now, step - 1)).toBe(step);
  });

  it("take a code typed with spaces, and refuse what is not six digits", () => {
    const now = at(59);
    expect(matchTotpStep(RFC_SECRET, "287 082", now, null)).toBe(1);
    expect(matchTotpStep(RFC_SECRET, " 287082 ", now, null)).toBe(1);
    expect(matchTotpStep(RFC_SECRET, "28708", now, null)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, "2870821", now, null)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, "abcdef", now, null)).toBeNull();
    expect(matchTotpStep(RFC_SECRET, "", now, null)).toBeNull();
  });

  it("normalizes a typed code to six digits or null", () => {
    expect(normalizeTotpCode("123 456")).toBe("123456");
    expect(normalizeTotpCode("\t123456\n")).toBe("123456");
    expect(normalizeTotpCode("12345")).toBeNull();
    expect(normalizeTotpCode("12345x")).toBeNull();
    expect(normalizeTotpCode("１２３４５６")).toBeNull();
  });

  it("a new secret is 160 random bits in base32, and the QR address names the issuer, account and parameters", () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(a).not.toBe(b);
    const uri = new URL(totpUri(a, "pat@example.test"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/remsgate:pat@example.test");
    expect(uri.searchParams.get("secret")).toBe(a);
    expect(uri.searchParams.get("issuer")).toBe("remsgate");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
    expect(uri.searchParams.get("algorithm")).toBe("SHA1");
  });
});

describe("recovery codes", () => {
  it("ten distinct codes of four groups of four base32 characters", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it("are read however they are typed: case, hyphens and spaces do not matter", () => {
    const [code = ""] = newRecoveryCodes(1);
    const bare = code.replaceAll("-", "");
    expect(normalizeRecoveryCode(code)).toBe(bare);
    expect(normalizeRecoveryCode(code.toUpperCase())).toBe(bare);
    expect(normalizeRecoveryCode(` ${code.replaceAll("-", " ")} `)).toBe(bare);
    expect(normalizeRecoveryCode(bare)).toBe(bare);
  });

  it("refuse what cannot be a code: wrong length, characters outside base32", () => {
    expect(normalizeRecoveryCode("abcd-efgh-ijkl")).toBeNull();
    expect(normalizeRecoveryCode("abcd-efgh-ijkl-mnopq")).toBeNull();
    expect(normalizeRecoveryCode("abcd-efgh-ijkl-mn01")).toBeNull();
    expect(normalizeRecoveryCode("abcd-efgh-ijkl-mn89")).toBeNull();
    expect(normalizeRecoveryCode("123456")).toBeNull();
  });

  it("are stored as a hash that does not contain the code and differs for every code", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z2-7]{16}$/), fc.stringMatching(/^[a-z2-7]{16}$/), (a, b) => {
        const hash = hashRecoveryCode(a);
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hash).not.toContain(a);
        expect(hashRecoveryCode(a)).toBe(hash);
        if (a !== b) expect(hashRecoveryCode(b)).not.toBe(hash);
      }),
    );
  });
});

describe("sealing a TOTP secret", () => {
  const key = deriveTotpKey("an installation secret of enough length");

  it("opens for the same user and key, and each sealing differs (random nonce)", () => {
    const secret = newTotpSecret();
    const sealed = sealTotpSecret(key, secret, "user-1");
    expect(sealed).not.toContain(secret);
    expect(openTotpSecret(key, sealed, "user-1")).toBe(secret);
    expect(sealTotpSecret(key, secret, "user-1")).not.toBe(sealed);
  });

  it("does not open for another user, with another AUTH_SECRET, or when changed or malformed", () => {
    const sealed = sealTotpSecret(key, newTotpSecret(), "user-1");
    expect(openTotpSecret(key, sealed, "user-2")).toBeNull();
    expect(openTotpSecret(deriveTotpKey("another installation secret"), sealed, "user-1")).toBeNull();
    const [version, iv, tag, body = ""] = sealed.split(".");
    const flipped = `${body.slice(0, -2)}${body.endsWith("AA") ? "BB" : "AA"}`;
    expect(openTotpSecret(key, [version, iv, tag, flipped].join("."), "user-1")).toBeNull();
    expect(openTotpSecret(key, ["v2", iv, tag, body].join("."), "user-1")).toBeNull();
    expect(openTotpSecret(key, "not sealed", "user-1")).toBeNull();
    expect(openTotpSecret(key, "", "user-1")).toBeNull();
  });

  it("derives a 256-bit key that depends on AUTH_SECRET", () => {
    expect(key).toHaveLength(32);
    expect(deriveTotpKey("an installation secret of enough length").equals(key)).toBe(true);
    expect(deriveTotpKey("another installation secret").equals(key)).toBe(false);
  });
});

describe("roles that require a second factor", () => {
  it("administrators and pharmacists; not prescribers, delegates, setting representatives or patients", () => {
    expect(roleRequiresMfa("ADMIN")).toBe(true);
    expect(roleRequiresMfa("PHARMACIST")).toBe(true);
    expect(roleRequiresMfa("PRESCRIBER")).toBe(false);
    expect(roleRequiresMfa("PRESCRIBER_DELEGATE")).toBe(false);
    expect(roleRequiresMfa("SETTING_REP")).toBe(false);
    expect(roleRequiresMfa("PATIENT")).toBe(false);
  });
});
