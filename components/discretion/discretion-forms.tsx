"use client";

import { useActionState } from "react";
import styles from "@/components/admin/admin.module.css";
import { TextAreaField } from "@/components/admin/text-area-field";
import { FormBanner, TextField } from "@/components/ui/field";
import { endDiscretionAction, recordFollowUpAction, startDiscretionAction } from "@/lib/dispensing/admin-actions";
import type { FormState } from "@/lib/dispensing/actions";
import local from "./discretion.module.css";

type State = FormState<undefined>;

function fieldError(state: State, name: string): string | undefined {
  return state.result && !state.result.ok ? state.result.fields?.[name]?.[0] : undefined;
}

/**
 * Switches one programme into enforcement discretion. The end time is typed and read in UTC, like
 * every time on the administration pages; `defaultEndsAt` and `minEndsAt` are datetime-local values.
 */
export function StartDiscretionForm(props: {
  programCode: string;
  programName: string;
  defaultEndsAt: string;
  minEndsAt: string;
}) {
  const { programCode, programName, defaultEndsAt, minEndsAt } = props;
  const [state, formAction, pending] = useActionState(startDiscretionAction, {
    values: { programCode, reason: "", endsAt: defaultEndsAt },
    result: null,
  } satisfies State);
  const id = `start-${programCode.toLowerCase()}`;
  const programError = fieldError(state, "programCode");
  return (
    <form
      action={formAction}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid={`start-discretion-${programCode}`}
    >
      <h4 id={`${id}-title`}>Switch the {programName} into enforcement discretion</h4>
      <FormBanner kind="warn" id={`${id}-warning`}>
        <strong>What this does:</strong> until the end time, requirements that would deny a dispense under the{" "}
        {programName} (an uncertified pharmacy, prescriber or healthcare setting, a patient not enrolled or not
        authorized, missing or stale baseline results, overdue monitoring) become <strong>warnings</strong>, and the
        dispense is approved. Unknown products, duplicate requests, a course sooner than the interval allows and more
        units than the course holds are still refused. Every pharmacist sees a banner while it is in effect, and every
        authorization given with relaxed requirements is listed below for your follow-up.
      </FormBanner>
      {state.result && !state.result.ok ? (
        <FormBanner kind="error" id={`${id}-error`}>
          {state.result.message}
          {programError ? ` ${programError}` : ""}
        </FormBanner>
      ) : null}
      <input type="hidden" name="programCode" value={programCode} />
      <TextAreaField
        id={`${id}-reason`}
        name="reason"
        label="Reason"
        hint="Why requirements cannot be met for now (e.g. the FDA-announced grace period or the outage), at least 10 characters. Pharmacists see it."
        maxLength={1000}
        defaultValue={state.values.reason}
        error={fieldError(state, "reason")}
      />
      <TextField
        id={`${id}-ends-at`}
        name="endsAt"
        type="datetime-local"
        label="Ends at (UTC)"
        hint="Type the time in UTC, not your local time. At most 90 days from now; you can end it earlier."
        min={minEndsAt}
        defaultValue={state.values.endsAt}
        error={fieldError(state, "endsAt")}
      />
      <button type="submit" className={`button ${styles.danger}`} disabled={pending}>
        {pending ? "Switching…" : "Start enforcement discretion"}
      </button>
    </form>
  );
}

/** Ends the programme's active period now, with the reason recorded in the audit trail. */
export function EndDiscretionForm({ discretionId, programName }: { discretionId: string; programName: string }) {
  const [state, formAction, pending] = useActionState(endDiscretionAction, {
    values: { discretionId, reason: "" },
    result: null,
  } satisfies State);
  const id = `end-${discretionId}`;
  return (
    <form action={formAction} noValidate aria-labelledby={`${id}-title`} data-testid="end-discretion">
      <h4 id={`${id}-title`}>End early</h4>
      <p className="muted">Every requirement of the {programName} is enforced again from the moment you end it.</p>
      {state.result && !state.result.ok ? (
        <FormBanner kind="error" id={`${id}-error`}>
          {state.result.message}
        </FormBanner>
      ) : null}
      <input type="hidden" name="discretionId" value={discretionId} />
      <TextAreaField
        id={`${id}-reason`}
        name="reason"
        label="Why it ends early"
        maxLength={1000}
        defaultValue={state.values.reason}
        error={fieldError(state, "reason")}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Ending…" : "End enforcement discretion now"}
      </button>
    </form>
  );
}

/** Records what was done about one authorization given under enforcement discretion. */
export function FollowUpForm({ authorizationId, label }: { authorizationId: string; label: string }) {
  const [state, formAction, pending] = useActionState(recordFollowUpAction, {
    values: { authorizationId, note: "" },
    result: null,
  } satisfies State);
  const id = `follow-up-${authorizationId}`;
  return (
    <details open={Boolean(state.result && !state.result.ok)}>
      <summary>
        Record follow-up<span className={local.srOnly}> for {label}</span>
      </summary>
      <form action={formAction} noValidate>
        {state.result && !state.result.ok ? (
          <FormBanner kind="error" id={`${id}-error`}>
            {state.result.message}
          </FormBanner>
        ) : null}
        <input type="hidden" name="authorizationId" value={authorizationId} />
        <TextAreaField
          id={`${id}-note`}
          name="note"
          label={`Follow-up note for ${label}`}
          maxLength={2000}
          defaultValue={state.values.note}
          error={fieldError(state, "note")}
        />
        <button type="submit" className="button secondary" disabled={pending}>
          {pending ? "Saving…" : "Save follow-up"}
        </button>
      </form>
    </details>
  );
}
