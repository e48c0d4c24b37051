import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Fragment } from "react";
import styles from "@/components/enrollment/enrollment.module.css";
import { formatDateTime } from "@/lib/format";
import { stepHref } from "@/components/enrollment/links";
import { SignForm } from "@/components/enrollment/sign-form-loader";
import { signerFactor } from "@/lib/auth/mfa";
import { getProgramDefinition } from "@/lib/programs/registry";
import type { TFormField } from "@/lib/programs/schema";
import { loadStep, type StepPageProps } from "../load";
import { StepHeader } from "../step-header";

export const metadata: Metadata = { title: "Review and sign" };

function displayValue(field: TFormField, value: string | undefined): string {
  if (!value) return "—";
  if (field.type === "select") return field.options.find((o) => o.value === value)?.label ?? value;
  if (field.type === "yesNo") return value === "yes" ? "Yes" : "No";
  return value;
}

export default async function ReviewPage(props: StepPageProps) {
  const { actor, view, forPrescriberId } = await loadStep(props, "sign");
  const e = view.enrollment;
  const code = view.program.code;
  if (!e) redirect(stepHref(code, "details", forPrescriberId));
  const { enrollmentForm, training, attestations, signatureMeaning } = view.requirement;
  const groups = [...new Set(enrollmentForm.fields.map((f) => f.group ?? "Details"))];
  const factor = await signerFactor(actor.userId, getProgramDefinition(code)?.esignature.requireMfa ?? false);
  const incomplete = view.progress.filter((s) => s.id !== "sign" && !s.complete);

  return (
    <>
      <StepHeader view={view} current="sign" title="Review and sign" />
      <section className="card" aria-labelledby="review-form">
        <h2 id="review-form">Enrollment form</h2>
        {groups.map((group) => (
          <div key={group}>
            <h3>{group}</h3>
            <dl className={styles.summary}>
              {enrollmentForm.fields
                .filter((f) => (f.group ?? "Details") === group)
                .map((f) => (
                  <Fragment key={f.id}>
                    <dt>{f.label}</dt>
                    <dd>{displayValue(f, view.data.form[f.id])}</dd>
                  </Fragment>
                ))}
            </dl>
          </div>
        ))}
        {view.can.edit ? (
          <p>
            <Link href={stepHref(code, "details", forPrescriberId)}>Change the enrollment form</Link>
          </p>
        ) : null}
      </section>

      {training ? (
        <section className="card" aria-labelledby="review-training">
          <h2 id="review-training">Training</h2>
          <ul>
            {training.sections.map((s) => (
              <li key={s.id}>
                {s.title}:{" "}
                {view.data.training[s.id]
                  ? `read on ${formatDateTime(view.data.training[s.id] ?? "")}`
                  : s.requiresAcknowledgement
                    ? "not yet acknowledged"
                    : "no acknowledgement needed"}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {view.assessment ? (
        <section className="card" aria-labelledby="review-assessment">
          <h2 id="review-assessment">Knowledge assessment</h2>
          <p>
            {view.passedAttempt
              ? `Passed on attempt ${view.passedAttempt.attemptNumber}: ${view.passedAttempt.correctCount} of ${view.passedAttempt.questionCount} correct (${formatDateTime(view.passedAttempt.submittedAt)}).`
              : "Not passed yet."}
          </p>
        </section>
      ) : null}

      <section className="card" aria-labelledby="review-sign">
        <h2 id="review-sign">Attestations and signature</h2>
        {incomplete.length > 0 ? (
          <>
            <p>Complete these steps before signing:</p>
            <ul>
              {incomplete.map((s) => (
                <li key={s.id}>
                  <Link href={stepHref(code, s.id, forPrescriberId)}>{s.label}</Link>
                  {s.missing.length > 0 ? `: ${s.missing.length} item${s.missing.length === 1 ? "" : "s"} missing` : ""}
                </li>
              ))}
            </ul>
          </>
        ) : !view.can.sign ? (
          <>
            <p>
              {view.forPrescriber
                ? `The application is ready. Only ${view.forPrescriber.name} can sign it: ask them to sign in and open this page.`
                : "This application can no longer be signed."}
            </p>
            <ul>
              {attestations.map((a) => (
                <li key={a.id}>{a.text}</li>
              ))}
            </ul>
          </>
        ) : (
          <SignForm
            enrollmentId={e.id}
            attestations={attestations.map((a) => ({
              id: a.id,
              text: a.text,
              checked: Boolean(view.data.attestations[a.id]),
            }))}
            meaning={signatureMeaning}
            reviewDigest={view.reviewDigest}
            expectedVersion={e.version}
            doneHref={`/enrollment/${e.id}`}
            factor={factor}
          />
        )}
      </section>
    </>
  );
}
