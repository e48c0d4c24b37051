import type { UseFormRegisterReturn } from "react-hook-form";
import { TextField } from "@/components/ui/field";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/schema";

/** A new password and its confirmation, as every form that sets a password asks for them. */
export function NewPasswordFields({
  password,
  confirm,
  errors,
  label = "Password",
}: {
  password: UseFormRegisterReturn;
  confirm: UseFormRegisterReturn;
  errors: { password?: string | undefined; confirmPassword?: string | undefined };
  label?: string;
}) {
  return (
    <>
      <TextField
        id="password"
        label={label}
        type="password"
        autoComplete="new-password"
        hint={`At least ${MIN_PASSWORD_LENGTH} characters. A passphrase of several words works well; common passwords are refused.`}
        error={errors.password}
        {...password}
      />
      <TextField
        id="confirmPassword"
        label={`Confirm ${label.toLowerCase()}`}
        type="password"
        autoComplete="new-password"
        error={errors.confirmPassword}
        {...confirm}
      />
    </>
  );
}
