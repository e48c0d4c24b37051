"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { NewPasswordFields } from "@/components/auth/new-password-fields";
import { FormBanner, TextField } from "@/components/ui/field";
import { acceptInvitationAction } from "@/lib/invitations/actions";
import { type TAcceptInvitation, ZAcceptInvitation } from "@/lib/invitations/schema";

const FIELDS = ["name", "password", "confirmPassword"] as const;

export function AcceptInvitationForm({ token, email }: { token: string; email: string }) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TAcceptInvitation>({
    resolver: zodResolver(ZAcceptInvitation),
    defaultValues: { name: "", password: "", confirmPassword: "" },
  });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await acceptInvitationAction(token, values);
      if (result && !result.ok) {
        setFormError(result.message);
        for (const [field, messages] of Object.entries(result.fields ?? {})) {
          if ((FIELDS as readonly string[]).includes(field)) {
            setError(field as (typeof FIELDS)[number], { message: messages[0] });
          }
        }
      }
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      {formError ? (
        <FormBanner kind="error" id="accept-error">
          {formError}
        </FormBanner>
      ) : null}
      {/* Lets password managers store the new credentials under the right account. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <TextField id="name" label="Full name" autoComplete="name" error={errors.name?.message} {...register("name")} />
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
