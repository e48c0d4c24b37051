"use client";

import type { ReactNode } from "react";
import type { UseFormRegister } from "react-hook-form";
import { US_STATES } from "@/lib/enrollment/us-states";
import type { TFormField } from "@/lib/programs/schema";
import styles from "./enrollment.module.css";

export function fieldInputId(fieldId: string): string {
  return `field-${fieldId}`;
}

const INPUT_TYPES: Partial<Record<TFormField["type"], { type: string; inputMode?: "numeric" | "tel" | "email" }>> = {
  email: { type: "email", inputMode: "email" },
  tel: { type: "tel", inputMode: "tel" },
  date: { type: "date" },
  zip: { type: "text", inputMode: "numeric" },
  npi: { type: "text", inputMode: "numeric" },
  ncpdp: { type: "text", inputMode: "numeric" },
};

/**
 * One field of a programme-defined form: a labelled control whose hint and error are announced
 * with it. The control is chosen from the field's type.
 */
export function FormFieldInput({
  field,
  register,
  error,
  disabled,
}: {
  field: TFormField;
  register: UseFormRegister<Record<string, unknown>>;
  error?: string;
  disabled?: boolean;
}) {
  const id = fieldInputId(field.id);
  const hintId = field.help ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    "aria-describedby": describedBy,
    "aria-invalid": error ? true : undefined,
    "aria-required": field.required ? true : undefined,
    disabled,
    ...register(field.id),
  };
  const label = (
    <>
      {field.label}
      {field.required ? null : <span className={styles.optional}> (optional)</span>}
    </>
  );
  const hint = field.help ? (
    <span id={hintId ?? undefined} className="hint">
      {field.help}
    </span>
  ) : null;
  const errorText = error ? (
    <span id={errorId ?? undefined} className="error">
      {error}
    </span>
  ) : null;

  if (field.type === "yesNo") {
    return (
      <fieldset className="field" aria-describedby={describedBy}>
        <legend>{label}</legend>
        {hint}
        {(["yes", "no"] as const).map((value) => (
          <label key={value} className="radio">
            <input type="radio" value={value} disabled={disabled} {...register(field.id)} />{" "}
            {value === "yes" ? "Yes" : "No"}
          </label>
        ))}
        {errorText}
      </fieldset>
    );
  }

  // No maxLength attribute: it would cut a paste without a word. The form's schema (built from the
  // same definition) refuses a value past field.maxLength on the field and keeps what was typed.
  let control: ReactNode;
  if (field.type === "select" || field.type === "usState") {
    const options =
      field.type === "select"
        ? field.options.map((o) => ({ value: o.value, label: o.label }))
        : US_STATES.map((s) => ({ value: s, label: s }));
    control = (
      <select {...common} autoComplete={field.autoComplete}>
        <option value="">{field.type === "usState" ? "Choose a state" : "Choose…"}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (field.type === "textarea") {
    control = <textarea rows={4} {...common} />;
  } else {
    const kind = INPUT_TYPES[field.type] ?? { type: "text" };
    control = (
      <input
        type={kind.type}
        inputMode={kind.inputMode}
        autoComplete={field.autoComplete ?? "off"}
        spellCheck={field.type === "text" ? undefined : false}
        {...common}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint}
      {control}
      {errorText}
    </div>
  );
}
