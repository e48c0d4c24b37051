import { z } from "zod";
import { zEmail, zNewPassword } from "../auth/schema";

/** The roles people can be invited to: a pharmacist of a pharmacy, office staff of a prescriber. */
export const INVITABLE_ROLES = ["PHARMACIST", "PRESCRIBER_DELEGATE"] as const;
export type InvitableRole = (typeof INVITABLE_ROLES)[number];
/**
 * Every role an invitation can carry. Patients are not invited from the team page: the patient
 * enrollment invites the patient to sign in their own account (lib/patients); an administrator is
 * invited once a second administrator approves the request (lib/users).
 */
export type InvitationRole = InvitableRole | "PATIENT" | "ADMIN";

export const ZCreateInvitation = z.object({
  email: zEmail,
  role: z.enum(INVITABLE_ROLES, { error: "Choose what the person is invited as" }),
});
export type TCreateInvitation = z.input<typeof ZCreateInvitation>;

/** The same rules as sign-up (lib/auth/schema.ts): the e-mail address comes from the invitation. */
export const ZAcceptInvitation = z
  .object({
    name: z.string().trim().min(1, "Enter your full name").max(200, "Name is too long"),
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
export type TAcceptInvitation = z.input<typeof ZAcceptInvitation>;
