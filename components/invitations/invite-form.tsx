"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { FormBanner, TextField } from "@/components/ui/field";
import { createInvitationAction } from "@/lib/invitations/actions";
import { type InvitableRole, type TCreateInvitation, ZCreateInvitation } from "@/lib/invitations/schema";
import { formatDateTime } from "@/lib/format";

type Sent = { email: string; link: string; expiresAt: string };

export function InviteForm({ role, submitLabel }: { role: InvitableRole; submitLabel: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const [copied, setCopied] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<TCreateInvitation>({ resolver: zodResolver(ZCreateInvitation), defaultValues: { email: "", role } });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    setSent(null);
    setCopied(false);
    startTransition(async () => {
      const result = await createInvitationAction({ email: values.email, role });
      if (!result.ok) {
        setFormError(result.message);
        const emailError = result.fields?.email?.[0];
        if (emailError) setError("email", { message: emailError });
        return;
      }
      if (result.data) setSent(result.data);
      reset({ email: "", role });
      router.refresh();
    });
  });

  const copy = async () => {
    if (!sent) return;
    try {
      await navigator.clipboard.writeText(sent.link);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <>
      {sent ? (
        <div className="banner ok" role="status">
          <p>
            Invitation sent to <strong>{sent.email}</strong>. The link works once and expires on{" "}
            {formatDateTime(sent.expiresAt)}.
          </p>
          <div className="field">
            <label htmlFor="invitation-link">Invitation link</label>
            <span id="invitation-link-hint" className="hint">
              If the e-mail does not arrive, give this link to the person yourself. It is shown only now.
            </span>
            <input
              id="invitation-link"
              readOnly
              value={sent.link}
              aria-describedby="invitation-link-hint"
              onFocus={(e) => e.currentTarget.select()}
            />
          </div>
          <button type="button" className="button secondary" onClick={copy}>
            {copied ? "Link copied" : "Copy link"}
          </button>
        </div>
      ) : null}
      <form onSubmit={onSubmit} noValidate>
        {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
        <input type="hidden" {...register("role")} />
        <TextField
          id="invite-email"
          label="E-mail address"
          type="email"
          autoComplete="off"
          hint="We e-mail this person a link to create their account."
          error={errors.email?.message}
          {...register("email")}
        />
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Sending…" : submitLabel}
        </button>
      </form>
    </>
  );
}
