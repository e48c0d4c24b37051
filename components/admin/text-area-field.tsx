import type { TextareaHTMLAttributes } from "react";
import { forwardRef } from "react";

type Props = TextareaHTMLAttributes<HTMLTextAreaElement> & {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  /** The most characters the form's validation accepts: stated, not enforced by cutting. */
  limit?: number;
};

/** A labelled multi-line input whose hint and error are announced with it. */
export const TextAreaField = forwardRef<HTMLTextAreaElement, Props>(function TextAreaField(
  { id, label, error, hint, limit, ...textarea },
  ref,
) {
  // The limit is stated: a form that validates it (`limit`) keeps what was typed past it and says
  // so on submit; a bare `maxLength` attribute would drop the rest of a paste without a word.
  const stated = limit ?? textarea.maxLength;
  const note = [hint, stated ? `At most ${stated.toLocaleString("en-US")} characters.` : null]
    .filter(Boolean)
    .join(" ");
  const describedBy = [note ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {note ? (
        <span id={`${id}-hint`} className="hint">
          {note}
        </span>
      ) : null}
      <textarea
        id={id}
        ref={ref}
        rows={3}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...textarea}
      />
      {error ? (
        <span id={`${id}-error`} className="error">
          {error}
        </span>
      ) : null}
    </div>
  );
});
