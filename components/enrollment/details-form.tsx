"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { FormBanner } from "@/components/ui/field";
import { useLazyResolver } from "@/components/ui/lazy-resolver";
import { saveEnrollmentFormAction } from "@/lib/enrollment/actions";
import type { FormValues } from "@/lib/enrollment/form-schema";
import type { TFormDefinition, TFormField } from "@/lib/programs/schema";
import styles from "./enrollment.module.css";
import { FormFieldInput, fieldInputId } from "./form-field-input";

type RawValues = Record<string, unknown>;

function groupFields(fields: readonly TFormField[]) {
  const groups: { name: string; fields: TFormField[] }[] = [];
  for (const field of fields) {
    const name = field.group ?? "Details";
    let group = groups.find((g) => g.name === name);
    if (!group) {
      group = { name, fields: [] };
      groups.push(group);
    }
    group.fields.push(field);
  }
  return groups;
}

function asStrings(values: RawValues, fields: readonly TFormField[]): Record<string, string> {
  return Object.fromEntries(
    fields.map((f) => [f.id, typeof values[f.id] === "string" ? (values[f.id] as string) : ""]),
  );
}

/**
 * The enrollment form, rendered from the programme definition and validated with the same schema
 * as the server. What the person types is kept in this tab's session storage until it is saved,
 * so neither a validation error nor a reload loses it; each successful save goes to the server.
 */
export function DetailsForm({
  programCode,
  enrollmentId,
  prescriberId,
  form,
  initialValues,
  draftKey,
  nextHref,
}: {
  programCode: string;
  enrollmentId: string | null;
  prescriberId: string | null;
  form: TFormDefinition;
  initialValues: Record<string, string>;
  draftKey: string;
  nextHref: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const [restored, setRestored] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  // The form is submitted by script only: until its code has loaded and hydrated, the submit button
  // stays disabled, so Enter cannot send the fields as a plain GET with them in the address.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const resolver = useLazyResolver<RawValues, unknown, FormValues>(async () => {
    const [{ zodResolver }, { buildFormSchema }] = await Promise.all([
      import("@hookform/resolvers/zod"),
      import("@/lib/enrollment/form-schema"),
    ]);
    return zodResolver(buildFormSchema(form));
  }, form);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    getValues,
    watch,
    formState: { errors, submitCount },
  } = useForm<RawValues, unknown, FormValues>({
    resolver,
    defaultValues: initialValues,
  });

  // Restore unsaved typing from this tab, then keep the copy up to date.
  useEffect(() => {
    try {
      const saved = sessionStorage.getItem(draftKey);
      if (saved) {
        const draft = asStrings(JSON.parse(saved) as RawValues, form.fields);
        if (form.fields.some((f) => draft[f.id] !== (initialValues[f.id] ?? ""))) {
          reset(draft);
          setRestored(true);
        }
      }
    } catch {
      sessionStorage.removeItem(draftKey);
    }
    const subscription = watch((values) => {
      try {
        sessionStorage.setItem(draftKey, JSON.stringify(asStrings(values, form.fields)));
      } catch {
        // Storage full or disabled: the form still works, only reload protection is lost.
      }
    });
    return () => subscription.unsubscribe();
  }, [draftKey, form.fields, initialValues, reset, watch]);

  const discardDraft = () => {
    sessionStorage.removeItem(draftKey);
    reset(initialValues);
    setRestored(false);
  };

  const onSubmit = handleSubmit(
    () => {
      setFormError(null);
      const values = asStrings(getValues(), form.fields);
      startTransition(async () => {
        const result = await saveEnrollmentFormAction({
          programCode,
          enrollmentId: enrollmentId ?? undefined,
          prescriberId: prescriberId ?? undefined,
          values,
        });
        if (!result.ok) {
          setFormError(result.message);
          let first = true;
          for (const [field, messages] of Object.entries(result.fields ?? {})) {
            if (form.fields.some((f) => f.id === field)) {
              setError(field, { type: "server", message: messages[0] }, { shouldFocus: first });
              first = false;
            }
          }
          if (first) summaryRef.current?.focus();
          return;
        }
        sessionStorage.removeItem(draftKey);
        router.push(nextHref);
        router.refresh();
      });
    },
    () => setFormError(null),
  );

  const fieldErrors = form.fields
    .map((f) => ({ field: f, message: errors[f.id]?.message }))
    .filter((e): e is { field: TFormField; message: string } => typeof e.message === "string");

  return (
    <form onSubmit={onSubmit} noValidate>
      <div ref={summaryRef} tabIndex={-1}>
        {formError ? <FormBanner kind="error">{formError}</FormBanner> : null}
        {submitCount > 0 && fieldErrors.length > 0 ? (
          <div className={`banner error ${styles.errorSummary}`} role="alert">
            <strong>
              {fieldErrors.length === 1
                ? "There is a problem with 1 field"
                : `There are problems with ${fieldErrors.length} fields`}
            </strong>
            <ul>
              {fieldErrors.map(({ field, message }) => (
                <li key={field.id}>
                  <a
                    href={`#${fieldInputId(field.id)}`}
                    onClick={(event) => {
                      // Move keyboard focus to the field, not only the scroll position.
                      event.preventDefault();
                      document.getElementById(fieldInputId(field.id))?.focus();
                    }}
                  >
                    {field.label}: {message}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      {restored ? (
        <div className="banner warn" role="status">
          We restored what you typed earlier in this browser but had not saved yet.{" "}
          <button type="button" className="button link" onClick={discardDraft}>
            Discard those changes
          </button>
        </div>
      ) : null}
      {groupFields(form.fields).map((group) => (
        <fieldset key={group.name} className={styles.group}>
          <legend>{group.name}</legend>
          {group.fields.map((field) => (
            <FormFieldInput
              key={field.id}
              field={field}
              register={register}
              error={errors[field.id]?.message as string | undefined}
            />
          ))}
        </fieldset>
      ))}
      <button type="submit" className="button" disabled={pending || !hydrated}>
        {pending ? "Saving…" : "Save and continue"}
      </button>
    </form>
  );
}
