import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AssessmentForm } from "@/components/enrollment/assessment-form";
import { stepHref, trainingSectionAnchor } from "@/components/enrollment/links";
import type { PublicAssessment } from "@/lib/enrollment/rules";
import { loadStep, type StepPageProps } from "../load";
import { StepHeader } from "../step-header";

export const metadata: Metadata = { title: "Knowledge assessment" };

function passRuleText(assessment: PublicAssessment): string {
  const total = assessment.questions.length;
  const rule = assessment.passRule;
  if (rule.kind === "percent") return `To pass, answer at least ${rule.value}% of the ${total} questions correctly.`;
  return rule.count === total
    ? `To pass, answer all ${total} questions correctly.`
    : `To pass, answer at least ${rule.count} of the ${total} questions correctly.`;
}

export default async function AssessmentPage(props: StepPageProps) {
  const { view, query, forPrescriberId } = await loadStep(props, "assessment");
  const e = view.enrollment;
  const assessment = view.assessment;
  const code = view.program.code;
  if (!e) redirect(stepHref(code, "details", forPrescriberId));
  if (!assessment) redirect(stepHref(code, "sign", forPrescriberId));
  const trainingDone = view.progress.find((s) => s.id === "training")?.complete ?? true;
  const last = view.latestAttempt;
  const retake = query.retake === "1";

  let body: ReactNode;
  if (view.passedAttempt) {
    body = (
      <>
        <div className="banner ok" role="status">
          You passed the knowledge assessment: {view.passedAttempt.correctCount} of {view.passedAttempt.questionCount}{" "}
          questions answered correctly.
        </div>
        <Link className="button" href={stepHref(code, "sign", forPrescriberId)}>
          Continue to review and sign
        </Link>
      </>
    );
  } else if (!view.can.learn) {
    body = (
      <p>
        {view.forPrescriber
          ? `Only ${view.forPrescriber.name} can take the knowledge assessment.`
          : "The knowledge assessment can no longer be taken."}
      </p>
    );
  } else if (view.assessmentLocked) {
    body = (
      <div className="banner error" role="alert">
        You have used every attempt the programme allows. Contact the REMS administrator to continue.
      </div>
    );
  } else if (!trainingDone) {
    body = (
      <>
        <p>Acknowledge every section of the training before taking the knowledge assessment.</p>
        <Link className="button" href={stepHref(code, "training", forPrescriberId)}>
          Go to the training
        </Link>
      </>
    );
  } else if (last && !last.passed && !retake) {
    body = (
      <>
        <h2>Result of attempt {last.attemptNumber}</h2>
        <div className="banner warn" role="status">
          You answered {last.correctCount} of {last.questionCount} questions correctly. This attempt did not pass.{" "}
          {passRuleText(assessment)}
        </div>
        <h3>Topics to review</h3>
        <ul>
          {last.topicsToReview.map((t) => (
            <li key={t.topic}>
              {t.sectionId ? (
                <Link href={stepHref(code, "training", forPrescriberId, trainingSectionAnchor(t.sectionId))}>
                  {t.topic}
                  {t.sectionTitle && t.sectionTitle !== t.topic ? ` (training section “${t.sectionTitle}”)` : ""}
                </Link>
              ) : (
                t.topic
              )}
            </li>
          ))}
        </ul>
        <p>Read those parts of the training again, then retake the assessment.</p>
        <Link
          className="button"
          href={`${stepHref(code, "assessment", forPrescriberId)}${forPrescriberId ? "&" : "?"}retake=1`}
        >
          Retake the assessment
        </Link>
      </>
    );
  } else {
    body = (
      <>
        <p>
          {passRuleText(assessment)} {last ? `This is attempt ${view.nextAttemptNumber}.` : ""} Your answers are scored
          when you submit them; a failed attempt tells you which topics to review.
        </p>
        <AssessmentForm
          enrollmentId={e.id}
          attemptNumber={view.nextAttemptNumber}
          questions={assessment.questions}
          resultHref={stepHref(code, "assessment", forPrescriberId)}
        />
      </>
    );
  }

  return (
    <>
      <StepHeader view={view} current="assessment" title="Knowledge assessment" />
      <div className="card">{body}</div>
    </>
  );
}
