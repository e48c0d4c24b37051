"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { FormBanner, TextField } from "@/components/ui/field";
import { setPatientStatusAction, transferPatientAction } from "@/lib/patients/actions";
import {
  DISENROLL_REASON_LABELS,
  DISENROLL_REASONS,
  PATIENT_STATUS_LABELS,
  SETTABLE_STATUSES,
  type SettableStatus,
} from "@/lib/patients/rules";
import type { FieldErrors } from "@/lib/errors";
import styles from "./patients.module.css";

function ErrorText({ id, messages }: { id: string; messages: string[] | undefined }) {
  return messages?.[0] ? (
    <span id={id} className="error">
      {messages[0]}
    </span>
  ) : null;
}

/** The prescriber changes the patient's status, with the reason that goes into the history. */
export function StatusActions({ patientId, current }: { patientId: string; current: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const choices = SETTABLE_STATUSES.filter((s) => s !== current && (current !== "DRAFT" || s === "DISENROLLED"));
  const [status, setStatus] = useState<SettableStatus | "">("");
  const [reasonCode, setReasonCode] = useState("");
  const [reason, setReason] = useState("");
  const [fields, setFields] = useState<FieldErrors>({});
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!status) {
      setFields({ status: ["Choose the new status"] });
      return;
    }
    startTransition(async () => {
      const result = await setPatientStatusAction({
        patientId,
        status,
        reasonCode:
          status === "DISENROLLED" && reasonCode ? (reasonCode as (typeof DISENROLL_REASONS)[number]) : undefined,
        reason,
      });
      if (!result.ok) {
        setFields(result.fields ?? {});
        setMessage({ kind: "error", text: result.message });
        return;
      }
      setFields({});
      setReason("");
      setStatus("");
      setMessage({ kind: "ok", text: `Status changed to ${PATIENT_STATUS_LABELS[status].toLowerCase()}.` });
      router.refresh();
    });
  };

  if (choices.length === 0) return null;
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Change status">
      {message ? <FormBanner kind={message.kind}>{message.text}</FormBanner> : null}
      <div className="field">
        <label htmlFor="new-status">New status</label>
        <select
          id="new-status"
          value={status}
          onChange={(e) => setStatus(e.target.value as SettableStatus | "")}
          aria-invalid={fields.status ? true : undefined}
          aria-describedby={fields.status ? "new-status-error" : undefined}
        >
          <option value="">Choose…</option>
          {choices.map((s) => (
            <option key={s} value={s}>
              {PATIENT_STATUS_LABELS[s]}
            </option>
          ))}
        </select>
        <ErrorText id="new-status-error" messages={fields.status} />
      </div>
      {status === "DISENROLLED" ? (
        <div className="field">
          <label htmlFor="reason-code">Why is the patient disenrolled?</label>
          <select
            id="reason-code"
            value={reasonCode}
            onChange={(e) => setReasonCode(e.target.value)}
            aria-invalid={fields.reasonCode ? true : undefined}
            aria-describedby={fields.reasonCode ? "reason-code-error" : undefined}
          >
            <option value="">Choose…</option>
            {DISENROLL_REASONS.map((r) => (
              <option key={r} value={r}>
                {DISENROLL_REASON_LABELS[r]}
              </option>
            ))}
          </select>
          <ErrorText id="reason-code-error" messages={fields.reasonCode} />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="status-reason">Reason{status === "NOT_AUTHORIZED" ? "" : " (optional unless Other)"}</label>
        <textarea
          id="status-reason"
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={fields.reason ? true : undefined}
          aria-describedby={fields.reason ? "status-reason-error" : undefined}
        />
        <ErrorText id="status-reason-error" messages={fields.reason} />
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Change status"}
      </button>
    </form>
  );
}

/** The prescriber hands the patient over to another certified prescriber, found by NPI. */
export function TransferForm({ patientId }: { patientId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [npi, setNpi] = useState("");
  const [reason, setReason] = useState("");
  const [fields, setFields] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    startTransition(async () => {
      const result = await transferPatientAction({ patientId, toPrescriberNpi: npi, reason });
      if (!result.ok) {
        setFields(result.fields ?? {});
        setError(result.message);
        return;
      }
      router.push("/prescriber/patients?transferred=1");
      router.refresh();
    });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Transfer to another prescriber">
      {error ? <FormBanner kind="error">{error}</FormBanner> : null}
      <TextField
        id="transfer-npi"
        label="New prescriber's NPI"
        inputMode="numeric"
        value={npi}
        onChange={(e) => setNpi(e.target.value)}
        hint="The new prescriber must be certified in the programme. You will no longer see this patient."
        error={fields.toPrescriberNpi?.[0]}
      />
      <div className="field">
        <label htmlFor="transfer-reason">Reason for the transfer</label>
        <textarea
          id="transfer-reason"
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={fields.reason ? true : undefined}
          aria-describedby={fields.reason ? "transfer-reason-error" : undefined}
        />
        <ErrorText id="transfer-reason-error" messages={fields.reason} />
      </div>
      <div className={styles.actions}>
        <button type="submit" className="button secondary" disabled={pending}>
          {pending ? "Transferring…" : "Transfer patient"}
        </button>
      </div>
    </form>
  );
}
