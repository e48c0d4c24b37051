/**
 * The right to dispense follows the registry at every moment: a lifecycle change that removes a
 * party's right to take part voids, in the same transaction, every open approval that depended on
 * that party (status REVOKED, with the reason and the change that caused it, audited), and the
 * pharmacies concerned are told by e-mail which authorizations were revoked.
 *
 * Ordering against the gate, which decides in READ COMMITTED transactions:
 * - The gate takes a shared advisory lock per programme (`dispenseGateLockKey`) before reading its
 *   facts; a revoking change takes the same lock exclusively, before it writes anything. So a
 *   decision in flight commits before the change looks for open approvals (and is revoked with the
 *   rest), and a decision that starts later waits and sees the new status. Shared holders do not
 *   block each other, so the gate's own throughput is untouched; only the rare revoking change waits.
 * - The exclusive lock is taken before the change writes its audit row (the chain's lock comes
 *   after the gate's in every transaction), so the two locks are always taken in the same order.
 * - Confirming a dispense locks the authorization row; the revoking UPDATE locks it too, so a
 *   confirmation and a revocation of the same authorization are serialized either way.
 */
import type { AuditActor } from "../auth/actor";
import { recordAudit } from "../audit/service";
import type { Tx } from "../db";
import { env } from "../env";
import { queueMail } from "../mail/outbox";
import { type RevocationCause, revocationReason } from "./revocation";

/** The advisory lock key the gate (shared) and revoking changes (exclusive) agree on. */
export function dispenseGateLockKey(programId: string): string {
  return `dispense-gate:${programId}`;
}

/** Waits for decisions in flight in this programme and holds new ones until the transaction ends. */
export async function lockDispenseGate(tx: Tx, programId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${dispenseGateLockKey(programId)}, 0))`;
}

export interface RevokedAuthorization {
  id: string;
  authorizationNumber: string;
  pharmacyId: string;
  prescriptionId: string;
}

const PARTY_COLUMN = {
  pharmacy: "pharmacyId",
  prescriber: "prescriberId",
  healthcareSetting: "healthcareSettingId",
  patient: "patientId",
} as const;

/**
 * Revokes every open (APPROVED, unexpired) authorization in the programme that depended on the
 * party named by `cause`, audits each one and e-mails each pharmacy concerned. The caller must
 * hold `lockDispenseGate` for the programme. Returns what was revoked.
 */
export async function revokeOpenAuthorizations(
  tx: Tx,
  params: { programId: string; cause: RevocationCause; actor: AuditActor; now: Date },
): Promise<RevokedAuthorization[]> {
  const { programId, cause, actor, now } = params;
  const reason = revocationReason(cause);
  const column = PARTY_COLUMN[cause.party];
  // The column name comes from the fixed table above, never from input.
  const revoked = await tx.$queryRawUnsafe<RevokedAuthorization[]>(
    `UPDATE "DispenseAuthorization"
        SET "status" = 'REVOKED', "revokedAt" = $1::timestamptz,
            "revocationReason" = $2::jsonb, "revocationCause" = $3::jsonb
      WHERE "programId" = $4::uuid AND "${column}" = $5::uuid
        AND "status" = 'APPROVED' AND "expiresAt" > $1::timestamptz
  RETURNING "id"::text AS "id", "authorizationNumber", "pharmacyId"::text AS "pharmacyId", "prescriptionId"`,
    now,
    JSON.stringify(reason),
    JSON.stringify(cause),
    programId,
    cause.id,
  );
  if (revoked.length === 0) return revoked;
  revoked.sort((a, b) => a.authorizationNumber.localeCompare(b.authorizationNumber));

  for (const row of revoked) {
    await recordAudit(tx, actor, {
      action: "dispense.revoked",
      entityType: "DispenseAuthorization",
      entityId: row.id,
      before: { status: "APPROVED" },
      after: {
        status: "REVOKED",
        authorizationNumber: row.authorizationNumber,
        reason: reason.code,
        cause: { party: cause.party, id: cause.id, status: cause.status, eventId: cause.eventId },
      },
    });
  }
  await notifyPharmacies(tx, revoked, reason.message);
  return revoked;
}

/** One e-mail per pharmacy, listing its revoked authorizations by number and prescription. */
async function notifyPharmacies(tx: Tx, revoked: RevokedAuthorization[], message: string) {
  const byPharmacy = new Map<string, RevokedAuthorization[]>();
  for (const row of revoked) byPharmacy.set(row.pharmacyId, [...(byPharmacy.get(row.pharmacyId) ?? []), row]);
  const pharmacies = await tx.pharmacy.findMany({
    where: { id: { in: [...byPharmacy.keys()] } },
    select: {
      id: true,
      name: true,
      contactEmail: true,
      enrollments: { select: { applicant: { select: { email: true } } } },
    },
  });
  const appUrl = env().APP_URL;
  for (const pharmacy of pharmacies) {
    const rows = byPharmacy.get(pharmacy.id) ?? [];
    const to = pharmacy.contactEmail ?? pharmacy.enrollments.find((e) => e.applicant?.email)?.applicant?.email;
    if (!to || rows.length === 0) continue;
    const list = rows.map((r) => `- ${r.authorizationNumber} (prescription ${r.prescriptionId})`).join("\n");
    await queueMail(tx, {
      to,
      subject: `${rows.length} dispense authorization${rows.length === 1 ? "" : "s"} revoked — do not dispense`,
      text: [
        `Dear ${pharmacy.name},`,
        "",
        `The REMS registry has revoked ${rows.length === 1 ? "this dispense authorization" : "these dispense authorizations"}, which had not been used yet:`,
        "",
        list,
        "",
        message,
        "",
        `Any dispense confirmation under ${rows.length === 1 ? "it" : "them"} will be refused. A new request is decided on the registry's current records.`,
        `Your authorizations: ${appUrl}/pharmacy/authorizations?status=REVOKED`,
      ].join("\n"),
      category: "dispense.revoked",
      entityType: "Pharmacy",
      entityId: pharmacy.id,
    });
  }
}
