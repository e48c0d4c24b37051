"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { NewPasswordFields } from "@/components/auth/new-password-fields";
import { FormBanner, TextField } from "@/components/ui/field";
import { signUpAction } from "@/lib/auth/actions";
import { ENROLLING_AS_LABELS, SELF_SERVICE_ROLES, type TSignUp, type TSignUpParsed, ZSignUp } from "@/lib/auth/schema";

const FIELDS = ["name", "email", "password", "confirmPassword", "enrollingAs"] as const;

export function SignUpForm() {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TSignUp, unknown, TSignUpParsed>({
    resolver: zodResolver(ZSignUp),
    defaultValues: { name: "", email: "", password: "", confirmPassword: "", enrollingAs: undefined },
  });

  const onSubmit = handleSubmit((_parsed, event) => {
    setFormError(null);
    // Send what the person typed; the server parses it again with the same schema.
    const form = new FormData(event?.target as HTMLFormElement);
    const values = Object.fromEntries(FIELDS.map((f) => [f, String(form.get(f) ?? "")])) as TSignUp;
    startTransition(async () => {
      const result = await signUpAction(values);
      if (result.ok) {
        setSent(result.data?.message ?? "Check your e-mail to continue.");
        return;
      }
      setFormError(result.message);
      for (const [field, messages] of Object.entries(result.fields ?? {})) {
        if ((FIELDS as readonly string[]).includes(field)) {
          setError(field as (typeof FIELDS)[number], { message: messages[0] });
        }
      }
    });
  });

  if (sent) {
    return (
      <div role="status">
        <h2>Check your e-mail to continue</h2>
        <p>{sent}</p>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
      <fieldset className="field" aria-describedby={errors.enrollingAs ? "enrollingAs-error" : undefined}>
        <legend>I am enrolling as</legend>
        {SELF_SERVICE_ROLES.map((role) => (
          <label key={role} className="radio">
            <input type="radio" value={role} {...register("enrollingAs")} /> {ENROLLING_AS_LABELS[role]}
          </label>
        ))}
        <span className="hint">
          Patients are enrolled by their prescriber; office staff are invited by the prescriber they work for.
        </span>
        {errors.enrollingAs ? (
          <span id="enrollingAs-error" className="error">
            {errors.enrollingAs.message}
          </span>
        ) : null}
      </fieldset>
      <TextField id="name" label="Full name" autoComplete="name" error={errors.name?.message} {...register("name")} />
      <TextField
        id="email"
        label="E-mail address"
        type="email"
        autoComplete="email"
        error={errors.email?.message}
        {...register("email")}
      />
      <NewPasswordFields
        password={register("password")}
        confirm={register("confirmPassword")}
        errors={{ password: errors.password?.message, confirmPassword: errors.confirmPassword?.message }}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
