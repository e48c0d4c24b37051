"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { FormBanner, TextField } from "@/components/ui/field";
import { requestPasswordResetAction } from "@/lib/auth/actions";
import { type TRequestPasswordReset, ZRequestPasswordReset } from "@/lib/auth/schema";

export function ForgotPasswordForm() {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TRequestPasswordReset>({ resolver: zodResolver(ZRequestPasswordReset), defaultValues: { email: "" } });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await requestPasswordResetAction(values);
      if (result.ok) {
        setSent(result.data?.message ?? "");
        return;
      }
      setFormError(result.message);
      const email = result.fields?.email?.[0];
      if (email) setError("email", { message: email });
    });
  });

  if (sent) return <FormBanner kind="ok">{sent}</FormBanner>;

  return (
    <form onSubmit={onSubmit} noValidate>
      {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
      <TextField
        id="email"
        label="E-mail address"
        type="email"
        autoComplete="email"
        hint="The address you sign in with. We will e-mail you a link to choose a new password."
        error={errors.email?.message}
        {...register("email")}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Sending…" : "Send me a reset link"}
      </button>
    </form>
  );
}
