"use client";

import Link from "next/link";
import {
  type FormEvent,
  type KeyboardEvent,
  startTransition,
  useActionState,
  useEffect,
  useRef,
  useState,
} from "react";
import { useForm } from "react-hook-form";
import { formatDateTime } from "@/lib/format";
import { FormBanner, TextField } from "@/components/ui/field";
import { useLazyResolver } from "@/components/ui/lazy-resolver";
import { type DispenseFormState, requestDispenseAction } from "@/lib/dispensing/actions";
import type { TDispenseAnswer, TDispenseRequestFormInput } from "@/lib/dispensing/schema";
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
      {answer.duplicateOfId ? (
        <p>
          <Link href={authorizationPath(answer.duplicateOfId)} data-testid="duplicate-of">
            Open authorization {answer.duplicateOfNumber ?? "approved earlier"}
          </Link>
        </p>
      ) : null}
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

type FieldName = keyof TDispenseRequestFormInput;
const FIELD_NAMES: FieldName[] = [
  "programCode",
  "prescriberNpi",
  "patientRemsId",
  "healthcareSettingId",
  "ndc",
  "quantity",
  "prescriptionId",
];

/**
 * "Request a dispense authorization": the pharmacist's side of the dispense gate. With JavaScript,
 * each field is checked against the shared schema when the pharmacist leaves it (and again as they
 * correct it), so a mistyped id is caught before anything is sent; the server checks the same
 * schema again, and without JavaScript its field errors come back with the page.
 */
export function DispenseForm({
  programs,
  initialState,
}: {
  programs: ProgramOption[];
  initialState: DispenseFormState;
}) {
  const [state, formAction, pending] = useActionState(requestDispenseAction, initialState);
  const resolver = useLazyResolver(async () => {
    const [{ zodResolver }, { ZDispenseRequestForm }] = await Promise.all([
      import("@hookform/resolvers/zod"),
      import("@/lib/dispensing/schema"),
    ]);
    return zodResolver(ZDispenseRequestForm);
  });
  const resultRef = useRef<HTMLHeadingElement>(null);
  const { values, result } = state;
  const serverFields = result && !result.ok ? (result.fields ?? {}) : {};
  const answer = result?.ok ? result.data?.answer : undefined;
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    getValues,
    watch,
    formState: { errors },
  } = useForm({
    resolver,
    mode: "onTouched",
    defaultValues: Object.fromEntries(
      FIELD_NAMES.map((name) => [name, values[name] ?? ""]),
    ) as TDispenseRequestFormInput,
  });
  // Until hydration, the server's field errors are all there is (and all there is without JavaScript).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    for (const name of FIELD_NAMES) {
      const message = serverFields[name]?.[0];
      if (message) setError(name, { message });
    }
  }, [serverFields, setError]);
  const error = (name: FieldName) => errors[name]?.message ?? (hydrated ? undefined : serverFields[name]?.[0]);
  const programCode = watch("programCode") ?? values.programCode;
  const program = programs.find((p) => p.code === programCode?.toUpperCase()) ?? programs[0];

  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);

  const onProgramChange = (code: string) => {
    const ndc = getValues("ndc");
    const program = programs.find((p) => p.code === code);
    // Keep an NDC the pharmacist typed; replace only another programme's default.
    if (program && (ndc === "" || programs.some((p) => p.ndc === ndc))) setValue("ndc", program.ndc);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    void handleSubmit(() => {
      startTransition(() => formAction(new FormData(form)));
    })(event);
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
      <form action={formAction} onSubmit={onSubmit} onKeyDown={enterMovesOn} className="card" noValidate>
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
            data-scan
            defaultValue={values.programCode}
            aria-invalid={error("programCode") ? true : undefined}
            aria-describedby={error("programCode") ? "programCode-error" : undefined}
            {...register("programCode", { onChange: (e) => onProgramChange(e.target.value) })}
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
            label="Prescriber NPI"
            hint="10 digits, from the prescription"
            inputMode="numeric"
            autoComplete="off"
            autoFocus
            data-scan
            defaultValue={values.prescriberNpi}
            error={error("prescriberNpi")}
            {...register("prescriberNpi")}
          />
          <TextField
            id="patientRemsId"
            label="Patient REMS ID"
            hint="PT-XXXX-XXXX-X, from the prescription"
            autoComplete="off"
            spellCheck={false}
            data-scan
            defaultValue={values.patientRemsId}
            error={error("patientRemsId")}
            {...register("patientRemsId")}
          />
          <TextField
            id="healthcareSettingId"
            label="Healthcare setting"
            hint="Where the patient is infused: its REMS ID (HS-…), its certification number (HC-…, as the public certification lookup shows it) or its NPI"
            spellCheck={false}
            autoComplete="off"
            data-scan
            defaultValue={values.healthcareSettingId}
            error={error("healthcareSettingId")}
            {...register("healthcareSettingId")}
          />
          <TextField
            id="ndc"
            label="NDC"
            hint="As printed on the carton"
            autoComplete="off"
            data-scan
            defaultValue={values.ndc}
            error={error("ndc")}
            {...register("ndc")}
          />
          <TextField
            id="quantity"
            label="Quantity"
            hint={`Whole ${program?.unit ?? "unit"}s`}
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            data-scan
            defaultValue={values.quantity}
            error={error("quantity")}
            {...register("quantity")}
          />
          <TextField
            id="prescriptionId"
            label="Prescription number"
            autoComplete="off"
            data-scan
            defaultValue={values.prescriptionId}
            error={error("prescriptionId")}
            {...register("prescriptionId")}
          />
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Checking…" : "Request authorization"}
        </button>
      </form>
    </>
  );
}
