import type { Db, Tx } from "../db";
import { AppError, fieldErrorsFromZod } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import type { DispenseStatus } from "../generated/prisma/enums";
import type { DispenseFacts, DispenseReason, PharmacyOnlyFacts } from "./facts";
import { answerForPharmacy, deniesPharmacyItself } from "./rules";
import type { TDispenseAnswer, TDispenseAuthorizationView, TDispenseStatus } from "./schema";

export const viewSelect = {
  id: true,
  decision: true,
  status: true,
  authorizationNumber: true,
  programCode: true,
  prescriptionId: true,
  prescriberNpi: true,
  patientRemsId: true,
  healthcareSettingRef: true,
  ndc: true,
  quantity: true,
  reasons: true,
  warnings: true,
  enforcementDiscretion: true,
  duplicateOfId: true,
  createdAt: true,
  expiresAt: true,
  dispensedAt: true,
  dispensedQuantity: true,
  lotNumber: true,
  reversedAt: true,
  reversalReason: true,
  revokedAt: true,
  revocationReason: true,
} satisfies Prisma.DispenseAuthorizationSelect;

export type ViewRow = Prisma.DispenseAuthorizationGetPayload<{ select: typeof viewSelect }> & {
  /** The number (DA-…) of the authorization a DUPLICATE_REQUEST points at, when looked up. */
  duplicateOfNumber?: string | null;
};

/** Adds the number of the authorization each duplicate points at: people quote numbers, not ids. */
export async function withDuplicateNumbers<T extends ViewRow>(client: Db | Tx, rows: T[]): Promise<T[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.duplicateOfId ? [r.duplicateOfId] : [])))];
  if (ids.length === 0) return rows;
  // From the claims (one unpartitioned index), not the monthly partitions (./keys.ts).
  const found = await client.dispenseAuthorizationClaim.findMany({
    where: { id: { in: ids } },
    select: { id: true, authorizationNumber: true },
  });
  const numbers = new Map(found.map((r) => [r.id, r.authorizationNumber]));
  return rows.map((r) => (r.duplicateOfId ? { ...r, duplicateOfNumber: numbers.get(r.duplicateOfId) ?? null } : r));
}

/** An APPROVED authorization whose expiry has passed reads as EXPIRED even before the job marks it. */
export function effectiveStatus(row: { status: DispenseStatus; expiresAt: Date | null }, now: Date): TDispenseStatus {
  if (row.status === "APPROVED" && row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "EXPIRED";
  return row.status;
}

/**
 * A stored decision as the pharmacy reads it (./rules.ts answerForPharmacy): requests decided before
 * answers to a pharmacy that may not take part were limited are shown limited too.
 */
function toldOf(row: ViewRow) {
  const { answer, withheld } = answerForPharmacy({
    reasons: row.reasons as unknown as DispenseReason[],
    warnings: row.warnings as unknown as DispenseReason[],
  });
  const duplicate = !withheld.includes("DUPLICATE_REQUEST");
  return {
    reasons: answer.reasons,
    warnings: answer.warnings,
    duplicateOfId: duplicate ? row.duplicateOfId : null,
    duplicateOfNumber: duplicate ? (row.duplicateOfNumber ?? null) : null,
  };
}

/**
 * The facts stored with a request as the pharmacy reads them ("What was checked"): only its own
 * certification when that denied the request (./rules.ts answerForPharmacy). The stored row keeps
 * them all, for the REMS administrator.
 */
export function factsForPharmacy(
  facts: DispenseFacts | null,
  reasons: readonly DispenseReason[],
): DispenseFacts | PharmacyOnlyFacts | null {
  if (!facts || !deniesPharmacyItself({ reasons })) return facts;
  return { pharmacyOnly: true, pharmacy: facts.pharmacy ?? { certificationStatus: null } };
}

/** The API's view of a stored authorization, as of `now`. */
export function toView(row: ViewRow, now: Date): TDispenseAuthorizationView {
  const told = toldOf(row);
  return {
    id: row.id,
    decision: row.decision,
    status: effectiveStatus(row, now),
    authorizationNumber: row.authorizationNumber,
    programCode: row.programCode,
    prescriptionId: row.prescriptionId,
    prescriberNpi: row.prescriberNpi,
    patientRemsId: row.patientRemsId,
    healthcareSettingId: row.healthcareSettingRef,
    ndc: row.ndc,
    quantity: row.quantity,
    reasons: told.reasons,
    warnings: told.warnings,
    enforcementDiscretion: row.enforcementDiscretion,
    duplicateOfId: told.duplicateOfId,
    duplicateOfNumber: told.duplicateOfNumber,
    requestedAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    dispensedAt: row.dispensedAt?.toISOString() ?? null,
    dispensedQuantity: row.dispensedQuantity,
    lotNumber: row.lotNumber,
    reversedAt: row.reversedAt?.toISOString() ?? null,
    reversalReason: row.reversalReason,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    revocationReason: (row.revocationReason as unknown as DispenseReason | null) ?? null,
  };
}

/** The POST answer for a stored request (identical on replay). */
export function answerOf(row: ViewRow): TDispenseAnswer {
  const told = toldOf(row);
  const warnings = told.warnings;
  if (row.decision === "APPROVED") {
    return {
      id: row.id,
      decision: "APPROVED",
      authorizationNumber: row.authorizationNumber ?? "",
      expiresAt: (row.expiresAt ?? new Date(0)).toISOString(),
      warnings,
      ...(row.enforcementDiscretion ? { enforcementDiscretion: true } : {}),
    };
  }
  return {
    id: row.id,
    decision: "DENIED",
    reasons: told.reasons,
    warnings,
    ...(told.duplicateOfId ? { duplicateOfId: told.duplicateOfId } : {}),
    ...(told.duplicateOfNumber ? { duplicateOfNumber: told.duplicateOfNumber } : {}),
  };
}

export function parseBody<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  body: unknown,
  what: string,
): T {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("BAD_REQUEST", `Send the ${what} as a JSON object.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new AppError("VALIDATION", `Check the ${what}: some fields are missing or not valid.`, {
      fields: fieldErrorsFromZod(parsed.error),
    });
  }
  return parsed.data;
}
