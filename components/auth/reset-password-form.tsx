"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { NewPasswordFields } from "@/components/auth/new-password-fields";
import { FormBanner } from "@/components/ui/field";
import { resetPasswordAction } from "@/lib/auth/actions";
import { type TResetPassword, ZResetPassword } from "@/lib/auth/schema";

export function ResetPasswordForm({ token }: { token: string }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<{ message: string; link: boolean } | null>(null);
  const [done, setDone] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TResetPassword>({
    resolver: zodResolver(ZResetPassword),
    defaultValues: { token, password: "", confirmPassword: "" },
  });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await resetPasswordAction({ ...values, token });
      if (result.ok) {
        setDone(true);
        return;
      }
      setFormError({ message: result.message, link: result.code === "BAD_REQUEST" });
      for (const field of ["password", "confirmPassword"] as const) {
        const message = result.fields?.[field]?.[0];
        if (message) setError(field, { message });
      }
    });
  });

  if (done) {
    return (
      <FormBanner kind="ok">
        Your password has been changed and every other device has been signed out. <Link href="/sign-in">Sign in</Link>{" "}
        with your new password.
      </FormBanner>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      {formError ? (
        <FormBanner kind="error">
          {formError.message}
          {formError.link ? (
            <>
              {" "}
              <Link href="/forgot-password">Send me a new link</Link>
            </>
          ) : null}
        </FormBanner>
      ) : null}
      <input type="hidden" {...register("token")} />
      <NewPasswordFields
        label="New password"
        password={register("password")}
        confirm={register("confirmPassword")}
        errors={{ password: errors.password?.message, confirmPassword: errors.confirmPassword?.message }}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}
