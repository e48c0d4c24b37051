/**
 * Who may record monitoring results and status forms for a patient: the patient's prescriber, or
 * office staff linked to that prescriber. Kept in one place so the patient service's own ownership
 * check can replace it.
 */
import type { Actor } from "../auth/actor";
import { recordAuthorizationFailure } from "../auth/service";
import type { Db, DbOrTx } from "../db";
import { AppError, isAppError } from "../errors";

/** The prescriber ids whose patients the actor may record for (empty for every other role). */
export async function recordablePrescriberIds(actor: Actor, client: DbOrTx): Promise<Set<string>> {
  if (actor.role === "PRESCRIBER") {
    const own = await client.prescriber.findUnique({ where: { userId: actor.userId }, select: { id: true } });
    return new Set(own ? [own.id] : []);
  }
  if (actor.role === "PRESCRIBER_DELEGATE") {
    const links = await client.prescriberDelegate.findMany({
      where: { userId: actor.userId },
      select: { prescriberId: true },
    });
    return new Set(links.map((l) => l.prescriberId));
  }
  return new Set();
}

export interface RecordablePatient {
  id: string;
  remsId: string;
  firstName: string;
  lastName: string;
  dateOfBirth: Date;
  prescriberId: string | null;
  /** The patient's enrollments; monitoring runs from certifiedAt (enrolled), else createdAt. */
  enrollments: {
    programId: string;
    status: string;
    createdAt: Date;
    certifiedAt: Date | null;
    program: { code: string };
  }[];
}

/** The patient, when the actor may record for them; NOT_FOUND otherwise (no hint it exists). */
export async function assertCanRecordFor(actor: Actor, patientId: string, client: DbOrTx): Promise<RecordablePatient> {
  const allowed = await recordablePrescriberIds(actor, client);
  const patient = await client.patient.findUnique({
    where: { id: patientId },
    select: {
      id: true,
      remsId: true,
      firstName: true,
      lastName: true,
      dateOfBirth: true,
      prescriberId: true,
      enrollments: {
        where: { kind: "PATIENT" },
        select: {
          programId: true,
          status: true,
          createdAt: true,
          certifiedAt: true,
          program: { select: { code: true } },
        },
      },
    },
  });
  if (!patient || patient.prescriberId === null || !allowed.has(patient.prescriberId)) {
    throw new AppError("NOT_FOUND", "There is no such patient among yours.");
  }
  return patient;
}

/** assertCanRecordFor outside a transaction: a refusal is audited (authorization.denied), then thrown. */
export async function requireRecordablePatient(
  actor: Actor,
  patientId: string,
  client: Db,
): Promise<RecordablePatient> {
  try {
    return await assertCanRecordFor(actor, patientId, client);
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") {
      await recordAuthorizationFailure(actor, "patient:record", `patient/${patientId}`, client);
    }
    throw error;
  }
}
