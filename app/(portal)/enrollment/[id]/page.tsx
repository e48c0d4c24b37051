import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound, redirect } from "next/navigation";
import { z } from "zod";
import { EnrollmentStatus } from "@/components/enrollment/enrollment-status";
import { getPageActor, requirePagePermission } from "@/lib/auth/session";
import { applicantPagePermission, type EnrollmentView, getEnrollmentForApplicant } from "@/lib/enrollment/service";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Enrollment status" };

/** One application's status. Someone else's application answers 403 (the service audits it). */
export default async function EnrollmentByIdPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/enrollment/${id}`;
  const signedIn = await getPageActor();
  if (!signedIn) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  const actor = await requirePagePermission(applicantPagePermission(signedIn.role, "read"), path);
  if (!z.uuid().safeParse(id).success) notFound();
  let view: EnrollmentView;
  try {
    view = await getEnrollmentForApplicant(actor, id);
  } catch (error) {
    if (error instanceof AppError && error.code === "FORBIDDEN") forbidden();
    throw error;
  }
  return (
    <>
      <h1>Enrollment status</h1>
      <EnrollmentStatus view={view} />
      <p>
        <Link href="/enrollment">All your enrollments</Link>
      </p>
    </>
  );
}
