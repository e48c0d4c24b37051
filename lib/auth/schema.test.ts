import { describe, expect, it } from "vitest";
import { fieldErrorsFromZod } from "../errors";
import { MIN_PASSWORD_LENGTH, SELF_SERVICE_ROLES, ZResetPassword, ZSignIn, ZSignUp } from "./schema";

const valid = {
  name: "Dana Whitfield",
  email: "dana@example.com",
  password: "Quartz lantern drifts",
  confirmPassword: "Quartz lantern drifts",
  enrollingAs: "PRESCRIBER",
} as const;

function fieldsOf(result: ReturnType<typeof ZSignUp.safeParse> | ReturnType<typeof ZSignIn.safeParse>) {
  expect(result.success).toBe(false);
  if (result.success) throw new Error("unreachable");
  return fieldErrorsFromZod(result.error);
}

describe("ZSignUp", () => {
  it("accepts a complete form and normalizes the e-mail address", () => {
    const result = ZSignUp.safeParse({ ...valid, name: "  Dana Whitfield ", email: "  Dana@Example.COM " });
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({ name: "Dana Whitfield", email: "dana@example.com", enrollingAs: "PRESCRIBER" });
  });

  it.each(SELF_SERVICE_ROLES)("lets a person enrol as %s", (enrollingAs) => {
    expect(ZSignUp.safeParse({ ...valid, enrollingAs }).success).toBe(true);
  });

  it.each(["dana", "dana@", "@example.com", "dana@example", "dana example@x.com"])(
    "flags the malformed e-mail %j on the email field only",
    (email) => {
      expect(fieldsOf(ZSignUp.safeParse({ ...valid, email }))).toEqual({
        email: ["Enter a valid e-mail address, like name@example.com"],
      });
    },
  );

  it("asks for an e-mail address when it is blank", () => {
    expect(fieldsOf(ZSignUp.safeParse({ ...valid, email: "   " })).email).toEqual(["Enter your e-mail address"]);
  });

  it("asks for a name when it is blank", () => {
    expect(fieldsOf(ZSignUp.safeParse({ ...valid, name: "  " }))).toEqual({ name: ["Enter your full name"] });
  });

  it(`refuses a password shorter than ${MIN_PASSWORD_LENGTH} characters`, () => {
    const short = "a".repeat(MIN_PASSWORD_LENGTH - 1);
    expect(fieldsOf(ZSignUp.safeParse({ ...valid, password: short, confirmPassword: short }))).toEqual({
      password: [`Use at least ${MIN_PASSWORD_LENGTH} characters`],
    });
    const exact = "b".repeat(MIN_PASSWORD_LENGTH);
    expect(ZSignUp.safeParse({ ...valid, password: exact, confirmPassword: exact }).success).toBe(true);
  });

  it("refuses a password longer than 256 characters", () => {
    const long = "c".repeat(257);
    expect(fieldsOf(ZSignUp.safeParse({ ...valid, password: long, confirmPassword: long })).password).toEqual([
      "Use at most 256 characters",
    ]);
  });

  it("puts a mismatched confirmation on the confirmPassword field", () => {
    expect(fieldsOf(ZSignUp.safeParse({ ...valid, confirmPassword: `${valid.password}x` }))).toEqual({
      confirmPassword: ["The passwords do not match"],
    });
  });

  it("asks what the person is enrolling as when it is missing", () => {
    const { enrollingAs: _omitted, ...withoutRole } = valid;
    expect(fieldsOf(ZSignUp.safeParse(withoutRole))).toEqual({ enrollingAs: ["Choose what you are enrolling as"] });
  });

  it.each(["ADMIN", "PATIENT", "PRESCRIBER_DELEGATE", "prescriber", ""])(
    "does not let a person choose %j for themselves",
    (enrollingAs) => {
      expect(fieldsOf(ZSignUp.safeParse({ ...valid, enrollingAs }))).toEqual({
        enrollingAs: ["Choose what you are enrolling as"],
      });
    },
  );

  it("reports every broken field at once, a mismatched confirmation included", () => {
    const fields = fieldsOf(ZSignUp.safeParse({ name: "", email: "nope", password: "short", confirmPassword: "" }));
    expect(Object.keys(fields).sort()).toEqual(["confirmPassword", "email", "enrollingAs", "name", "password"]);
  });

  it("reports a mismatch alongside a malformed e-mail, not only once the e-mail is fixed", () => {
    expect(fieldsOf(ZSignUp.safeParse({ ...valid, email: "dana", confirmPassword: "something else" }))).toEqual({
      email: ["Enter a valid e-mail address, like name@example.com"],
      confirmPassword: ["The passwords do not match"],
    });
  });
});

describe("ZSignIn", () => {
  it("accepts an e-mail and any non-empty password, lower-casing the e-mail", () => {
    const result = ZSignIn.safeParse({ email: "Dana@Example.com", password: "x" });
    expect(result.success).toBe(true);
    expect(result.data?.email).toBe("dana@example.com");
  });

  it("gives field messages for a malformed e-mail and an empty password", () => {
    expect(fieldsOf(ZSignIn.safeParse({ email: "dana", password: "" }))).toEqual({
      email: ["Enter a valid e-mail address, like name@example.com"],
      password: ["Enter your password"],
    });
  });

  it("refuses values that are not strings (the sign-in form posts untrusted data)", () => {
    const fields = fieldsOf(ZSignIn.safeParse({ email: 42, password: { $ne: "" } }));
    expect(Object.keys(fields).sort()).toEqual(["email", "password"]);
  });
});

describe("ZResetPassword", () => {
  it("accepts a token and matching passwords of the sign-up rules", () => {
    const password = "Quartz lantern drifts over";
    expect(ZResetPassword.safeParse({ token: "abc", password, confirmPassword: password }).success).toBe(true);
  });

  it("reports a short password and a mismatch together, field by field", () => {
    const result = ZResetPassword.safeParse({ token: "abc", password: "short", confirmPassword: "other" });
    expect(result.success).toBe(false);
    const fields = Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));
    expect(fields).toEqual({ password: "Use at least 12 characters", confirmPassword: "The passwords do not match" });
  });

  it("refuses a missing or oversized token", () => {
    const password = "Quartz lantern drifts over";
    expect(ZResetPassword.safeParse({ token: "", password, confirmPassword: password }).success).toBe(false);
    expect(ZResetPassword.safeParse({ token: "x".repeat(201), password, confirmPassword: password }).success).toBe(
      false,
    );
  });
});
