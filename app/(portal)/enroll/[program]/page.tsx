import { redirect } from "next/navigation";
import { stepHref } from "@/components/enrollment/links";
import { loadStep, type StepPageProps } from "./load";

/** Resumes the enrollment at the first step that is not complete. */
export default async function ResumeEnrollment(props: StepPageProps) {
  const { view, forPrescriberId } = await loadStep(props, null);
  if (view.enrollment && !view.editable) redirect(`/enrollment/${view.enrollment.id}`);
  const next = view.enrollment ? (view.progress.find((s) => !s.complete)?.id ?? "sign") : "details";
  redirect(stepHref(view.program.code, next, forPrescriberId));
}
