/**
 * Enrollment documents: the signed enrollment form and the certificate, as PDFs. Only the
 * enrollment's owner (the prescriber, the organisation's representatives, the applicant), the
 * prescriber's delegates (who may read what they prepare: "enrollment:read:linked") and
 * administrators may download them; any other signed-in user is refused and the attempt audited.
 */
import type { Actor } from "../auth/actor";
import { can } from "../auth/permissions";
import { recordAuthorizationFailure } from "../auth/service";
import { KIND_TO_DEFINITION_KEY } from "../certification/transition";
import { db, type Db } from "../db";
import { SIGNATURE_CHECK_LABELS, verifySignatures } from "../signatures/verify";
import { readEnrollmentData } from "../enrollment/rules";
import { env } from "../env";
import { formatPersonName, formatPrescriberName, formatStatus } from "../format";
import { AppError } from "../errors";
import { getProgramDefinition } from "../programs/registry";
import { ZProgramDefinition } from "../programs/schema";
import { certificateDocument, signedFormDocument } from "./content";
import { renderCertificatePdf, renderRecordPdf } from "./pdf";

export interface PdfFile {
  filename: string;
  bytes: Uint8Array;
}

const ownerSelect = {
  id: true,
  kind: true,
  status: true,
  applicantUserId: true,
  prescriberId: true,
  pharmacyId: true,
  healthcareSettingId: true,
  certificationNumber: true,
  certifiedAt: true,
  expiresAt: true,
  submittedAt: true,
  data: true,
  program: { select: { code: true, name: true, definition: true, definitionVersion: true } },
  prescriber: { select: { userId: true, firstName: true, lastName: true, credentials: true, npi: true } },
  pharmacy: { select: { name: true, ncpdpId: true, npi: true, remsId: true } },
  healthcareSetting: { select: { name: true, npi: true, remsId: true } },
  patient: { select: { userId: true, firstName: true, lastName: true, remsId: true } },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type OwnedEnrollment = NonNullable<Awaited<ReturnType<typeof findEnrollment>>>;

function findEnrollment(id: string, client: Db) {
  return client.enrollment.findUnique({ where: { id }, select: ownerSelect });
}

/** Whose enrollment this is: the stakeholder's own account, its organisation's users, the applicant. */
export function ownsEnrollment(
  actor: Pick<Actor, "userId" | "role" | "pharmacyId" | "healthcareSettingId">,
  e: Pick<OwnedEnrollment, "applicantUserId" | "pharmacyId" | "healthcareSettingId"> & {
    prescriber: { userId: string | null } | null;
    patient: { userId: string | null } | null;
  },
): boolean {
  if (e.applicantUserId === actor.userId) return true;
  if (e.prescriber?.userId === actor.userId && can(actor, "enrollment:read:own")) return true;
  if (e.patient?.userId === actor.userId && can(actor, "patient:read:self")) return true;
  if (can(actor, "enrollment:read:org")) {
    if (e.pharmacyId && e.pharmacyId === actor.pharmacyId) return true;
    if (e.healthcareSettingId && e.healthcareSettingId === actor.healthcareSettingId) return true;
  }
  return false;
}

/**
 * Loads the enrollment if the actor may read it. An unknown id is NOT_FOUND; someone else's
 * enrollment is FORBIDDEN and written to the audit trail as "authorization.denied".
 */
async function readableEnrollment(actor: Actor, enrollmentId: string, path: string, client: Db) {
  const enrollment = UUID.test(enrollmentId) ? await findEnrollment(enrollmentId, client) : null;
  if (!enrollment) throw new AppError("NOT_FOUND", "There is no such enrollment.");
  const allowed =
    can(actor, "enrollment:read:any") ||
    ownsEnrollment(actor, enrollment) ||
    (can(actor, "enrollment:read:linked") &&
      enrollment.prescriberId !== null &&
      (await client.prescriberDelegate.count({
        where: { prescriberId: enrollment.prescriberId, userId: actor.userId },
      })) > 0);
  if (!allowed) {
    await recordAuthorizationFailure(actor, "enrollment:read", path, client);
    throw new AppError("FORBIDDEN", "You do not have permission to download this enrollment's documents.");
  }
  return enrollment;
}

function stakeholderName(e: OwnedEnrollment): string {
  if (e.prescriber) return formatPrescriberName(e.prescriber);
  if (e.patient) return formatPersonName(e.patient);
  return e.pharmacy?.name ?? e.healthcareSetting?.name ?? "Unnamed stakeholder";
}

/**
 * The identifiers printed on the documents (what people quote: a pharmacist matches a certificate
 * to the prescription by them), never the internal enrollment id.
 */
function stakeholderIdentifiers(e: OwnedEnrollment): { label: string; value: string }[] {
  const ids: { label: string; value: string | null | undefined }[] = e.prescriber
    ? [{ label: "NPI", value: e.prescriber.npi }]
    : e.patient
      ? [{ label: "Patient REMS ID", value: e.patient.remsId }]
      : e.pharmacy
        ? [
            { label: "NCPDP", value: e.pharmacy.ncpdpId },
            { label: "NPI", value: e.pharmacy.npi },
            { label: "REMS id", value: e.pharmacy.remsId },
          ]
        : e.healthcareSetting
          ? [
              { label: "NPI", value: e.healthcareSetting.npi },
              { label: "REMS id", value: e.healthcareSetting.remsId },
            ]
          : [];
  return ids.filter((id): id is { label: string; value: string } => Boolean(id.value));
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export function signedFormPath(enrollmentId: string): string {
  return `/documents/enrollments/${enrollmentId}/signed-form.pdf`;
}

export function certificatePath(enrollmentId: string): string {
  return `/documents/enrollments/${enrollmentId}/certificate.pdf`;
}

/** The signed enrollment form; CONFLICT while the enrollment has not been signed. */
export async function signedFormPdf(
  actor: Actor,
  enrollmentId: string,
  client: Db = db(),
  now: Date = new Date(),
): Promise<PdfFile> {
  const e = await readableEnrollment(actor, enrollmentId, signedFormPath(enrollmentId), client);
  const [signatures, attempts] = await Promise.all([
    client.signature.findMany({
      where: { OR: [{ enrollmentId: e.id }, { entityType: "Enrollment", entityId: e.id }] },
      select: {
        id: true,
        printedName: true,
        meaning: true,
        signedAt: true,
        contentSha256: true,
        signer: { select: { email: true } },
      },
      orderBy: { signedAt: "asc" },
    }),
    client.assessmentAttempt.findMany({
      where: { enrollmentId: e.id },
      select: { attemptNumber: true, correctCount: true, questionCount: true, passed: true, submittedAt: true },
      orderBy: { attemptNumber: "asc" },
    }),
  ]);
  if (signatures.length === 0) {
    throw new AppError(
      "CONFLICT",
      "This enrollment has not been signed yet, so there is no signed form to download. Finish and sign the enrollment first.",
    );
  }
  const checks = await verifySignatures(
    signatures.map((s) => s.id),
    client,
  );
  const definition = getProgramDefinition(e.program.code) ?? ZProgramDefinition.parse(e.program.definition);
  const doc = signedFormDocument({
    program: { code: e.program.code, name: e.program.name, definitionVersion: e.program.definitionVersion },
    requirement: definition.stakeholders[KIND_TO_DEFINITION_KEY[e.kind]],
    enrollment: {
      id: e.id,
      kind: e.kind,
      status: e.status,
      submittedAt: e.submittedAt,
      certificationNumber: e.certificationNumber,
    },
    stakeholderName: stakeholderName(e),
    identifiers: stakeholderIdentifiers(e),
    data: readEnrollmentData(e.data),
    attempts,
    signatures: signatures.map((s) => ({
      ...s,
      signerEmail: s.signer.email,
      verification: SIGNATURE_CHECK_LABELS[checks.get(s.id) ?? "missing"],
    })),
    generatedAt: now,
  });
  const reference = e.certificationNumber ?? stakeholderIdentifiers(e)[0]?.value ?? "signed-form";
  return {
    filename: `${slug(e.program.code)}-${slug(e.kind)}-enrollment-${reference.replace(/[^A-Za-z0-9-]+/g, "-")}.pdf`,
    bytes: await renderRecordPdf(doc, now),
  };
}

/** The certificate; CONFLICT unless the enrollment is certified right now. */
export async function certificatePdf(
  actor: Actor,
  enrollmentId: string,
  client: Db = db(),
  now: Date = new Date(),
): Promise<PdfFile> {
  const e = await readableEnrollment(actor, enrollmentId, certificatePath(enrollmentId), client);
  if (e.status !== "CERTIFIED" || !e.certificationNumber || !e.certifiedAt) {
    const label = formatStatus(e.status);
    throw new AppError(
      "CONFLICT",
      `There is no certificate: this enrollment is not certified (status: ${label.toLowerCase()}).`,
      { status: e.status },
    );
  }
  const doc = certificateDocument({
    program: { code: e.program.code, name: e.program.name },
    kind: e.kind,
    stakeholderName: stakeholderName(e),
    certificationNumber: e.certificationNumber,
    certifiedAt: e.certifiedAt,
    expiresAt: e.expiresAt,
    identifiers: stakeholderIdentifiers(e),
    status: e.status,
    verifyUrl: `${env().APP_URL.replace(/\/$/, "")}/lookup`,
    generatedAt: now,
  });
  return {
    filename: `${slug(e.program.code)}-certificate-${e.certificationNumber}.pdf`,
    bytes: await renderCertificatePdf(doc, now),
  };
}
