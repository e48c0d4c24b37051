/**
 * Evidence on a case: notes, links to records people name by their numbers (DA-…, a patient's REMS
 * id and a day), and uploaded files checked by lib/noncompliance/evidence.ts. Administrators only;
 * every addition and every download is audited.
 */
import { createHash } from "node:crypto";
import type { Actor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import { db, type Db, type DbOrTx, type Tx } from "../db";
import { AppError, fieldErrorsFromZod } from "../errors";
import { isUuid } from "../identifiers/uuid";
import { checkEvidenceFile, safeFileName } from "./evidence";
import { type LinkType, type TAddLink, type TAddNote, ZAddLink, ZAddNote } from "./schema";
import { dateOnly, notFound, requireCaseAccess, validation } from "./common";

// ---------------------------------------------------------------------------
// Evidence

async function requireOpenCase(tx: Tx, caseId: string) {
  const c = await tx.nonComplianceCase.findUnique({ where: { id: caseId }, select: { id: true, state: true } });
  if (!c) throw notFound();
  if (c.state === "CLOSED") throw new AppError("ILLEGAL_TRANSITION", "The case is closed: no evidence can be added.");
  return c;
}

export async function addNote(actor: Actor, input: TAddNote, client: Db = db()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance", client);
  const parsed = ZAddNote.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { caseId, note } = parsed.data;
  return client.$transaction(async (tx) => {
    await requireOpenCase(tx, caseId);
    const row = await tx.nonComplianceEvidence.create({
      data: { caseId, kind: "NOTE", note, addedByUserId: actor.userId },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_added",
      entityType: "NonComplianceCase",
      entityId: caseId,
      after: { evidenceId: row.id, kind: "NOTE" },
    });
    return row;
  });
}

/** Finds the record a link names; a field error when there is none. */
async function resolveLink(client: DbOrTx, linkType: LinkType, reference: string) {
  const words = reference.trim().split(/\s+/);
  const missing = (message: string) => validation({ reference: [message] });
  if (linkType === "DISPENSE_AUTHORIZATION") {
    const number = (words[0] ?? "").toUpperCase();
    const row = await client.dispenseAuthorizationClaim.findUnique({
      where: { authorizationNumber: number },
      select: { id: true, authorizationNumber: true },
    });
    if (!row) throw missing(`There is no dispense authorization ${number}.`);
    return { linkedId: row.id, linkLabel: `Dispense authorization ${row.authorizationNumber}` };
  }
  const remsId = (words[0] ?? "").toUpperCase();
  const day = words[words.length - 1] ?? "";
  if (words.length < (linkType === "INFUSION" ? 2 : 3) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    throw missing(
      linkType === "INFUSION"
        ? "Write the patient's REMS id and the infusion day."
        : "Write the patient's REMS id, the test code and the day.",
    );
  }
  const patient = await client.patient.findUnique({ where: { remsId }, select: { id: true, remsId: true } });
  if (!patient) throw missing(`There is no patient ${remsId}.`);
  if (linkType === "INFUSION") {
    const infusion = await client.infusion.findUnique({
      where: { patientId_infusedOn: { patientId: patient.id, infusedOn: dateOnly(day) } },
      select: { id: true, courseNumber: true, dayInCourse: true },
    });
    if (!infusion) throw missing(`Patient ${remsId} has no infusion on ${day}.`);
    return {
      linkedId: infusion.id,
      linkLabel: `Infusion of ${remsId} on ${day} (course ${infusion.courseNumber}, day ${infusion.dayInCourse})`,
    };
  }
  const testCode = (words[1] ?? "").toUpperCase();
  const result = await client.labResult.findFirst({
    where: { patientId: patient.id, testCode, collectedOn: dateOnly(day) },
    select: { id: true },
  });
  if (!result) throw missing(`Patient ${remsId} has no ${testCode} result collected on ${day}.`);
  return { linkedId: result.id, linkLabel: `${testCode} result of ${remsId} collected on ${day}` };
}

export async function addLink(actor: Actor, input: TAddLink, client: Db = db()) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance", client);
  const parsed = ZAddLink.safeParse(input);
  if (!parsed.success) throw validation(fieldErrorsFromZod(parsed.error));
  const { caseId, linkType, reference } = parsed.data;
  const link = await resolveLink(client, linkType, reference);
  return client.$transaction(async (tx) => {
    await requireOpenCase(tx, caseId);
    const row = await tx.nonComplianceEvidence.create({
      data: { caseId, kind: "LINK", linkType, ...link, addedByUserId: actor.userId },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_added",
      entityType: "NonComplianceCase",
      entityId: caseId,
      after: { evidenceId: row.id, kind: "LINK", linkType, linkedId: link.linkedId, label: link.linkLabel },
    });
    return { id: row.id, label: link.linkLabel };
  });
}

/** Stores an uploaded file after checking its content, name and declared type agree (lib/noncompliance/evidence.ts). */
export async function addFile(
  actor: Actor,
  input: { caseId: string; fileName: string; declaredType: string; bytes: Uint8Array },
  client: Db = db(),
) {
  await requireCaseAccess(actor, "noncompliance:manage:any", "/admin/non-compliance", client);
  if (!isUuid(input.caseId)) throw notFound();
  const check = checkEvidenceFile(input);
  if (!check.ok) {
    const tooLarge = check.message.startsWith("The file is larger");
    throw new AppError(tooLarge ? "PAYLOAD_TOO_LARGE" : "VALIDATION", check.message, {
      fields: { file: [check.message] },
    });
  }
  const fileName = safeFileName(input.fileName);
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  return client.$transaction(async (tx) => {
    await requireOpenCase(tx, input.caseId);
    const row = await tx.nonComplianceEvidence.create({
      data: {
        caseId: input.caseId,
        kind: "FILE",
        fileName,
        contentType: check.contentType,
        sizeBytes: input.bytes.byteLength,
        sha256,
        content: Buffer.from(input.bytes),
        addedByUserId: actor.userId,
      },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_added",
      entityType: "NonComplianceCase",
      entityId: input.caseId,
      after: {
        evidenceId: row.id,
        kind: "FILE",
        fileName,
        contentType: check.contentType,
        sizeBytes: input.bytes.byteLength,
        sha256,
      },
    });
    return { id: row.id, fileName, contentType: check.contentType };
  });
}

/** One uploaded file, for an administrator's download (the download is audited). */
export async function getEvidenceFile(actor: Actor, caseId: string, evidenceId: string, client: Db = db()) {
  await requireCaseAccess(
    actor,
    "noncompliance:read:any",
    `/admin/non-compliance/${caseId}/evidence/${evidenceId}`,
    client,
  );
  if (!isUuid(caseId) || !isUuid(evidenceId)) throw notFound();
  const row = await client.nonComplianceEvidence.findFirst({
    where: { id: evidenceId, caseId, kind: "FILE" },
    select: { fileName: true, contentType: true, content: true, sha256: true },
  });
  if (!row?.content || !row.fileName || !row.contentType) throw new AppError("NOT_FOUND", "There is no such file.");
  await client.$transaction(async (tx) => {
    await recordAudit(tx, actor, {
      action: "noncompliance.evidence_downloaded",
      entityType: "NonComplianceCase",
      entityId: caseId,
      after: { evidenceId, fileName: row.fileName, sha256: row.sha256 },
    });
  });
  return { fileName: row.fileName, contentType: row.contentType, bytes: new Uint8Array(row.content) };
}
