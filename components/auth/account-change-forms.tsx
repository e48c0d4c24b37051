"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useState, useTransition } from "react";
import { type FieldValues, type Path, type UseFormSetError, useForm } from "react-hook-form";
import { NewPasswordFields } from "@/components/auth/new-password-fields";
import { StepUpCodeField } from "@/components/auth/signer-factor";
import { FormBanner, TextField } from "@/components/ui/field";
import { changePasswordAction, confirmEmailChangeAction, requestEmailChangeAction } from "@/lib/auth/actions";
import { type TChangeEmail, type TChangePassword, ZChangeEmail, ZChangePassword } from "@/lib/auth/schema";
import type { ActionResult } from "@/lib/http/action-result";

/** Puts the server's field errors on the form's fields; the rest shows in the banner. */
function showFieldErrors<T extends FieldValues>(
  result: Extract<ActionResult<unknown>, { ok: false }>,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
) {
  for (const field of fields) {
    const message = result.fields?.[field]?.[0];
    if (message) setError(field, { message });
  }
}

type Banner = { kind: "ok" | "error"; text: string } | null;

/**
 * Submits one of the account forms: a pending state, the outcome in a banner, the server's field
 * errors on the fields, and the form cleared after a success.
 */
function useAccountSubmit<T extends FieldValues, R>(
  action: (values: T) => Promise<ActionResult<R>>,
  fields: readonly Path<T>[],
  form: { setError: UseFormSetError<T>; reset: () => void },
  success: (data: R | undefined) => string,
) {
  const [pending, startTransition] = useTransition();
  const [banner, setBanner] = useState<Banner>(null);
  const submit = (values: T) => {
    setBanner(null);
    startTransition(async () => {
      const result = await action(values);
      if (result.ok) {
        form.reset();
        setBanner({ kind: "ok", text: success(result.data) });
        return;
      }
      setBanner({ kind: "error", text: result.message });
      showFieldErrors(result, fields, form.setError);
    });
  };
  return { pending, banner, submit };
}

const PASSWORD_FIELDS = ["currentPassword", "code", "password", "confirmPassword"] as const;

/** A new password: the current one (and a code when a factor is enrolled) first. */
export function ChangePasswordForm({ mfaEnrolled }: { mfaEnrolled: boolean }) {
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<TChangePassword>({
    resolver: zodResolver(ZChangePassword),
    defaultValues: { currentPassword: "", code: "", password: "", confirmPassword: "" },
  });

  const { pending, banner, submit } = useAccountSubmit(
    changePasswordAction,
    PASSWORD_FIELDS,
    { setError, reset: () => reset() },
    (data) => {
      const ended = data?.sessionsEnded ?? 0;
      return `Your password has been changed.${ended > 0 ? ` ${ended} other session${ended === 1 ? " was" : "s were"} signed out.` : ""} We sent you an e-mail about it.`;
    },
  );
  const onSubmit = handleSubmit(submit);

  return (
    <form onSubmit={onSubmit} noValidate>
      {banner ? <FormBanner kind={banner.kind}>{banner.text}</FormBanner> : null}
      <TextField
        id="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
        error={errors.currentPassword?.message}
        {...register("currentPassword")}
      />
      {mfaEnrolled ? <StepUpCodeField id="password-code" error={errors.code?.message} {...register("code")} /> : null}
      <NewPasswordFields
        label="New password"
        password={register("password")}
        confirm={register("confirmPassword")}
        errors={{ password: errors.password?.message, confirmPassword: errors.confirmPassword?.message }}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}

const EMAIL_FIELDS = ["email", "password", "code"] as const;

/** A new sign-in address: confirmed from a link mailed to it. */
export function ChangeEmailForm({ mfaEnrolled }: { mfaEnrolled: boolean }) {
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<TChangeEmail>({
    resolver: zodResolver(ZChangeEmail),
    defaultValues: { email: "", password: "", code: "" },
  });

  const { pending, banner, submit } = useAccountSubmit(
    requestEmailChangeAction,
    EMAIL_FIELDS,
    { setError, reset: () => reset() },
    (data) => data?.message ?? "Check the new address's inbox.",
  );
  const onSubmit = handleSubmit(submit);

  return (
    <form onSubmit={onSubmit} noValidate>
      {banner ? <FormBanner kind={banner.kind}>{banner.text}</FormBanner> : null}
      <TextField
        id="newEmail"
        label="New e-mail address"
        type="email"
        autoComplete="email"
        error={errors.email?.message}
        {...register("email")}
      />
      <TextField
        id="email-password"
        label="Your password"
        type="password"
        autoComplete="current-password"
        error={errors.password?.message}
        {...register("password")}
      />
      {mfaEnrolled ? <StepUpCodeField id="email-code" error={errors.code?.message} {...register("code")} /> : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Sending…" : "Send a confirmation link"}
      </button>
    </form>
  );
}

/** The button behind the link mailed to a new address. */
export function ConfirmEmailChange({ token }: { token: string }) {
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<{ ok: true; email: string } | { ok: false; message: string } | null>(null);
  if (result?.ok) {
    return (
      <FormBanner kind="ok">
        Your sign-in address is now {result.email}. <Link href="/sign-in">Sign in</Link> with it.
      </FormBanner>
    );
  }
  return (
    <div>
      {result ? <FormBanner kind="error">{result.message}</FormBanner> : null}
      <button
        type="button"
        className="button"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const outcome = await confirmEmailChangeAction(token);
            setResult(
              outcome.ok ? { ok: true, email: outcome.data?.email ?? "" } : { ok: false, message: outcome.message },
            );
          })
        }
      >
        {pending ? "Confirming…" : "Use this address"}
      </button>
    </div>
  );
}
