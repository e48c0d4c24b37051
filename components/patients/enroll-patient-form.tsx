"use client";

import Link from "next/link";
import { useMemo, useRef, useState, useTransition } from "react";
import { type FieldErrors as RhfFieldErrors, type Resolver, useForm } from "react-hook-form";
import { FormFieldInput } from "@/components/enrollment/form-field-input";
import {
  EnrolToSignNotice,
  mustEnrolToSign,
  printedNameHint,
  printedNameProblem,
  StepUpCodeField,
  type SignerFactor,
} from "@/components/auth/signer-factor";
import { FormBanner, TextField } from "@/components/ui/field";
import type { FieldErrors } from "@/lib/errors";
import { enrollPatientAction } from "@/lib/patients/actions";
import { checkDateOfBirth, SIGNATURE_METHOD_LABELS, SIGNATURE_METHODS } from "@/lib/patients/rules";
import { validatePatientEnrollment } from "@/lib/patients/schema";
import type { DuplicateMatch, EnrolledPatient } from "@/lib/patients/service";
import type { TFormField, TStakeholderRequirement } from "@/lib/programs/schema";
import styles from "./patients.module.css";

type Values = Record<string, unknown>;

/** Server field keys → this form's field names. */
const SERVER_TO_FORM: Record<string, string> = {
  "coSignature.attestations": "coAttestations",
  "coSignature.printedName": "printedName",
  "coSignature.password": "password",
  "coSignature.code": "code",
};

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" && v ? [v] : []);
const asText = (v: unknown): string => (typeof v === "string" ? v : "");

function groupFields(fields: readonly TFormField[]) {
  const groups: { name: string; fields: TFormField[] }[] = [];
  for (const field of fields) {
    const name = field.group ?? "Patient";
    let group = groups.find((g) => g.name === name);
    if (!group) {
      group = { name, fields: [] };
      groups.push(group);
    }
    group.fields.push(field);
  }
  return groups;
}

function ErrorText({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="error">
      {message}
    </span>
  ) : null;
}

/**
 * The Patient Enrollment Form on one page: demographics (from the programme definition), the
 * treating certified setting, the counselling attestation, how the patient signs and the
 * prescriber's co-signature. Validated in the browser with the same function as the server; on an
 * error everything typed stays (only the password is cleared).
 */
export function EnrollPatientForm({
  programCode,
  programName,
  requirement,
  settings,
  prescribers,
  canCoSign,
  initialValues,
  factor,
}: {
  programCode: string;
  programName: string;
  requirement: TStakeholderRequirement;
  settings: { id: string; name: string; remsId: string; city: string | null; state: string | null }[];
  /** A delegate chooses the prescriber; empty for a prescriber enrolling their own patient. */
  prescribers: { id: string; name: string }[];
  canCoSign: boolean;
  /** Patient fields filled in from a link (a CDS Hooks card): the form field id → value. */
  initialValues?: Record<string, string>;
  /** The prescriber's second factor, for the co-signature. */
  factor?: SignerFactor;
}) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const [duplicates, setDuplicates] = useState<DuplicateMatch[] | null>(null);
  const [done, setDone] = useState<EnrolledPatient | null>(null);
  const bannerRef = useRef<HTMLDivElement>(null);
  const fields = requirement.enrollmentForm.fields;
  const materials = requirement.counselling?.materials ?? [];
  const coStatements = requirement.coSignature?.attestations ?? [];

  const resolver: Resolver<Values> = useMemo(
    () => async (values) => {
      const { fields: problems } = validatePatientEnrollment(
        requirement,
        {
          values,
          healthcareSettingId: asText(values.healthcareSettingId),
          counselledMaterialIds: asList(values.counselledMaterialIds),
          signatureMethod: asText(values.signatureMethod),
          ageOverrideReason: asText(values.ageOverrideReason),
          coSignature: canCoSign
            ? {
                printedName: asText(values.printedName),
                password: asText(values.password),
                attestations: asList(values.coAttestations),
              }
            : undefined,
        },
        new Date(),
        { requireCoSignature: canCoSign },
      );
      const nameProblem = canCoSign ? printedNameProblem(factor, asText(values.printedName)) : undefined;
      if (nameProblem) problems["coSignature.printedName"] = [nameProblem];
      if (prescribers.length > 1 && !asText(values.prescriberId)) {
        problems.prescriberId = ["Choose the prescriber you are preparing this enrollment for"];
      }
      const entries = Object.entries(problems);
      if (entries.length === 0) return { values, errors: {} };
      return {
        values: {},
        errors: Object.fromEntries(
          entries.map(([key, messages]) => [SERVER_TO_FORM[key] ?? key, { type: "validate", message: messages[0] }]),
        ) as RhfFieldErrors<Values>,
      };
    },
    [requirement, canCoSign, prescribers.length, factor],
  );

  const {
    register,
    handleSubmit,
    setError,
    setValue,
    watch,
    reset,
    formState: { errors },
  } = useForm<Values>({
    resolver,
    defaultValues: {
      ...Object.fromEntries(fields.map((f) => [f.id, initialValues?.[f.id] ?? ""])),
      prescriberId: prescribers.length === 1 ? (prescribers[0]?.id ?? "") : "",
      healthcareSettingId: "",
      counselledMaterialIds: [],
      signatureMethod: "",
      ageOverrideReason: "",
      coAttestations: [],
      printedName: "",
      password: "",
      code: "",
    },
  });
  const message = (name: string) => errors[name]?.message as string | undefined;

  const dateOfBirth = asText(watch("dateOfBirth"));
  const ageCheck = dateOfBirth ? checkDateOfBirth(dateOfBirth, new Date(), requirement.minimumAgeYears) : null;
  const underage = ageCheck?.kind === "underMinimum" ? ageCheck : null;
  const signatureMethod = asText(watch("signatureMethod"));

  const submit = (confirmDifferentPerson: boolean) =>
    handleSubmit((values) => {
      setFormError(null);
      startTransition(async () => {
        const result = await enrollPatientAction({
          programCode,
          prescriberId: asText(values.prescriberId) || undefined,
          values: Object.fromEntries(fields.map((f) => [f.id, asText(values[f.id])])),
          healthcareSettingId: asText(values.healthcareSettingId),
          counselledMaterialIds: asList(values.counselledMaterialIds),
          signatureMethod: asText(values.signatureMethod) as "ACCOUNT" | "PAPER",
          ageOverrideReason: underage ? asText(values.ageOverrideReason) : undefined,
          confirmDifferentPerson,
          coSignature: canCoSign
            ? {
                printedName: asText(values.printedName),
                password: asText(values.password),
                code: factor?.enrolled ? asText(values.code) : undefined,
                attestations: asList(values.coAttestations),
              }
            : undefined,
        });
        if (result.ok) {
          setDuplicates(null);
          setDone(result.data ?? null);
          reset();
          return;
        }
        if (result.code === "POSSIBLE_DUPLICATE" && "matches" in result) {
          setDuplicates(result.matches);
          setFormError(null);
          requestAnimationFrame(() => document.getElementById("duplicates")?.focus());
          return;
        }
        setFormError(result.message);
        const serverFields: FieldErrors = ("fields" in result ? result.fields : undefined) ?? {};
        if (serverFields["coSignature.password"]) setValue("password", "");
        setValue("code", "");
        let first = true;
        for (const [key, messages] of Object.entries(serverFields)) {
          setError(SERVER_TO_FORM[key] ?? key, { type: "server", message: messages[0] }, { shouldFocus: first });
          first = false;
        }
        if (first) bannerRef.current?.focus();
      });
    });

  if (done) {
    return (
      <div className="card" role="status" aria-live="polite">
        <h2>{done.status === "ENROLLED" ? "Patient enrolled" : "Enrollment saved, waiting for signatures"}</h2>
        <p>
          REMS patient id: <span className={styles.remsId}>{done.remsId}</span>
        </p>
        {done.status !== "ENROLLED" ? (
          <p>
            {done.invitationLink
              ? "The patient has been sent an invitation to create their account and sign. The enrollment becomes active once they have signed."
              : "The prescriber must co-sign this enrollment before it becomes active."}
          </p>
        ) : null}
        {done.invitationLink ? (
          <TextField
            id="patient-invitation-link"
            label="Invitation link"
            readOnly
            value={done.invitationLink}
            hint="Also sent by e-mail. Give it to the patient if the e-mail does not arrive; it works once."
          />
        ) : null}
        <div className={styles.actions}>
          <Link className="button" href={`/prescriber/patients/${done.patientId}`}>
            Open the patient&apos;s page
          </Link>
          <Link href="/prescriber/patients">Back to patients</Link>
          <button type="button" className="button link" onClick={() => setDone(null)}>
            Enroll another patient
          </button>
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={submit(false)} noValidate aria-label={`${programName} patient enrollment`}>
      <div ref={bannerRef} tabIndex={-1}>
        {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
        {Object.keys(errors).length > 0 && !formError ? (
          <FormBanner kind="error">Check the highlighted fields.</FormBanner>
        ) : null}
      </div>

      {prescribers.length > 1 ? (
        <div className="field">
          <label htmlFor="prescriberId">Prescriber</label>
          <select
            id="prescriberId"
            aria-invalid={message("prescriberId") ? true : undefined}
            aria-describedby={message("prescriberId") ? "prescriberId-error" : undefined}
            {...register("prescriberId")}
          >
            <option value="">Choose…</option>
            {prescribers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <ErrorText id="prescriberId-error" message={message("prescriberId")} />
        </div>
      ) : null}

      {groupFields(fields).map((group) => (
        <fieldset key={group.name} className={styles.group}>
          <legend>{group.name}</legend>
          {group.fields.map((field) => (
            <FormFieldInput key={field.id} field={field} register={register} error={message(field.id)} />
          ))}
          {group.fields.some((f) => f.id === "dateOfBirth") && underage ? (
            <div className="banner warn" role="status">
              <p>{underage.message}</p>
              <div className="field">
                <label htmlFor="ageOverrideReason">
                  Reason for enrolling a patient under {underage.minimumAgeYears}
                </label>
                <textarea
                  id="ageOverrideReason"
                  rows={3}
                  aria-invalid={message("ageOverrideReason") ? true : undefined}
                  aria-describedby={message("ageOverrideReason") ? "ageOverrideReason-error" : undefined}
                  {...register("ageOverrideReason")}
                />
                <ErrorText id="ageOverrideReason-error" message={message("ageOverrideReason")} />
              </div>
            </div>
          ) : null}
        </fieldset>
      ))}

      <fieldset className={styles.group}>
        <legend>Treating healthcare setting</legend>
        <div className="field">
          <label htmlFor="healthcareSettingId">Certified healthcare setting</label>
          <span id="healthcareSettingId-hint" className="hint">
            Only settings certified in the {programName} can infuse the drug.
          </span>
          <select
            id="healthcareSettingId"
            aria-invalid={message("healthcareSettingId") ? true : undefined}
            aria-describedby={
              message("healthcareSettingId")
                ? "healthcareSettingId-hint healthcareSettingId-error"
                : "healthcareSettingId-hint"
            }
            {...register("healthcareSettingId")}
          >
            <option value="">Choose…</option>
            {settings.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
                {s.city ? ` (${[s.city, s.state].filter(Boolean).join(", ")})` : ""} — {s.remsId}
              </option>
            ))}
          </select>
          <ErrorText id="healthcareSettingId-error" message={message("healthcareSettingId")} />
        </div>
      </fieldset>

      {materials.length > 0 ? (
        <fieldset
          className={styles.group}
          aria-describedby={message("counselledMaterialIds") ? "counselledMaterialIds-error" : undefined}
        >
          <legend>Counselling</legend>
          <p>Tick each material you went through with the patient and handed over.</p>
          {materials.map((m) => (
            <label key={m.id} className={styles.check}>
              <input type="checkbox" value={m.id} {...register("counselledMaterialIds")} />
              <span>
                <strong>{m.title}</strong>: {m.description}
              </span>
            </label>
          ))}
          <ErrorText id="counselledMaterialIds-error" message={message("counselledMaterialIds")} />
        </fieldset>
      ) : null}

      <fieldset
        className={styles.group}
        aria-describedby={message("signatureMethod") ? "signatureMethod-error" : undefined}
      >
        <legend>Patient&apos;s signature</legend>
        {SIGNATURE_METHODS.map((method) => (
          <label key={method} className="radio">
            <input type="radio" value={method} {...register("signatureMethod")} /> {SIGNATURE_METHOD_LABELS[method]}
          </label>
        ))}
        {signatureMethod === "ACCOUNT" ? (
          <p className="hint">
            The patient is invited by e-mail (enter their e-mail address above). The enrollment stays pending until they
            sign in their account.
          </p>
        ) : null}
        <ErrorText id="signatureMethod-error" message={message("signatureMethod")} />
      </fieldset>

      {canCoSign ? (
        <fieldset className={styles.group}>
          <legend>Prescriber&apos;s co-signature</legend>
          <fieldset className="field" aria-describedby={message("coAttestations") ? "coAttestations-error" : undefined}>
            <legend>I attest that:</legend>
            {coStatements.map((a) => (
              <label key={a.id} className={styles.check}>
                <input type="checkbox" value={a.id} {...register("coAttestations")} />
                <span>{a.text}</span>
              </label>
            ))}
            <ErrorText id="coAttestations-error" message={message("coAttestations")} />
          </fieldset>
          <TextField
            id="printedName"
            label="Printed name"
            autoComplete="name"
            hint={printedNameHint(factor)}
            error={message("printedName")}
            {...register("printedName")}
          />
          <TextField
            id="password"
            label="Your password"
            type="password"
            autoComplete="current-password"
            hint="Signing asks for your password again, to confirm that it is you."
            error={message("password")}
            {...register("password")}
          />
          {factor?.enrolled ? <StepUpCodeField id="code" error={message("code")} {...register("code")} /> : null}
          {mustEnrolToSign(factor) ? <EnrolToSignNotice /> : null}
          <div className={styles.meaning} id="cosignature-meaning">
            <strong>Meaning of this signature:</strong> {requirement.coSignature?.signatureMeaning}
          </div>
        </fieldset>
      ) : (
        <p className="muted">
          You are preparing this enrollment. The prescriber co-signs it from the patient&apos;s page before it becomes
          active.
        </p>
      )}

      {duplicates ? (
        <section id="duplicates" tabIndex={-1} className="banner warn" aria-labelledby="duplicates-heading">
          <h2 id="duplicates-heading">Possible duplicate patient</h2>
          <p>
            This person may already be enrolled. Check the matches below. A match is never used to authorize treatment;
            create a new record only if this is a different person.
          </p>
          <ul>
            {duplicates.map((d, i) => (
              <li key={d.patientId ?? `other-${i}`}>
                {d.ownPatient && d.patientId ? (
                  <>
                    <Link href={`/prescriber/patients/${d.patientId}`}>{d.name}</Link> ({d.remsId}, born {d.dateOfBirth}
                    )
                  </>
                ) : (
                  "A patient of another prescriber"
                )}
                : {d.reasons.join(" and ")}
              </li>
            ))}
          </ul>
          <div className={styles.actions}>
            <button type="button" className="button" disabled={pending} onClick={submit(true)}>
              This is a different person: enroll
            </button>
            <button type="button" className="button secondary" onClick={() => setDuplicates(null)}>
              Go back and check
            </button>
          </div>
        </section>
      ) : (
        <button
          type="submit"
          className="button"
          disabled={pending}
          aria-describedby={canCoSign ? "cosignature-meaning" : undefined}
        >
          {pending ? "Enrolling…" : canCoSign ? "Sign and enroll" : "Save for the prescriber to co-sign"}
        </button>
      )}
    </form>
  );
}
