"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import {
  EnrolToSignNotice,
  mustEnrolToSign,
  printedNameHint,
  printedNameProblem,
  StepUpCodeField,
  type SignerFactor,
} from "@/components/auth/signer-factor";
import { FormBanner, TextField } from "@/components/ui/field";
import { useLazyResolver } from "@/components/ui/lazy-resolver";
import { setAttestationAction, signEnrollmentAction } from "@/lib/enrollment/actions";
import type { TSignatureFields } from "@/lib/enrollment/schema";
import styles from "./enrollment.module.css";

/**
 * The attestations and the electronic signature. Each statement is saved when ticked; signing
 * asks for the password again and a printed name, with the meaning of the signature shown next
 * to the button.
 */
export function SignForm({
  enrollmentId,
  attestations,
  meaning,
  reviewDigest,
  expectedVersion,
  doneHref,
  factor,
}: {
  enrollmentId: string;
  attestations: { id: string; text: string; checked: boolean }[];
  meaning: string;
  reviewDigest: string;
  expectedVersion: number;
  doneHref: string;
  factor?: SignerFactor;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [ticks, setTicks] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(attestations.map((a) => [a.id, a.checked])),
  );
  const [attestationError, setAttestationError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const bannerRef = useRef<HTMLDivElement>(null);
  // The form is submitted by script only: until its code has loaded and hydrated, the submit button
  // stays disabled, so Enter cannot send the fields as a plain GET with them in the address.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const resolver = useLazyResolver(async () => {
    const [{ zodResolver }, { ZSignatureFields }] = await Promise.all([
      import("@hookform/resolvers/zod"),
      import("@/lib/enrollment/schema"),
    ]);
    return zodResolver(ZSignatureFields);
  });
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    formState: { errors },
  } = useForm<TSignatureFields>({
    resolver,
    defaultValues: { printedName: "", password: "", code: "" },
  });

  const toggle = (id: string, checked: boolean) => {
    setTicks((t) => ({ ...t, [id]: checked }));
    setAttestationError(null);
    startTransition(async () => {
      const result = await setAttestationAction({ enrollmentId, attestationId: id, checked });
      if (!result.ok) {
        setTicks((t) => ({ ...t, [id]: !checked }));
        setFormError(result.message);
      }
    });
  };

  const allTicked = attestations.every((a) => ticks[a.id]);

  const onSubmit = handleSubmit(
    (values) => {
      setFormError(null);
      const nameProblem = printedNameProblem(factor, values.printedName);
      if (nameProblem) setError("printedName", { type: "validate", message: nameProblem }, { shouldFocus: true });
      if (!allTicked) setAttestationError("Tick every statement to sign");
      if (nameProblem || !allTicked) return;
      startTransition(async () => {
        const result = await signEnrollmentAction({
          ...values,
          enrollmentId,
          attestations: attestations.filter((a) => ticks[a.id]).map((a) => a.id),
          reviewDigest,
          expectedVersion,
        });
        if (!result.ok) {
          setFormError(result.message);
          const fields = result.fields ?? {};
          if (fields.password) {
            setValue("password", "");
            setError("password", { type: "server", message: fields.password[0] }, { shouldFocus: true });
          }
          if (fields.code) {
            setValue("code", "");
            setError("code", { type: "server", message: fields.code[0] }, { shouldFocus: !fields.password });
          }
          if (fields.printedName) setError("printedName", { type: "server", message: fields.printedName[0] });
          if (fields.attestations) setAttestationError(fields.attestations[0] ?? null);
          if (!fields.password && !fields.code && !fields.printedName) bannerRef.current?.focus();
          return;
        }
        router.push(doneHref);
        router.refresh();
      });
    },
    () => {
      if (!allTicked) setAttestationError("Tick every statement to sign");
    },
  );

  if (mustEnrolToSign(factor)) return <EnrolToSignNotice />;

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Sign and submit">
      <div ref={bannerRef} tabIndex={-1}>
        {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
      </div>
      <fieldset className="field" aria-describedby={attestationError ? "attestations-error" : undefined}>
        <legend>I attest that:</legend>
        {attestations.map((a) => (
          <label key={a.id} className={styles.check}>
            <input
              type="checkbox"
              name="attestations"
              value={a.id}
              checked={ticks[a.id] ?? false}
              onChange={(event) => toggle(a.id, event.target.checked)}
            />
            <span>{a.text}</span>
          </label>
        ))}
        {attestationError ? (
          <span id="attestations-error" className="error">
            {attestationError}
          </span>
        ) : null}
      </fieldset>
      <TextField
        id="printedName"
        label="Printed name"
        autoComplete="name"
        hint={printedNameHint(factor)}
        error={errors.printedName?.message}
        {...register("printedName")}
      />
      <TextField
        id="password"
        label="Your password"
        type="password"
        autoComplete="current-password"
        hint="Signing asks for your password again, to confirm that it is you."
        error={errors.password?.message}
        {...register("password")}
      />
      {factor?.enrolled ? <StepUpCodeField id="code" error={errors.code?.message} {...register("code")} /> : null}
      <div className={styles.meaning} id="signature-meaning">
        <strong>Meaning of this signature:</strong> {meaning}
      </div>
      <button type="submit" className="button" disabled={pending || !hydrated} aria-describedby="signature-meaning">
        {pending ? "Signing…" : "Sign and submit"}
      </button>
    </form>
  );
}
