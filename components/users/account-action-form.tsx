"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import styles from "@/components/admin/admin.module.css";
import { TextAreaField } from "@/components/admin/text-area-field";
import { FormBanner } from "@/components/ui/field";
import { manageUserAction, type UserActionKind } from "@/lib/users/actions";
import { MAX_REASON_LENGTH, type TEndSessions, ZEndSessions } from "@/lib/users/schema";

/** One administrator action on an account, with the reason the person will read in their e-mail. */
export function AccountActionForm(props: {
  kind: UserActionKind;
  userId: string;
  sessionId?: string;
  title: string;
  help: string;
  button: string;
  danger?: boolean;
}) {
  const { kind, userId, sessionId, title, help, button, danger } = props;
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TEndSessions>({
    resolver: zodResolver(ZEndSessions),
    defaultValues: { userId, sessionId, reason: "" },
  });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await manageUserAction(kind, sessionId ? values : { userId, reason: values.reason });
      if (result && !result.ok) {
        const reasonError = result.fields?.reason?.[0];
        if (reasonError) setError("reason", { message: reasonError });
        setFormError(result.message);
      }
    });
  });

  const id = `${kind}${sessionId ? `-${sessionId.slice(0, 8)}` : ""}`;
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`} className="card" data-action={kind}>
      <h3 id={`${id}-title`}>{title}</h3>
      <p className="muted">{help}</p>
      {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
      <TextAreaField
        id={`${id}-reason`}
        label="Reason (sent to the person and kept in the audit trail)"
        limit={MAX_REASON_LENGTH}
        error={errors.reason?.message}
        {...register("reason")}
      />
      <button type="submit" className={danger ? `button ${styles.danger}` : "button"} disabled={pending}>
        {pending ? "Saving…" : button}
      </button>
    </form>
  );
}
