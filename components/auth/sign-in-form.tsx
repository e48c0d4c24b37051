"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { FormBanner, TextField } from "@/components/ui/field";
import { signInAction } from "@/lib/auth/actions";
import { type TSignIn, ZSignIn } from "@/lib/auth/schema";

export function SignInForm({ next }: { next?: string }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TSignIn>({ resolver: zodResolver(ZSignIn), defaultValues: { email: "", password: "" } });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await signInAction({ ...values, next });
      if (result && !result.ok) {
        setFormError(result.message);
        for (const [field, messages] of Object.entries(result.fields ?? {})) {
          if (field === "email" || field === "password") setError(field, { message: messages[0] });
        }
      }
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby={formError ? "sign-in-error" : undefined}>
      {formError ? (
        <FormBanner kind="error" id="sign-in-error">
          {formError}
        </FormBanner>
      ) : null}
      <TextField
        id="email"
        label="E-mail address"
        type="email"
        autoComplete="username"
        error={errors.email?.message}
        {...register("email")}
      />
      <TextField
        id="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...register("password")}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
