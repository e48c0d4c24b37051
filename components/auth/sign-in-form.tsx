"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useRef, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { FormBanner, TextField } from "@/components/ui/field";
import { signInAction } from "@/lib/auth/actions";
import { type TSignIn, ZSignIn } from "@/lib/auth/schema";

/** The sign-in action's answer when the password was right and the account's second factor is needed. */
const MFA_CODE_REQUIRED = "MFA_CODE_REQUIRED";

export function SignInForm({ next }: { next?: string }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  // Shown once the server says this account has a second factor; kept for retries.
  const [askCode, setAskCode] = useState(false);
  const codeRef = useRef<HTMLInputElement | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TSignIn>({ resolver: zodResolver(ZSignIn), defaultValues: { email: "", password: "", code: "" } });
  const codeField = register("code");

  useEffect(() => {
    if (askCode) codeRef.current?.focus();
  }, [askCode]);

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await signInAction({ ...values, code: askCode ? values.code : undefined, next });
      if (result && !result.ok) {
        if (result.code === MFA_CODE_REQUIRED) {
          setAskCode(true);
          return;
        }
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
      {askCode ? (
        <>
          <FormBanner kind="warn" id="sign-in-code-prompt">
            Two-step sign-in is on for this account. Enter the 6-digit code from your authenticator app, or one of your
            recovery codes if you no longer have the app.
          </FormBanner>
          <TextField
            id="code"
            label="Authentication code"
            inputMode="text"
            autoComplete="one-time-code"
            spellCheck={false}
            error={errors.code?.message}
            {...codeField}
            ref={(element) => {
              codeField.ref(element);
              codeRef.current = element;
            }}
          />
        </>
      ) : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
