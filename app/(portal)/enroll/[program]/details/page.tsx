import type { Metadata } from "next";
import { DetailsForm } from "@/components/enrollment/details-form-loader";
import { stepHref } from "@/components/enrollment/links";
import { loadStep, type StepPageProps, stepAfter } from "../load";
import { StepHeader } from "../step-header";

export const metadata: Metadata = { title: "Enrollment form" };

export default async function DetailsPage(props: StepPageProps) {
  const { actor, view, forPrescriberId } = await loadStep(props, "details");
  const e = view.enrollment;
  return (
    <>
      <StepHeader view={view} current="details" title="Enrollment form" />
      <div className="card">
        <p className="muted">
          Fields are required unless marked optional. Your answers are saved when you select “Save and continue”, and
          you can come back to change them until you sign.
        </p>
        <DetailsForm
          programCode={view.program.code}
          enrollmentId={e?.id ?? null}
          prescriberId={forPrescriberId}
          form={view.requirement.enrollmentForm}
          initialValues={view.formValues}
          draftKey={`remsgate.enroll.${actor.userId}.${view.program.code}.${forPrescriberId ?? "own"}`}
          nextHref={stepHref(view.program.code, stepAfter(view, "details"), forPrescriberId)}
        />
      </div>
    </>
  );
}
