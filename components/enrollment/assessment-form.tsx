"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useRef, useState, useTransition } from "react";
import { FormBanner } from "@/components/ui/field";
import { submitAssessmentAction } from "@/lib/enrollment/actions";
import type { PublicAssessment } from "@/lib/enrollment/rules";
import styles from "./enrollment.module.css";

type Question = PublicAssessment["questions"][number];

function questionId(q: Question) {
  return `question-${q.id}`;
}

/**
 * The knowledge assessment: prompts and options only (the page never has the answers). Scoring
 * happens on the server when the attempt is submitted; the attempt number makes a second
 * submission of the same attempt harmless.
 */
export function AssessmentForm({
  enrollmentId,
  attemptNumber,
  questions,
  resultHref,
}: {
  enrollmentId: string;
  attemptNumber: number;
  questions: Question[];
  resultHref: string;
}) {
  const router = useRouter();
  const [answers, setAnswers] = useState<Record<string, string[]>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const summaryRef = useRef<HTMLDivElement>(null);

  const choose = (q: Question, optionId: string, checked: boolean) => {
    setAnswers((current) => {
      const chosen = current[q.id] ?? [];
      const next = q.multiple ? (checked ? [...chosen, optionId] : chosen.filter((id) => id !== optionId)) : [optionId];
      return { ...current, [q.id]: next };
    });
    setErrors(({ [q.id]: _cleared, ...rest }) => rest);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFormError(null);
    const missing = Object.fromEntries(
      questions.filter((q) => (answers[q.id] ?? []).length === 0).map((q) => [q.id, "Answer this question"]),
    );
    if (Object.keys(missing).length > 0) {
      setErrors(missing);
      setFormError(
        Object.keys(missing).length === 1
          ? "Answer the question marked below before submitting."
          : `Answer the ${Object.keys(missing).length} questions marked below before submitting.`,
      );
      summaryRef.current?.focus();
      return;
    }
    startTransition(async () => {
      const result = await submitAssessmentAction({ enrollmentId, attemptNumber, answers });
      if (!result.ok) {
        setFormError(result.message);
        setErrors(Object.fromEntries(Object.entries(result.fields ?? {}).map(([k, v]) => [k, v[0] ?? ""])));
        summaryRef.current?.focus();
        return;
      }
      router.push(resultHref);
      router.refresh();
    });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Knowledge assessment, attempt ${attemptNumber}`}>
      <div ref={summaryRef} tabIndex={-1}>
        {formError ? (
          <FormBanner kind="error">
            {formError}
            {Object.keys(errors).length > 0 ? (
              <ul>
                {questions
                  .filter((q) => errors[q.id])
                  .map((q) => (
                    <li key={q.id}>
                      <a href={`#${questionId(q)}`}>Question {questions.indexOf(q) + 1}</a>
                    </li>
                  ))}
              </ul>
            ) : null}
          </FormBanner>
        ) : null}
      </div>
      {questions.map((q, index) => {
        const errorId = errors[q.id] ? `${questionId(q)}-error` : undefined;
        return (
          <fieldset key={q.id} id={questionId(q)} className={styles.question} aria-describedby={errorId}>
            <legend>
              Question {index + 1} of {questions.length}: {q.prompt}
            </legend>
            {q.multiple ? <p className="muted">Choose every answer that applies.</p> : null}
            {q.options.map((option) => {
              const inputId = `${questionId(q)}-${option.id}`;
              return (
                <div key={option.id} className={styles.option}>
                  <input
                    id={inputId}
                    type={q.multiple ? "checkbox" : "radio"}
                    name={q.id}
                    value={option.id}
                    checked={(answers[q.id] ?? []).includes(option.id)}
                    onChange={(event) => choose(q, option.id, event.target.checked)}
                  />
                  <label htmlFor={inputId}>{option.text}</label>
                </div>
              );
            })}
            {errorId ? (
              <p id={errorId} className="error" style={{ color: "var(--danger)", margin: "0.25rem 0 0" }}>
                {errors[q.id]}
              </p>
            ) : null}
          </fieldset>
        );
      })}
      <button type="submit" className="button" disabled={pending}>
        {pending ? "Submitting…" : "Submit answers"}
      </button>
    </form>
  );
}
