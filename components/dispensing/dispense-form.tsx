"use client";

import Link from "next/link";
import { type KeyboardEvent, useActionState, useEffect, useRef } from "react";
import { formatDateTime } from "@/components/admin/format";
import { FormBanner, TextField } from "@/components/ui/field";
import { type DispenseFormState, requestDispenseAction } from "@/lib/dispensing/actions";
import type { TDispenseAnswer } from "@/lib/dispensing/schema";
import styles from "./dispensing.module.css";
import { authorizationPath, slipPath } from "./format";
import { ReasonGroups } from "./reasons";

export interface ProgramOption {
  code: string;
  name: string;
  drugName: string;
  ndc: string;
  unit: string;
}

function ApprovedResult({
  answer,
  drugName,
}: {
  answer: Extract<TDispenseAnswer, { decision: "APPROVED" }>;
  drugName: string;
}) {
  return (
    <>
      <p className={styles.decision} data-decision="APPROVED">
        Approved
      </p>
      <p className={styles.numberLabel}>Authorization number</p>
      <p className={styles.authorizationNumber} data-testid="authorization-number">
        {answer.authorizationNumber}
      </p>
      <p>
        Valid until <strong>{formatDateTime(answer.expiresAt)}</strong>. Write the number on the prescription and
        dispense {drugName} only to the healthcare setting named in the request.
      </p>
      {answer.enforcementDiscretion ? (
        <FormBanner kind="warn">
          <strong>Approved under enforcement discretion.</strong> The REMS administrator has relaxed the blocking
          requirements for now, so the problems below did not stop this authorization. They still have to be resolved:
          the administrator follows up on every authorization given this way.
        </FormBanner>
      ) : null}
      {answer.warnings.length ? (
        <>
          <h3>Warnings</h3>
          <ReasonGroups reasons={answer.warnings} headingLevel={4} testId="warnings" />
        </>
      ) : null}
      <p className={styles.links}>
        <a href={slipPath(answer.id)} className="button">
          Print / download slip (PDF)
        </a>
        <Link href={authorizationPath(answer.id)}>Open the authorization</Link>
      </p>
    </>
  );
}

function DeniedResult({ answer }: { answer: Extract<TDispenseAnswer, { decision: "DENIED" }> }) {
  return (
    <>
      <p className={`${styles.decision} ${styles.denied}`} data-decision="DENIED">
        Denied — do not dispense
      </p>
      <p>
        Fix what is listed below, then request a new authorization.{" "}
        <Link href={authorizationPath(answer.id)}>Open the denied request</Link>
      </p>
      <ReasonGroups reasons={answer.reasons} testId="reasons" />
      {answer.warnings.length ? (
        <>
          <h3>Also note</h3>
          <ReasonGroups reasons={answer.warnings} headingLevel={4} testId="warnings" />
        </>
      ) : null}
    </>
  );
}

/**
 * Moves to the next field on Enter, the way a barcode scanner ends what it types; Enter in the
 * last field submits. Without JavaScript, Enter submits as usual.
 */
function enterMovesOn(event: KeyboardEvent<HTMLFormElement>) {
  const target = event.target;
  if (event.key !== "Enter" || !(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) return;
  const fields = Array.from(event.currentTarget.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-scan]"));
  const index = fields.indexOf(target);
  const next = fields[index + 1];
  if (index === -1 || !next) return;
  event.preventDefault();
  next.focus();
  if (next instanceof HTMLInputElement) next.select();
}

/** "Request a dispense authorization": the pharmacist's side of the dispense gate. */
export function DispenseForm({
  programs,
  initialState,
}: {
  programs: ProgramOption[];
  initialState: DispenseFormState;
}) {
  const [state, formAction, pending] = useActionState(requestDispenseAction, initialState);
  const resultRef = useRef<HTMLHeadingElement>(null);
  const ndcRef = useRef<HTMLInputElement>(null);
  const { values, result } = state;
  const fields = result && !result.ok ? (result.fields ?? {}) : {};
  const error = (name: string) => fields[name]?.[0];
  const answer = result?.ok ? result.data?.answer : undefined;
  const program = programs.find((p) => p.code === values.programCode?.toUpperCase()) ?? programs[0];

  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);

  const onProgramChange = (code: string) => {
    const ndc = ndcRef.current;
    const program = programs.find((p) => p.code === code);
    // Keep an NDC the pharmacist typed; replace only another programme's default.
    if (ndc && program && (ndc.value === "" || programs.some((p) => p.ndc === ndc.value))) ndc.value = program.ndc;
  };

  return (
    <>
      {answer ? (
        <section
          className={`card ${answer.decision === "APPROVED" ? styles.approved : styles.deniedCard}`}
          aria-labelledby="dispense-result"
          data-testid="dispense-result"
        >
          <h2 id="dispense-result" ref={resultRef} tabIndex={-1}>
            Decision for prescription {values.prescriptionId}
          </h2>
          {result?.ok && result.data?.replayed ? (
            <p className="muted">This request was already answered; this is the same answer.</p>
          ) : null}
          {answer.decision === "APPROVED" ? (
            <ApprovedResult answer={answer} drugName={program?.drugName ?? "the drug"} />
          ) : (
            <DeniedResult answer={answer} />
          )}
        </section>
      ) : null}
      <form action={formAction} onKeyDown={enterMovesOn} className="card" noValidate>
        <h2>{answer ? "Request another authorization" : "Prescription details"}</h2>
        {result && !result.ok ? (
          <FormBanner kind="error" id="dispense-error">
            {result.message}
          </FormBanner>
        ) : null}
        <input type="hidden" name="idempotencyKey" value={state.idempotencyKey} />
        <div className="field">
          <label htmlFor="programCode">Programme</label>
          <select
            id="programCode"
            name="programCode"
            data-scan
            defaultValue={values.programCode}
            aria-invalid={error("programCode") ? true : undefined}
            aria-describedby={error("programCode") ? "programCode-error" : undefined}
            onChange={(e) => onProgramChange(e.target.value)}
          >
            {programs.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name}
              </option>
            ))}
          </select>
          {error("programCode") ? (
            <span id="programCode-error" className="error">
              {error("programCode")}
            </span>
          ) : null}
        </div>
        <div className={styles.fields}>
          <TextField
            id="prescriberNpi"
            name="prescriberNpi"
            label="Prescriber NPI"
            hint="10 digits, from the prescription"
            inputMode="numeric"
            autoComplete="off"
            autoFocus
            data-scan
            defaultValue={values.prescriberNpi}
            error={error("prescriberNpi")}
          />
          <TextField
            id="patientRemsId"
            name="patientRemsId"
            label="Patient REMS ID"
            autoComplete="off"
            data-scan
            defaultValue={values.patientRemsId}
            error={error("patientRemsId")}
          />
          <TextField
            id="healthcareSettingId"
            name="healthcareSettingId"
            label="Healthcare setting REMS ID or NPI"
            hint="Where the patient is infused"
            autoComplete="off"
            data-scan
            defaultValue={values.healthcareSettingId}
            error={error("healthcareSettingId")}
          />
          <TextField
            id="ndc"
            name="ndc"
            ref={ndcRef}
            label="NDC"
            hint="As printed on the carton"
            autoComplete="off"
            data-scan
            defaultValue={values.ndc}
            error={error("ndc")}
          />
          <TextField
            id="quantity"
            name="quantity"
            label="Quantity"
            hint={`Whole ${program?.unit ?? "unit"}s`}
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            data-scan
            defaultValue={values.quantity}
            error={error("quantity")}
          />
          <TextField
            id="prescriptionId"
            name="prescriptionId"
            label="Prescription number"
            autoComplete="off"
            data-scan
            defaultValue={values.prescriptionId}
            error={error("prescriptionId")}
          />
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Checking…" : "Request authorization"}
        </button>
      </form>
    </>
  );
}
