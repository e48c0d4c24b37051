import { describe, expect, it } from "vitest";
import { fieldErrorsFromZod } from "../errors";
import { ZAcceptInvitation, ZCreateInvitation } from "./schema";

describe("ZCreateInvitation", () => {
  it("lower-cases the e-mail and accepts the invitable roles only", () => {
    expect(ZCreateInvitation.parse({ email: " Quinn@Example.ORG ", role: "PHARMACIST" })).toEqual({
      email: "quinn@example.org",
      role: "PHARMACIST",
    });
    expect(ZCreateInvitation.safeParse({ email: "a@b.org", role: "PRESCRIBER_DELEGATE" }).success).toBe(true);
    for (const role of ["ADMIN", "PRESCRIBER", "SETTING_REP", "PATIENT"]) {
      expect(ZCreateInvitation.safeParse({ email: "a@b.org", role }).success).toBe(false);
    }
  });

  it("reports a bad e-mail on the email field", () => {
    const result = ZCreateInvitation.safeParse({ email: "nope", role: "PHARMACIST" });
    expect(result.success).toBe(false);
    if (!result.success) expect(Object.keys(fieldErrorsFromZod(result.error))).toEqual(["email"]);
  });
});

describe("ZAcceptInvitation", () => {
  it("uses the sign-up password rules and reports every field at once", () => {
    const result = ZAcceptInvitation.safeParse({ name: " ", password: "short", confirmPassword: "other" });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect(fieldErrorsFromZod(result.error)).toEqual({
        name: ["Enter your full name"],
        password: ["Use at least 12 characters"],
        confirmPassword: ["The passwords do not match"],
      });
    }
  });

  it("accepts a long passphrase confirmed twice", () => {
    const ok = ZAcceptInvitation.safeParse({
      name: " Quinn Doe ",
      password: "Copper kettle winter 42",
      confirmPassword: "Copper kettle winter 42",
    });
    expect(ok.success && ok.data.name).toBe("Quinn Doe");
  });
});
