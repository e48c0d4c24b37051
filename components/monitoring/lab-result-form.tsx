"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { FormBanner, TextField } from "@/components/ui/field";
import { recordLabResultAction } from "@/lib/labs/actions";
import { type TLabResultFields, ZLabResultFields } from "@/lib/labs/schema";
import styles from "./monitoring.module.css";

/** Records one monitoring result; the note is required when the result is abnormal. */
export function LabResultForm({
  patientId,
  testTypes,
  today,
}: {
  patientId: string;
  testTypes: { code: string; name: string }[];
  today: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [banner, setBanner] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const bannerRef = useRef<HTMLDivElement>(null);
  const {
    register,
    handleSubmit,
    reset,
    setError,
    watch,
    formState: { errors },
  } = useForm<TLabResultFields>({
    resolver: zodResolver(ZLabResultFields),
    defaultValues: { testCode: "", collectedOn: "", abnormal: false, note: "", labId: "" },
  });
  const abnormal = watch("abnormal");

  const onSubmit = handleSubmit((values) => {
    setBanner(null);
    startTransition(async () => {
      const result = await recordLabResultAction({ ...values, patientId });
      if (!result.ok) {
        setBanner({ kind: "error", text: result.message });
        for (const [field, messages] of Object.entries(result.fields ?? {})) {
          if (field in values) setError(field as keyof TLabResultFields, { type: "server", message: messages[0] });
        }
        bannerRef.current?.focus();
        return;
      }
      reset();
      setBanner({ kind: "ok", text: "Result recorded." });
      bannerRef.current?.focus();
      router.refresh();
    });
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Record a result">
      <div ref={bannerRef} tabIndex={-1}>
        {banner ? <FormBanner kind={banner.kind}>{banner.text}</FormBanner> : null}
      </div>
      <div className="field">
        <label htmlFor="lab-testCode">Test</label>
        <select
          id="lab-testCode"
          aria-invalid={errors.testCode ? true : undefined}
          aria-describedby={errors.testCode ? "lab-testCode-error" : undefined}
          {...register("testCode")}
        >
          <option value="">Choose a test…</option>
          {testTypes.map((t) => (
            <option key={t.code} value={t.code}>
              {t.name}
            </option>
          ))}
        </select>
        {errors.testCode ? (
          <span id="lab-testCode-error" className="error">
            {errors.testCode.message}
          </span>
        ) : null}
      </div>
      <TextField
        id="lab-collectedOn"
        label="Collection date"
        type="date"
        max={today}
        error={errors.collectedOn?.message}
        {...register("collectedOn")}
      />
      <TextField
        id="lab-labId"
        label="Laboratory (optional)"
        hint="The lab's name or CLIA number, at most 64 characters."
        error={errors.labId?.message}
        {...register("labId")}
      />
      <label className={styles.check} htmlFor="lab-abnormal">
        <input id="lab-abnormal" type="checkbox" {...register("abnormal")} />
        <span>The result is abnormal</span>
      </label>
      <div className="field">
        <label htmlFor="lab-note">Note{abnormal ? "" : " (optional)"}</label>
        <span id="lab-note-hint" className="hint">
          {abnormal ? "Required for an abnormal result: what was abnormal and what was done. " : ""}At most 2,000
          characters.
        </span>
        <textarea
          id="lab-note"
          rows={3}
          aria-invalid={errors.note ? true : undefined}
          aria-describedby={["lab-note-hint", errors.note ? "lab-note-error" : null].filter(Boolean).join(" ")}
          {...register("note")}
        />
        {errors.note ? (
          <span id="lab-note-error" className="error">
            {errors.note.message}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Saving…" : "Record result"}
      </button>
    </form>
  );
}
