"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { fieldInputId, FormFieldInput } from "@/components/enrollment/form-field-input";
import {
  EnrolToSignNotice,
  mustEnrolToSign,
  printedNameHint,
  printedNameProblem,
  StepUpCodeField,
  type SignerFactor,
} from "@/components/auth/signer-factor";
import { FormBanner, TextField } from "@/components/ui/field";
import type { TFormDefinition } from "@/lib/programs/schema";
import { submitStatusFormAction } from "@/lib/status-forms/actions";

/**
 * The programme's status-form questions and the e-signature (printed name and password), with
 * the meaning of the signature shown above the button. The server validates every answer.
 */
export function StatusFormForm({
  patientId,
  form,
  meaning,
  factor,
}: {
  patientId: string;
  form: TFormDefinition;
  meaning: string;
  factor?: SignerFactor;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [banner, setBanner] = useState<{ kind: "ok" | "error" | "warn"; text: string } | null>(null);
  const bannerRef = useRef<HTMLDivElement>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    setValue,
    formState: { errors },
  } = useForm<Record<string, unknown>>({
    defaultValues: {
      ...Object.fromEntries(form.fields.map((f) => [f.id, ""])),
      printedName: "",
      password: "",
      code: "",
    },
  });

  const onSubmit = handleSubmit((values) => {
    setBanner(null);
    const { printedName, password, code, ...answers } = values;
    const nameProblem = printedNameProblem(factor, String(printedName ?? ""));
    if (nameProblem) {
      setError("printedName", { type: "validate", message: nameProblem }, { shouldFocus: true });
      return;
    }
    startTransition(async () => {
      const result = await submitStatusFormAction({
        patientId,
        answers,
        printedName: String(printedName ?? ""),
        password: String(password ?? ""),
        code: factor?.enrolled ? String(code ?? "") : undefined,
      });
      if (!result.ok) {
        setValue("password", "");
        setValue("code", "");
        setBanner({ kind: "error", text: result.message });
        const fields = Object.entries(result.fields ?? {});
        for (const [field, messages] of fields) setError(field, { type: "server", message: messages[0] });
        const first = fields[0]?.[0];
        const target = first ? document.getElementById(first in answers ? fieldInputId(first) : `sf-${first}`) : null;
        if (target && first !== undefined && !(first in answers)) target.focus();
        else bannerRef.current?.focus();
        return;
      }
      reset();
      setBanner(
        result.data?.seriousAdverseEvent
          ? {
              kind: "warn",
              text: "Status form signed. The serious adverse event was flagged to the REMS administrator.",
            }
          : { kind: "ok", text: "Status form signed." },
      );
      bannerRef.current?.focus();
      router.refresh();
    });
  });

  const message = (id: string) => {
    const m = errors[id]?.message;
    return typeof m === "string" ? m : undefined;
  };

  if (mustEnrolToSign(factor)) return <EnrolToSignNotice />;

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Patient Status Form">
      <div ref={bannerRef} tabIndex={-1}>
        {banner ? <FormBanner kind={banner.kind}>{banner.text}</FormBanner> : null}
      </div>
      {form.fields.map((field) => (
        <FormFieldInput key={field.id} field={field} register={register} error={message(field.id)} />
      ))}
      <h3>Sign</h3>
      <p>{meaning}</p>
      <TextField
        id="sf-printedName"
        label="Your full name (printed name)"
        autoComplete="name"
        hint={printedNameHint(factor)}
        error={message("printedName")}
        {...register("printedName")}
      />
      <TextField
        id="sf-password"
        label="Your password"
        type="password"
        autoComplete="current-password"
        hint="Re-enter your password to sign."
        error={message("password")}
        {...register("password")}
      />
      {factor?.enrolled ? <StepUpCodeField id="sf-code" error={message("code")} {...register("code")} /> : null}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Signing…" : "Sign and submit"}
      </button>
    </form>
  );
}
