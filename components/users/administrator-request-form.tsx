"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { TextAreaField } from "@/components/admin/text-area-field";
import { FormBanner, TextField } from "@/components/ui/field";
import { requestAdministratorAction } from "@/lib/users/actions";
import { MAX_REASON_LENGTH, type TAdministratorRequest, ZAdministratorRequest } from "@/lib/users/schema";

type Field = keyof TAdministratorRequest;

/** Asks for a new administrator; another administrator approves it before any account exists. */
export function AdministratorRequestForm() {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TAdministratorRequest>({
    resolver: zodResolver(ZAdministratorRequest),
    defaultValues: { name: "", email: "", reason: "" },
  });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await requestAdministratorAction(values);
      if (result && !result.ok) {
        for (const [field, messages] of Object.entries(result.fields ?? {})) {
          if (messages[0] && ["name", "email", "reason"].includes(field)) {
            setError(field as Field, { message: messages[0] });
          }
        }
        setFormError(result.message);
      }
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="request-admin-title" className="card">
      <h2 id="request-admin-title">Ask for a new administrator</h2>
      <p className="muted">
        Another administrator must approve the request within 7 days. Only then is the person e-mailed a link to choose
        a password and create their account.
      </p>
      {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
      <TextField
        id="admin-name"
        label="Full name"
        autoComplete="off"
        error={errors.name?.message}
        {...register("name")}
      />
      <TextField
        id="admin-email"
        label="E-mail address"
        type="email"
        autoComplete="off"
        error={errors.email?.message}
        {...register("email")}
      />
      <TextAreaField
        id="admin-reason"
        label="Why this person needs administrator access"
        limit={MAX_REASON_LENGTH}
        error={errors.reason?.message}
        {...register("reason")}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Sending…" : "Ask for approval"}
      </button>
    </form>
  );
}
