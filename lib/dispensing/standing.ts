/**
 * Where a pharmacy stands with the dispense gate, per programme: whether the gate lets it ask for
 * authorizations (./rules.ts pharmacyMayRequest) and, when it does not, what it is told instead. The
 * pharmacist's request screen shows this instead of a form that could only lead to a denial, and the
 * interop entry points answer with it before looking at any patient.
 */
import type { CertificationStatus } from "../certification/rules";
import { type Db, db } from "../db";
import { listProgramDefinitions } from "../programs/registry";
import type { TProgramDefinition } from "../programs/schema";
import { type DispenseCaller, requireAuthorizer, type ServiceOptions } from "./caller";
import type { DispenseReason } from "./facts";
import { reasonFor } from "./messages";
import { pharmacyMayRequest } from "./rules";

export interface PharmacyStanding {
  programCode: string;
  programName: string;
  /** The pharmacy's certification status in the programme; null when it is not enrolled in it. */
  status: CertificationStatus | null;
  /** The gate lets it ask (certified, or excused by the programme or by enforcement discretion). */
  mayRequest: boolean;
  /** While it may not ask: the gate's PHARMACY_NOT_CERTIFIED reason, saying what to do next. */
  reason: DispenseReason | null;
}

/** The pharmacy's standing in each of the given programmes (one round trip for the statuses). */
export async function findPharmacyStandings(
  client: Db,
  pharmacyId: string,
  programs: readonly TProgramDefinition[],
  now: Date,
): Promise<PharmacyStanding[]> {
  if (programs.length === 0) return [];
  const codes = programs.map((p) => p.code);
  const [enrollments, discretion] = await Promise.all([
    client.enrollment.findMany({
      where: { pharmacyId, program: { code: { in: codes } } },
      select: { status: true, program: { select: { code: true } } },
    }),
    client.enforcementDiscretion.findMany({
      where: { endedAt: null, startsAt: { lte: now }, endsAt: { gt: now } },
      select: { programId: true },
    }),
  ]);
  const underDiscretion = new Set(
    discretion.length === 0
      ? []
      : (
          await client.program.findMany({
            where: { id: { in: discretion.map((d) => d.programId) } },
            select: { code: true },
          })
        ).map((p) => p.code),
  );
  const statusOf = new Map(enrollments.map((e) => [e.program.code, e.status as CertificationStatus]));
  return programs.map((program) => {
    const status = statusOf.get(program.code) ?? null;
    const mayRequest = pharmacyMayRequest(program, status, underDiscretion.has(program.code));
    return {
      programCode: program.code,
      programName: program.name,
      status,
      mayRequest,
      reason: mayRequest
        ? null
        : reasonFor("PHARMACY_NOT_CERTIFIED", { programName: program.name, pharmacyStatus: status }),
    };
  });
}

/** dispense:authorize:org. The caller's pharmacy's standing in every programme the registry runs. */
export async function getPharmacyStandings(
  caller: DispenseCaller,
  options: ServiceOptions = {},
): Promise<PharmacyStanding[]> {
  requireAuthorizer(caller);
  return findPharmacyStandings(
    options.client ?? db(),
    caller.pharmacyId,
    listProgramDefinitions(),
    options.now ?? new Date(),
  );
}
