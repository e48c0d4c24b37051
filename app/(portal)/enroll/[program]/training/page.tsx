import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { stepHref } from "@/components/enrollment/links";
import { TrainingSections } from "@/components/enrollment/training-sections";
import { loadStep, type StepPageProps, stepAfter } from "../load";
import { StepHeader } from "../step-header";

export const metadata: Metadata = { title: "Training" };

export default async function TrainingPage(props: StepPageProps) {
  const { view, forPrescriberId } = await loadStep(props, "training");
  const e = view.enrollment;
  const training = view.requirement.training;
  if (!e) redirect(stepHref(view.program.code, "details", forPrescriberId));
  if (!training) redirect(stepHref(view.program.code, stepAfter(view, "details"), forPrescriberId));
  const next = stepAfter(view, "training");
  return (
    <>
      <StepHeader view={view} current="training" title={training.title} />
      <div className="card">
        <TrainingSections
          enrollmentId={e.id}
          sections={training.sections}
          acknowledged={view.data.training}
          readOnlyReason={
            view.can.learn
              ? null
              : view.forPrescriber
                ? `Only ${view.forPrescriber.name} can acknowledge the training.`
                : "The training can no longer be changed."
          }
          next={{
            href: stepHref(view.program.code, next, forPrescriberId),
            label: next === "assessment" ? "Continue to the knowledge assessment" : "Continue to review and sign",
          }}
        />
      </div>
    </>
  );
}
