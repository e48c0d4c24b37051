"use client";

import { useActionState } from "react";
import { FormBanner, TextField } from "@/components/ui/field";
import { confirmDispenseAction, type FormState, reverseDispenseAction } from "@/lib/dispensing/actions";
import type { TDispenseStatus } from "@/lib/dispensing/schema";
import styles from "./dispensing.module.css";

type State = FormState<{ status: TDispenseStatus }>;

function fieldError(state: State, name: string): string | undefined {
  return state.result && !state.result.ok ? state.result.fields?.[name]?.[0] : undefined;
}

/** Records that the approved quantity left the pharmacy (which lot, when). */
export function ConfirmDispenseForm({
  authorizationId,
  quantity,
  unit,
  nowUtc,
}: {
  authorizationId: string;
  quantity: number;
  unit: string;
  /** "YYYY-MM-DDTHH:mm" in UTC: the latest time the field accepts. */
  nowUtc: string;
}) {
  const [state, formAction, pending] = useActionState(confirmDispenseAction, {
    values: { authorizationId, quantity: String(quantity), lotNumber: "", dispensedAt: "" },
    result: null,
  } satisfies State);
  const { values, result } = state;
  return (
    <form action={formAction} noValidate>
      {result && !result.ok ? <FormBanner kind="error">{result.message}</FormBanner> : null}
      <input type="hidden" name="authorizationId" value={authorizationId} />
      <TextField
        id="confirm-quantity"
        name="quantity"
        label={`Quantity dispensed (${unit}s)`}
        type="number"
        inputMode="numeric"
        min={1}
        step={1}
        defaultValue={values.quantity}
        error={fieldError(state, "quantity")}
      />
      <TextField
        id="confirm-lotNumber"
        name="lotNumber"
        label="Lot number"
        autoComplete="off"
        defaultValue={values.lotNumber}
        error={fieldError(state, "lotNumber")}
      />
      <TextField
        id="confirm-dispensedAt"
        name="dispensedAt"
        label="Time dispensed, in UTC (optional)"
        hint={`Leave empty to use the current time. Give it only when recording a dispense afterwards, in UTC: it is now ${nowUtc.replace("T", " ")} UTC.`}
        type="datetime-local"
        max={nowUtc}
        defaultValue={values.dispensedAt}
        error={fieldError(state, "dispensedAt")}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Confirming…" : "Confirm dispense"}
      </button>
    </form>
  );
}

/** Undoes a confirmed dispense (not picked up, claim reversed, returned to stock). */
export function ReverseDispenseForm({ authorizationId }: { authorizationId: string }) {
  const [state, formAction, pending] = useActionState(reverseDispenseAction, {
    values: { authorizationId, reason: "" },
    result: null,
  } satisfies State);
  const { values, result } = state;
  const error = fieldError(state, "reason");
  return (
    <form action={formAction} noValidate>
      {result && !result.ok ? <FormBanner kind="error">{result.message}</FormBanner> : null}
      <input type="hidden" name="authorizationId" value={authorizationId} />
      <div className="field">
        <label htmlFor="reverse-reason">Reason for the reversal</label>
        <span id="reverse-reason-hint" className="hint">
          For example: not picked up, claim reversed, returned to stock.
        </span>
        <textarea
          id="reverse-reason"
          name="reason"
          rows={3}
          defaultValue={values.reason}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "reverse-reason-hint reverse-reason-error" : "reverse-reason-hint"}
        />
        {error ? (
          <span id="reverse-reason-error" className="error">
            {error}
          </span>
        ) : null}
      </div>
      <button type="submit" className={`button ${styles.danger}`} disabled={pending}>
        {pending ? "Reversing…" : "Reverse dispense"}
      </button>
    </form>
  );
}
