"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import styles from "@/components/admin/admin.module.css";
import { TextAreaField } from "@/components/admin/text-area-field";
import { FormBanner, TextField } from "@/components/ui/field";
import { takeStepAction } from "@/lib/noncompliance/actions";
import type { CaseStep } from "@/lib/noncompliance/rules";
import { MAX_REASON_LENGTH, type TTakeStep, ZTakeStep } from "@/lib/noncompliance/schema";

const HELP: Record<CaseStep, { help: string; reason: string; danger?: boolean }> = {
  NOTICE: { help: "Tells the stakeholder by e-mail what was found.", reason: "What the notice says" },
  CORRECTIVE_ACTION: {
    help: "Asks the stakeholder to carry out a plan by the due date; past it, the case shows as overdue.",
    reason: "The corrective action plan",
  },
  SUSPEND: {
    help: "Suspends the certification: open dispense authorizations that depend on it are revoked.",
    reason: "Reason for suspension",
    danger: true,
  },
  DECERTIFY: {
    help: "Withdraws the certification for good; the stakeholder must enroll again.",
    reason: "Reason for decertification",
    danger: true,
  },
  REINSTATE: {
    help: "Certifies the stakeholder again under the same certification number.",
    reason: "Reason for reinstatement",
  },
  CLOSE: { help: "Ends the case. The stakeholder is told it is closed.", reason: "Outcome and reason for closing" },
};

/** One step an administrator may take on the case; it posts the version the page was rendered with. */
export function StepForm(props: {
  caseId: string;
  caseRef: string;
  version: number;
  step: CaseStep;
  label: string;
  suggestedDueOn?: string;
}) {
  const { caseId, caseRef, version, step, label, suggestedDueOn } = props;
  const copy = HELP[step];
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<{ message: string; stale: boolean } | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TTakeStep>({
    resolver: zodResolver(ZTakeStep),
    defaultValues: { caseId, version, step, reason: "", dueOn: suggestedDueOn ?? "" },
  });
  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await takeStepAction({ ...values, caseId, version, step });
      if (result && !result.ok) {
        for (const field of ["reason", "dueOn"] as const) {
          const message = result.fields?.[field]?.[0];
          if (message) setError(field, { message });
        }
        setFormError({ message: result.message, stale: result.code === "CONFLICT" });
      }
    });
  });
  const id = `step-${step.toLowerCase().replace("_", "-")}`;
  return (
    <form
      onSubmit={onSubmit}
      noValidate
      className="card"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-help`}
      data-step={step}
    >
      <h3 id={`${id}-title`}>{label}</h3>
      <p id={`${id}-help`} className="muted">
        {copy.help}
      </p>
      {formError ? (
        <FormBanner kind="error" id={`${id}-error`}>
          {formError.message}{" "}
          {formError.stale ? <a href={`/admin/non-compliance/${caseRef}`}>Reload the case</a> : null}
        </FormBanner>
      ) : null}
      <input type="hidden" {...register("caseId")} />
      <input type="hidden" {...register("version")} />
      <input type="hidden" {...register("step")} />
      <TextAreaField
        id={`${id}-reason`}
        label={copy.reason}
        limit={MAX_REASON_LENGTH}
        error={errors.reason?.message}
        {...register("reason")}
      />
      {step === "CORRECTIVE_ACTION" ? (
        <TextField id={`${id}-due`} label="Due date" type="date" error={errors.dueOn?.message} {...register("dueOn")} />
      ) : null}
      <button type="submit" className={copy.danger ? `button ${styles.danger}` : "button"} disabled={pending}>
        {pending ? "Saving…" : label}
      </button>
    </form>
  );
}
