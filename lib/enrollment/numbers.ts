import type { StakeholderKind } from "../generated/prisma/enums";

/**
 * Certification numbers are REMS ids (lib/identifiers/rems-id.ts: Crockford base32 with a check
 * character) whose prefix says what was certified.
 */
const CERTIFICATION_PREFIX: Record<StakeholderKind, string> = {
  PRESCRIBER: "RX",
  PHARMACY: "DP",
  HEALTHCARE_SETTING: "HC",
  PATIENT: "PT",
};

export function certificationNumberPrefix(kind: StakeholderKind): string {
  return CERTIFICATION_PREFIX[kind];
}
