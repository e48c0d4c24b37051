/**
 * The public certification lookup's pure rules: what an answer says about a stakeholder, and how a
 * search box's text is read (an NPI, an NCPDP provider ID, or part of a name or city).
 */
import { zNcpdpId, zNpi } from "../identifiers/zod";
import { isCertified } from "../certification/rules";
import type { EnrollmentStatus, StakeholderKind } from "../generated/prisma/enums";

export type LookupKind = "prescriber" | "pharmacy" | "healthcareSetting";
/** An enrollment status, or NOT_ENROLLED when the stakeholder is known but not in this programme. */
export type LookupStatus = EnrollmentStatus | "NOT_ENROLLED";

export const LOOKUP_KINDS: Record<Exclude<StakeholderKind, "PATIENT">, LookupKind> = {
  PRESCRIBER: "prescriber",
  PHARMACY: "pharmacy",
  HEALTHCARE_SETTING: "healthcareSetting",
};

export interface CertificationAnswer {
  kind: LookupKind;
  name: string;
  certified: boolean;
  status: LookupStatus;
  certificationNumber: string | null;
}

export interface StakeholderFacts {
  kind: LookupKind;
  /** Organisation name, or the prescriber's display name. */
  name: string;
  enrollment: { status: EnrollmentStatus; certificationNumber: string | null } | null;
}

/**
 * The answer the registry gives anyone who asks. A certification number is only given while the
 * certification is in force, so an old number is never presented as valid. A prescriber's name is
 * only given when certified: it confirms who holds the certification without telling strangers who
 * has applied, been refused or been suspended.
 */
export function certificationAnswer(facts: StakeholderFacts): CertificationAnswer {
  const status: LookupStatus = facts.enrollment?.status ?? "NOT_ENROLLED";
  const certified = isCertified(status);
  return {
    kind: facts.kind,
    name: facts.kind === "prescriber" && !certified ? "" : facts.name,
    certified,
    status,
    certificationNumber: certified ? (facts.enrollment?.certificationNumber ?? null) : null,
  };
}

/** How a prescriber is named when the lookup may name them. */
export function prescriberDisplayName(p: { firstName: string; lastName: string; credentials?: string | null }): string {
  const name = `${p.firstName} ${p.lastName}`.trim();
  return p.credentials?.trim() ? `${name}, ${p.credentials.trim()}` : name;
}

const PUBLIC_STATUS_TEXT: Record<LookupStatus, string> = {
  CERTIFIED: "Certified",
  NOT_ENROLLED: "Not enrolled in this programme",
  DRAFT: "Enrollment in progress",
  SUBMITTED: "Enrollment in progress",
  CHANGES_REQUESTED: "Enrollment in progress",
  REJECTED: "Enrollment not approved",
  SUSPENDED: "Certification suspended",
  DECERTIFIED: "Decertified",
  EXPIRED: "Certification expired",
  ENROLLED: "Enrolled",
  NOT_AUTHORIZED: "Not authorized",
  DISENROLLED: "Disenrolled",
};

/** The short explanation shown next to "Not certified" for an organisation. */
export function publicStatusText(status: LookupStatus): string {
  return PUBLIC_STATUS_TEXT[status];
}

export type SearchQuery =
  | { by: "npi"; npi: string }
  | { by: "ncpdpId"; ncpdpId: string }
  | { by: "text"; text: string };

export const MIN_SEARCH_LENGTH = 2;
export const MAX_SEARCH_LENGTH = 100;

/**
 * Reads what someone typed into the organisation search: 10 digits are an NPI, 7 digits an NCPDP
 * provider ID (spaces and dashes ignored; check digits verified so a typo is reported, not "no
 * results"); anything else is matched against names and cities.
 */
export function classifySearch(raw: string): { ok: true; query: SearchQuery } | { ok: false; message: string } {
  const text = raw.trim().replace(/\s+/g, " ");
  const digits = text.replace(/[\s-]/g, "");
  if (/^\d+$/.test(digits)) {
    if (digits.length === 10) {
      const npi = zNpi.safeParse(digits);
      return npi.success
        ? { ok: true, query: { by: "npi", npi: npi.data } }
        : { ok: false, message: npi.error.issues[0]?.message ?? "Check the NPI" };
    }
    if (digits.length === 7) {
      const ncpdp = zNcpdpId.safeParse(digits);
      return ncpdp.success
        ? { ok: true, query: { by: "ncpdpId", ncpdpId: ncpdp.data } }
        : { ok: false, message: ncpdp.error.issues[0]?.message ?? "Check the NCPDP provider ID" };
    }
    return { ok: false, message: "An NPI has 10 digits and an NCPDP provider ID has 7 — check the number" };
  }
  if (text.length < MIN_SEARCH_LENGTH) {
    return {
      ok: false,
      message: `Enter at least ${MIN_SEARCH_LENGTH} characters of a name or city, an NPI or an NCPDP ID`,
    };
  }
  if (text.length > MAX_SEARCH_LENGTH) return { ok: false, message: `Use at most ${MAX_SEARCH_LENGTH} characters` };
  return { ok: true, query: { by: "text", text } };
}
