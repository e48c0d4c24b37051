"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import {
  EnrolToSignNotice,
  mustEnrolToSign,
  printedNameHint,
  printedNameProblem,
  StepUpCodeField,
  type SignerFactor,
} from "@/components/auth/signer-factor";
import { FormBanner, TextField } from "@/components/ui/field";
import { coSignPatientEnrollmentAction, signOwnEnrollmentAction } from "@/lib/patients/actions";
import styles from "./patients.module.css";

/**
 * A signature on a patient enrollment: every statement ticked, printed name, the password again,
 * and the meaning of the signature next to the button. `who` chooses the prescriber's
 * co-signature or the patient's own signature.
 */
export function PatientSignatureForm({
  who,
  patientId,
  statements,
  meaning,
  factor,
}: {
  who: "prescriber" | "patient";
  patientId: string;
  statements: { id: string; text: string }[];
  meaning: string;
  factor?: SignerFactor;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [ticked, setTicked] = useState<Record<string, boolean>>({});
  const [printedName, setPrintedName] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const bannerRef = useRef<HTMLDivElement>(null);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const local: Record<string, string[]> = {};
    if (statements.some((s) => !ticked[s.id])) local.attestations = ["Tick every statement to sign"];
    const nameProblem = printedNameProblem(factor, printedName);
    if (nameProblem) local.printedName = [nameProblem];
    if (!password) local.password = ["Enter your password to sign"];
    setFields(local);
    if (Object.keys(local).length > 0) return;
    const input = {
      printedName,
      password,
      code: factor?.enrolled ? code : undefined,
      attestations: statements.filter((s) => ticked[s.id]).map((s) => s.id),
    };
    startTransition(async () => {
      const result =
        who === "prescriber"
          ? await coSignPatientEnrollmentAction({ ...input, patientId })
          : await signOwnEnrollmentAction(input);
      if (!result.ok) {
        setError(result.message);
        setFields(result.fields ?? {});
        if (result.fields?.password) setPassword("");
        // A code is used up or wrong either way: the next try needs the app's next code.
        setCode("");
        bannerRef.current?.focus();
        return;
      }
      setError(null);
      router.refresh();
    });
  };

  if (mustEnrolToSign(factor)) return <EnrolToSignNotice />;

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label={who === "prescriber" ? "Co-sign the enrollment" : "Sign your enrollment"}
    >
      <div ref={bannerRef} tabIndex={-1}>
        {error ? <FormBanner kind="error">{error}</FormBanner> : null}
      </div>
      <fieldset className="field" aria-describedby={fields.attestations ? "sign-attestations-error" : undefined}>
        <legend>I attest that:</legend>
        {statements.map((s) => (
          <label key={s.id} className={styles.check}>
            <input
              type="checkbox"
              checked={ticked[s.id] ?? false}
              onChange={(e) => setTicked((t) => ({ ...t, [s.id]: e.target.checked }))}
            />
            <span>{s.text}</span>
          </label>
        ))}
        {fields.attestations ? (
          <span id="sign-attestations-error" className="error">
            {fields.attestations[0]}
          </span>
        ) : null}
      </fieldset>
      <TextField
        id="sign-printed-name"
        label="Printed name"
        autoComplete="name"
        hint={printedNameHint(factor)}
        value={printedName}
        onChange={(e) => setPrintedName(e.target.value)}
        error={fields.printedName?.[0]}
      />
      <TextField
        id="sign-password"
        label="Your password"
        type="password"
        autoComplete="current-password"
        hint="Signing asks for your password again, to confirm that it is you."
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fields.password?.[0]}
      />
      {factor?.enrolled ? (
        <StepUpCodeField
          id="sign-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={fields.code?.[0]}
        />
      ) : null}
      <div className={styles.meaning} id="patient-signature-meaning">
        <strong>Meaning of this signature:</strong> {meaning}
      </div>
      <button type="submit" className="button" disabled={pending} aria-describedby="patient-signature-meaning">
        {pending ? "Signing…" : who === "prescriber" ? "Co-sign" : "Sign my enrollment"}
      </button>
    </form>
  );
}
