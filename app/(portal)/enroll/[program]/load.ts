import "server-only";
import { forbidden, notFound, redirect } from "next/navigation";
import { getPageActor, requirePagePermission } from "@/lib/auth/session";
import type { StepId } from "@/lib/enrollment/rules";
import { applicantPagePermission, type EnrollmentView, getEnrollmentWorkspace } from "@/lib/enrollment/service";
import { AppError } from "@/lib/errors";
import { STEP_SEGMENT, withFor } from "@/components/enrollment/links";

export interface StepPageProps {
  params: Promise<{ program: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * Shared by the step pages: the signed-in applicant (or a 403, audited), their application in
 * this programme, and the delegate's chosen prescriber from `?for=`.
 */
export async function loadStep(props: StepPageProps, step: StepId | null) {
  const { program } = await props.params;
  const query = await props.searchParams;
  const forPrescriberId = typeof query.for === "string" ? query.for : undefined;
  const path = withFor(`/enroll/${program}${step ? `/${STEP_SEGMENT[step]}` : ""}`, forPrescriberId);
  const signedIn = await getPageActor();
  if (!signedIn) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  const actor = await requirePagePermission(applicantPagePermission(signedIn.role, "update"), path);
  let view: EnrollmentView;
  try {
    view = await getEnrollmentWorkspace(actor, { programCode: program, prescriberId: forPrescriberId });
  } catch (error) {
    if (error instanceof AppError) {
      if (error.code === "FORBIDDEN") forbidden();
      if (error.code === "NOT_FOUND") notFound();
      // A delegate who has not chosen a prescriber (or has none yet) chooses on the start page.
      if (error.code === "BAD_REQUEST") redirect("/enroll");
    }
    throw error;
  }
  // A submitted (or decided) application is read-only: its status page says where it stands.
  if (view.enrollment && !view.editable && step !== null) {
    redirect(withFor(`/enrollment/${view.enrollment.id}`, null));
  }
  return { actor, view, query, forPrescriberId: view.forPrescriber?.id ?? null };
}

/** The step that follows `current` in this application's flow. */
export function stepAfter(view: EnrollmentView, current: StepId): StepId {
  const index = view.progress.findIndex((s) => s.id === current);
  return view.progress[index + 1]?.id ?? "sign";
}
