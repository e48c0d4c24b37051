import { describe, expect, it } from "vitest";
import { burnPasswordCheck, commonPasswordProblem, hashPassword, verifyPassword } from "./password";

const STRONG = "Quartz lantern drifts over the meadow";

describe("hashPassword / verifyPassword", () => {
  it("hashes with argon2id at the OWASP minimum cost, salted", async () => {
    const a = await hashPassword(STRONG);
    const b = await hashPassword(STRONG);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toContain(STRONG);
    expect(a).not.toBe(b);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword(STRONG);
    expect(await verifyPassword(stored, STRONG)).toBe(true);
    expect(await verifyPassword(stored, `${STRONG}!`)).toBe(false);
    expect(await verifyPassword(stored, STRONG.toLowerCase())).toBe(false);
    expect(await verifyPassword(stored, "")).toBe(false);
  });

  it("answers false rather than throwing for a malformed stored hash", async () => {
    expect(await verifyPassword("not-a-hash", STRONG)).toBe(false);
    expect(await verifyPassword("", STRONG)).toBe(false);
  });

  it("burns a check for unknown accounts without throwing", async () => {
    await expect(burnPasswordCheck(STRONG)).resolves.toBeUndefined();
  });
});

describe("commonPasswordProblem", () => {
  it.each([
    "password1234",
    "qwerty123456",
    "Password123!",
    "PASSWORD1234",
    "Summer2024!!",
    "letmein12345",
    "iloveyou2024",
    "Monkey_12345",
    "dragon!!!!!!",
  ])("refuses %s as too common", (password) => {
    expect(commonPasswordProblem(password)).toMatch(/too common/);
  });

  it.each(["aaaaaaaaaaaa", "............", "111111111111"])(
    "refuses %s as one repeated character (or too common)",
    (password) => {
      expect(commonPasswordProblem(password)).not.toBeNull();
    },
  );

  it.each([STRONG, "correct horse battery staple", "Violet-Kettle-Orbit-9", "7 brass owls hum at dusk"])(
    "accepts the passphrase %s",
    (password) => {
      expect(commonPasswordProblem(password)).toBeNull();
    },
  );

  it("does not strip a short stem down to a dictionary word", () => {
    // "abc" is under the 4-character stem minimum, so "abc" + digits is judged as typed.
    expect(commonPasswordProblem("abc-9s8d7f6g5h")).toBeNull();
  });

  it("refuses a password containing the person's name or e-mail local part, in any case", () => {
    const context = ["dana.whitfield", "Dana", "Whitfield"];
    expect(commonPasswordProblem("my name is WHITFIELD, ok?", context)).toMatch(/name or e-mail/);
    expect(commonPasswordProblem("dana.whitfield-secret-phrase", context)).toMatch(/name or e-mail/);
    expect(commonPasswordProblem("Quartz DANA lantern meadow", context)).toMatch(/name or e-mail/);
  });

  it("ignores context parts shorter than four characters", () => {
    expect(commonPasswordProblem("Quartz lantern Al meadow", ["Al", "Bo", ""])).toBeNull();
  });

  it("accepts a strong password whose context does not appear in it", () => {
    expect(commonPasswordProblem(STRONG, ["dana.whitfield", "Dana", "Whitfield"])).toBeNull();
  });
});
