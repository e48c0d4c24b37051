"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { TextAreaField } from "@/components/admin/text-area-field";
import { FormBanner } from "@/components/ui/field";
import { openCaseAction } from "@/lib/noncompliance/actions";
import { MAX_DESCRIPTION_LENGTH, type TOpenCase, ZOpenCase } from "@/lib/noncompliance/schema";

/** Type and description of a new case against one stakeholder. */
export function OpenCaseForm({
  enrollmentId,
  caseTypes,
}: {
  enrollmentId: string;
  caseTypes: { code: string; label: string }[];
}) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<TOpenCase>({
    resolver: zodResolver(ZOpenCase),
    defaultValues: { enrollmentId, type: "", description: "" },
  });
  const onSubmit = handleSubmit((values) => {
    setFormError(null);
    startTransition(async () => {
      const result = await openCaseAction({ ...values, enrollmentId });
      if (result && !result.ok) {
        for (const field of ["type", "description"] as const) {
          const message = result.fields?.[field]?.[0];
          if (message) setError(field, { message });
        }
        setFormError(result.message);
      }
    });
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Open the case">
      {formError ? (
        <FormBanner kind="error" id="open-case-error">
          {formError}
        </FormBanner>
      ) : null}
      <input type="hidden" {...register("enrollmentId")} />
      <div className="field">
        <label htmlFor="case-type">Type of non-compliance</label>
        <select
          id="case-type"
          aria-invalid={errors.type ? true : undefined}
          aria-describedby={errors.type ? "case-type-error" : undefined}
          {...register("type")}
        >
          <option value="">Choose…</option>
          {caseTypes.map((t) => (
            <option key={t.code} value={t.code}>
              {t.label}
            </option>
          ))}
        </select>
        {errors.type?.message ? (
          <span id="case-type-error" className="error">
            {errors.type.message}
          </span>
        ) : null}
      </div>
      <TextAreaField
        id="case-description"
        label="What happened"
        hint="Facts, dates and the records concerned. Evidence can be added once the case is open."
        limit={MAX_DESCRIPTION_LENGTH}
        error={errors.description?.message}
        {...register("description")}
      />
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Opening…" : "Open the case"}
      </button>
    </form>
  );
}
