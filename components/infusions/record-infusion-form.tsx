"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { type FieldErrors, type UseFormRegister, useForm } from "react-hook-form";
import { FormBanner, TextField } from "@/components/ui/field";
import { recordInfusionAction } from "@/lib/infusions/actions";
import type { InfusionConcern } from "@/lib/infusions/rules";
import { REACTION_SEVERITIES, type TRecordInfusion, ZRecordInfusion } from "@/lib/infusions/schema";
import styles from "./infusions.module.css";
import { formatDate } from "@/lib/format";

type PatientOption = { id: string; remsId: string; name: string; dateOfBirth: string };

/** What the points not in order were worked out for; the authorization as typed, loosely. */
function concernKey(patientId: unknown, infusedOn: unknown, authorizationNumber: unknown): string {
  const number = typeof authorizationNumber === "string" ? authorizationNumber.replace(/[\s-]/g, "").toUpperCase() : "";
  return `${String(patientId ?? "")}|${String(infusedOn ?? "")}|${number}`;
}

function acknowledgedText(count: number): string {
  if (count === 0) return "";
  return ` ${count === 1 ? "One point" : `${count} points`} not in order ${count === 1 ? "was" : "were"} acknowledged and kept with the record.`;
}
type YesNoName = "premedicationGiven" | "observationCompleted" | "reaction";

function YesNo({
  name,
  legend,
  hint,
  register,
  errors,
}: {
  name: YesNoName;
  legend: string;
  hint?: string;
  register: UseFormRegister<TRecordInfusion>;
  errors: FieldErrors<TRecordInfusion>;
}) {
  const error = errors[name]?.message;
  const describedBy = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(" ");
  return (
    <fieldset className="field" aria-describedby={describedBy || undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <span id={`${name}-hint`} className="hint">
          {hint}
        </span>
      ) : null}
      <div className={styles.radios}>
        {(["yes", "no"] as const).map((value) => (
          <label key={value} className="radio">
            <input type="radio" value={value} aria-invalid={error ? true : undefined} {...register(name)} />
            {value === "yes" ? "Yes" : "No"}
          </label>
        ))}
      </div>
      {error ? (
        <span id={`${name}-error`} className="error">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}

/** The healthcare setting records one infusion; the server works out the course and day. */
export function RecordInfusionForm({
  patients,
  patientId,
  today,
  doseMgPerDay,
}: {
  patients: PatientOption[];
  patientId: string | null;
  today: string;
  doseMgPerDay: number;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const [recorded, setRecorded] = useState<string | null>(null);
  // What the registry said is not in order, for the patient, date and authorization it was asked about.
  const [concerns, setConcerns] = useState<{ key: string; items: InfusionConcern[] } | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const [acknowledgeError, setAcknowledgeError] = useState<string | null>(null);
  const concernsRef = useRef<HTMLFieldSetElement>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    watch,
    formState: { errors },
  } = useForm<TRecordInfusion>({
    resolver: zodResolver(ZRecordInfusion),
    defaultValues: {
      patientId: patientId ?? "",
      infusedOn: today,
      doseMg: doseMgPerDay,
      vialLot: "",
      authorizationNumber: "",
    },
  });
  const reaction = watch("reaction");
  const currentKey = concernKey(watch("patientId"), watch("infusedOn"), watch("authorizationNumber"));
  // Points shown for another patient, date or authorization no longer apply: the server is asked again.
  const shownConcerns = concerns && concerns.key === currentKey ? concerns.items : null;

  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    setRecorded(null);
    setAcknowledgeError(null);
    if (shownConcerns && !acknowledged) {
      setAcknowledgeError("Confirm that you have seen each point above, or correct the record.");
      document.getElementById("acknowledgedConcerns")?.focus();
      return;
    }
    startTransition(async () => {
      const base =
        values.reaction === "yes" ? values : { ...values, reactionSeverity: undefined, reactionNarrative: undefined };
      const input = { ...base, acknowledgedConcerns: shownConcerns ? shownConcerns.map((c) => c.code) : undefined };
      const result = await recordInfusionAction(input);
      if (!result.ok) {
        setFormError(result.message);
        if (result.concerns) {
          setConcerns({
            key: concernKey(values.patientId, values.infusedOn, values.authorizationNumber),
            items: result.concerns,
          });
          setAcknowledged(false);
          requestAnimationFrame(() => concernsRef.current?.focus());
          return;
        }
        for (const [field, messages] of Object.entries(result.fields ?? {})) {
          if (field && messages[0]) setError(field as keyof TRecordInfusion, { message: messages[0] });
        }
        return;
      }
      setConcerns(null);
      setAcknowledged(false);
      const data = result.data;
      const patient = patients.find((p) => p.id === values.patientId);
      setRecorded(
        data
          ? `Infusion recorded for ${patient?.name ?? "the patient"} on ${formatDate(data.infusedOn)}: course ${data.courseNumber}, day ${data.dayInCourse}${data.courseComplete ? " (course complete)" : ""}${data.authorizationNumber ? `, under authorization ${data.authorizationNumber}` : ""}.${acknowledgedText(data.acknowledgedConcerns.length)}`
          : "Infusion recorded.",
      );
      // The same authorization usually covers the next day of the course: keep it.
      reset({
        patientId: values.patientId,
        infusedOn: today,
        doseMg: doseMgPerDay,
        vialLot: "",
        authorizationNumber: data?.authorizationNumber ?? "",
      });
      router.refresh();
    });
  });

  const patientError = errors.patientId?.message;
  const severityError = errors.reactionSeverity?.message;
  const narrativeError = errors.reactionNarrative?.message;
  return (
    <>
      {recorded ? (
        <FormBanner kind="ok">
          {recorded} <Link href="/setting">Back to the dashboard</Link>
        </FormBanner>
      ) : null}
      <form onSubmit={onSubmit} noValidate>
        {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
        <div className="field">
          <label htmlFor="patientId">Patient</label>
          <select
            id="patientId"
            aria-invalid={patientError ? true : undefined}
            aria-describedby={patientError ? "patientId-error" : undefined}
            {...register("patientId")}
          >
            <option value="">Choose a patient</option>
            {patients.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {p.remsId} — born {p.dateOfBirth}
              </option>
            ))}
          </select>
          {patientError ? (
            <span id="patientId-error" className="error">
              {patientError}
            </span>
          ) : null}
        </div>
        <TextField
          id="infusedOn"
          label="Infusion date"
          type="date"
          max={today}
          error={errors.infusedOn?.message}
          {...register("infusedOn")}
        />
        <TextField
          id="doseMg"
          label="Dose (mg)"
          type="number"
          inputMode="decimal"
          step="0.01"
          hint={`The programme's dose is ${doseMgPerDay} mg per day.`}
          error={errors.doseMg?.message}
          {...register("doseMg", { valueAsNumber: true })}
        />
        <TextField
          id="vialLot"
          label="Vial lot number"
          autoComplete="off"
          error={errors.vialLot?.message}
          {...register("vialLot")}
        />
        <TextField
          id="authorizationNumber"
          label="Dispense authorization number (optional)"
          autoComplete="off"
          spellCheck={false}
          hint="The DA-… number the pharmacy received from the registry when it dispensed this patient's drug. One number may cover every day of the course."
          error={errors.authorizationNumber?.message}
          {...register("authorizationNumber")}
        />
        <YesNo
          name="premedicationGiven"
          legend="Corticosteroid premedication given?"
          hint="Required immediately before the infusion on the first 3 days of each course."
          register={register}
          errors={errors}
        />
        <YesNo
          name="observationCompleted"
          legend="2-hour observation after the infusion completed?"
          register={register}
          errors={errors}
        />
        <YesNo name="reaction" legend="Infusion reaction?" register={register} errors={errors} />
        {reaction === "yes" ? (
          <div className={styles.reaction}>
            <div className="field">
              <label htmlFor="reactionSeverity">Severity</label>
              <select
                id="reactionSeverity"
                aria-invalid={severityError ? true : undefined}
                aria-describedby={severityError ? "reactionSeverity-error" : undefined}
                {...register("reactionSeverity", { setValueAs: (v: string) => (v === "" ? undefined : v) })}
              >
                <option value="">Choose the severity</option>
                {REACTION_SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {s[0]?.toUpperCase()}
                    {s.slice(1)}
                  </option>
                ))}
              </select>
              {severityError ? (
                <span id="reactionSeverity-error" className="error">
                  {severityError}
                </span>
              ) : null}
            </div>
            <div className="field">
              <label htmlFor="reactionNarrative">What happened and how it was managed</label>
              <textarea
                id="reactionNarrative"
                rows={4}
                aria-invalid={narrativeError ? true : undefined}
                aria-describedby={narrativeError ? "reactionNarrative-error" : undefined}
                {...register("reactionNarrative", { setValueAs: (v: string) => (v?.trim() ? v : undefined) })}
              />
              {narrativeError ? (
                <span id="reactionNarrative-error" className="error">
                  {narrativeError}
                </span>
              ) : null}
            </div>
          </div>
        ) : null}
        {shownConcerns ? (
          <fieldset
            ref={concernsRef}
            tabIndex={-1}
            className={styles.concerns}
            aria-describedby="acknowledgedConcerns-list"
          >
            <legend>Not in order for this infusion</legend>
            <ul id="acknowledgedConcerns-list">
              {shownConcerns.map((c) => (
                <li key={c.code}>{c.message}</li>
              ))}
            </ul>
            <label className={styles.check} htmlFor="acknowledgedConcerns">
              <input
                id="acknowledgedConcerns"
                type="checkbox"
                checked={acknowledged}
                onChange={(e) => {
                  setAcknowledged(e.target.checked);
                  if (e.target.checked) setAcknowledgeError(null);
                }}
                aria-invalid={acknowledgeError ? true : undefined}
                aria-describedby={acknowledgeError ? "acknowledgedConcerns-error" : undefined}
              />
              <span>
                I have seen each point above and record this infusion as given. The points are kept with the record and
                in the audit trail.
              </span>
            </label>
            {acknowledgeError ? (
              <span id="acknowledgedConcerns-error" className="error">
                {acknowledgeError}
              </span>
            ) : null}
          </fieldset>
        ) : null}
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Recording…" : "Record infusion"}
        </button>
      </form>
    </>
  );
}
