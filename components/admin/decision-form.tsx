"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { FormBanner } from "@/components/ui/field";
import { decideApplicationAction } from "@/lib/certification/actions";
import {
  type AdminEvent,
  MAX_REASON_LENGTH,
  REASON_PROMPTS,
  type TDecision,
  type TDecisionParsed,
  ZDecision,
} from "@/lib/certification/schema";
import styles from "./admin.module.css";
import { TextAreaField } from "./text-area-field";

const COPY: Record<AdminEvent, { title: string; button: string; help: string; danger?: boolean }> = {
  APPROVE: {
    title: "Approve",
    button: "Approve and certify",
    help: "Certifies the stakeholder and issues a certification number. The applicant is told by e-mail.",
  },
  REJECT: {
    title: "Reject",
    button: "Reject application",
    help: "Ends this application. The applicant sees the reason and may start again.",
    danger: true,
  },
  REQUEST_CHANGES: {
    title: "Request changes",
    button: "Request changes",
    help: "Returns the application to the applicant, who sees what to change and submits it again.",
  },
  SUSPEND: {
    title: "Suspend",
    button: "Suspend certification",
    help: "The stakeholder may not act under the programme until reinstated.",
    danger: true,
  },
  REINSTATE: {
    title: "Reinstate",
    button: "Reinstate certification",
    help: "The stakeholder is certified again under the same certification number.",
  },
  DECERTIFY: {
    title: "Decertify",
    button: "Decertify",
    help: "Withdraws the certification for good; the stakeholder must enroll again.",
    danger: true,
  },
};

/** One administrator action on an application; it posts the version the page was rendered with. */
export function DecisionForm(props: { enrollmentId: string; version: number; event: AdminEvent; returnTo: string }) {
  const { enrollmentId, version, event, returnTo } = props;
  const copy = COPY[event];
  const prompt = REASON_PROMPTS[event];
  const withReason = event !== "APPROVE";
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<{ message: string; stale: boolean } | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TDecision, unknown, TDecisionParsed>({
    resolver: zodResolver(ZDecision),
    defaultValues: { enrollmentId, version, event, reason: "" },
  });

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await decideApplicationAction(
        { enrollmentId, version, event, reason: values.reason ?? "" },
        returnTo,
      );
      if (result && !result.ok) {
        const reasonError = result.fields?.reason?.[0];
        if (reasonError) setError("reason", { message: reasonError });
        setFormError({ message: result.message, stale: result.code === "CONFLICT" });
      }
    });
  });

  const id = `decision-${event.toLowerCase().replace("_", "-")}`;
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-help`}
      className="card"
      data-event={event}
    >
      <h3 id={`${id}-title`}>{copy.title}</h3>
      <p id={`${id}-help`} className="muted">
        {copy.help}
      </p>
      {formError ? (
        <FormBanner kind="error" id={`${id}-error`}>
          {formError.message}{" "}
          {formError.stale ? (
            <a href={returnTo} className="reload">
              Reload the application
            </a>
          ) : null}
        </FormBanner>
      ) : null}
      <input type="hidden" {...register("enrollmentId")} />
      <input type="hidden" {...register("version")} />
      <input type="hidden" {...register("event")} />
      {withReason ? (
        <TextAreaField
          id={`${id}-reason`}
          label={prompt.label}
          limit={MAX_REASON_LENGTH}
          error={errors.reason?.message}
          {...register("reason")}
        />
      ) : null}
      <button type="submit" className={copy.danger ? `button ${styles.danger}` : "button"} disabled={pending}>
        {pending ? "Saving…" : copy.button}
      </button>
    </form>
  );
}
