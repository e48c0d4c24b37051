import { z } from "zod";

export const MIN_PASSWORD_LENGTH = 12;

/** An e-mail address, lower-cased; `missing` is the message when it is left empty. */
export const emailField = (missing = "Enter your e-mail address") =>
  z
    .string({ error: missing })
    .trim()
    .min(1, missing)
    .max(254, "E-mail address is too long")
    .pipe(z.email("Enter a valid e-mail address, like name@example.com"))
    .transform((v) => v.toLowerCase());

export const zEmail = emailField();

export const zNewPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256, "Use at most 256 characters");

/** Who a person can sign up as; patients and delegates join by invitation, administrators by CLI. */
export const SELF_SERVICE_ROLES = ["PRESCRIBER", "PHARMACIST", "SETTING_REP"] as const;

export const ENROLLING_AS_LABELS: Record<(typeof SELF_SERVICE_ROLES)[number], string> = {
  PRESCRIBER: "Prescriber (healthcare provider)",
  PHARMACIST: "Pharmacy authorized representative",
  SETTING_REP: "Healthcare setting authorized representative",
};

export const ZSignUp = z
  .object({
    name: z.string().trim().min(1, "Enter your full name").max(200, "Name is too long"),
    email: zEmail,
    password: zNewPassword,
    confirmPassword: z.string(),
    enrollingAs: z.enum(SELF_SERVICE_ROLES, { error: "Choose what you are enrolling as" }),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
    // Report a mismatch together with the other fields' problems, not only once they are fixed.
    when: (payload) => {
      const v = payload.value as { password?: unknown; confirmPassword?: unknown };
      return typeof v?.password === "string" && typeof v?.confirmPassword === "string";
    },
  });
export type TSignUp = z.input<typeof ZSignUp>;
export type TSignUpParsed = z.output<typeof ZSignUp>;

/** A second-factor code as typed: six digits from the app, or a recovery code. */
export const zMfaCode = z.string().trim().max(64, "That is not a code from your authenticator app or a recovery code");

export const ZSignIn = z.object({
  email: zEmail,
  password: z.string().min(1, "Enter your password").max(256, "Password is too long"),
  /** Asked for after a correct password when the account has a second factor. */
  code: zMfaCode.optional(),
});
export type TSignIn = z.input<typeof ZSignIn>;

/** Re-authentication before a sensitive step: the password, and the code when a factor is enrolled. */
export const ZStepUp = z.object({
  password: z.string().min(1, "Enter your password").max(256, "Password is too long"),
  code: zMfaCode.optional(),
});
export type TStepUp = z.input<typeof ZStepUp>;

/** Confirms a new authenticator: the password again and the first code the app shows. */
export const ZConfirmMfa = z.object({
  password: z.string().min(1, "Enter your password").max(256, "Password is too long"),
  code: z
    .string()
    .trim()
    .regex(/^\d{3}\s?\d{3}$/, "Enter the 6-digit code your authenticator app shows"),
});
export type TConfirmMfa = z.input<typeof ZConfirmMfa>;

export const ZRequestPasswordReset = z.object({ email: zEmail });
export type TRequestPasswordReset = z.input<typeof ZRequestPasswordReset>;

export const ZResetPassword = z
  .object({
    token: z.string().min(1, "The link is incomplete").max(200, "The link is not valid"),
    password: zNewPassword,
    confirmPassword: z.string(),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
    when: (payload) => {
      const v = payload.value as { password?: unknown; confirmPassword?: unknown };
      return typeof v?.password === "string" && typeof v?.confirmPassword === "string";
    },
  });
export type TResetPassword = z.input<typeof ZResetPassword>;

/** Changing one's password while signed in: the current password (and code) first. */
export const ZChangePassword = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(256, "Password is too long"),
    code: zMfaCode.optional(),
    password: zNewPassword,
    confirmPassword: z.string().max(256, "Password is too long"),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
    when: (payload) => {
      const v = payload.value as { password?: unknown; confirmPassword?: unknown };
      return typeof v?.password === "string" && typeof v?.confirmPassword === "string";
    },
  })
  .refine((v) => v.password !== v.currentPassword, {
    path: ["password"],
    message: "Choose a password different from your current one",
    when: (payload) => {
      const v = payload.value as { password?: unknown; currentPassword?: unknown };
      return typeof v?.password === "string" && typeof v?.currentPassword === "string";
    },
  });
export type TChangePassword = z.input<typeof ZChangePassword>;

/** Changing one's sign-in address: the password (and code), then a link mailed to the new address. */
export const ZChangeEmail = z.object({
  password: z.string().min(1, "Enter your password").max(256, "Password is too long"),
  code: zMfaCode.optional(),
  email: zEmail,
});
export type TChangeEmail = z.input<typeof ZChangeEmail>;
