/**
 * The public certification lookup's pure rules: what an answer says about a stakeholder, and how a
 * search box's text is read (an NPI, an NCPDP provider ID, or part of a name or city).
 */
import { isValidRemsId, normalizeRemsId } from "../identifiers/rems-id";
import { zNcpdpId, zNpi } from "../identifiers/zod";
import { isCertified } from "../certification/rules";
import { formatPersonName } from "../format";
import type { EnrollmentStatus, StakeholderKind } from "../generated/prisma/enums";

export type LookupKind = "prescriber" | "pharmacy" | "healthcareSetting";

export const LOOKUP_KINDS: Record<Exclude<StakeholderKind, "PATIENT">, LookupKind> = {
  PRESCRIBER: "prescriber",
  PHARMACY: "pharmacy",
  HEALTHCARE_SETTING: "healthcareSetting",
};

/**
 * What the registry tells anyone who asks: certified or not, and for a certified party what a
 * dispensing pharmacist needs to record it (the certification number and its dates). Never the
 * enrollment status: whether someone applied, was refused, suspended or let it lapse is not public.
 */
export interface CertificationAnswer {
  kind: LookupKind;
  name: string;
  certified: boolean;
  certificationNumber: string | null;
  /** First day of the certification in force (YYYY-MM-DD, UTC); null when not certified. */
  certifiedOn: string | null;
  /** Last day it is valid without recertification (YYYY-MM-DD, UTC); null when not certified or open-ended. */
  expiresOn: string | null;
  /** A healthcare setting's REMS ID (HS-…), the id a pharmacy can name it by; null for other kinds. */
  remsId: string | null;
}

export interface StakeholderFacts {
  kind: LookupKind;
  /** Organisation name, or the prescriber's display name. */
  name: string;
  /** A healthcare setting's REMS ID. */
  remsId?: string | null;
  enrollment: {
    status: EnrollmentStatus;
    certificationNumber: string | null;
    certifiedAt?: Date | null;
    expiresAt?: Date | null;
  } | null;
}

function dayOf(date: Date | null | undefined): string | null {
  return date ? date.toISOString().slice(0, 10) : null;
}

/**
 * The answer the registry gives anyone who asks. A certification number and dates are only given
 * while the certification is in force, so an old number is never presented as valid. A prescriber's
 * name is only given when certified: it confirms who holds the certification without telling
 * strangers who has applied, been refused or been suspended. Organisations are public by name.
 */
export function certificationAnswer(facts: StakeholderFacts): CertificationAnswer {
  const certified = facts.enrollment !== null && isCertified(facts.enrollment.status);
  return {
    kind: facts.kind,
    name: facts.kind === "prescriber" && !certified ? "" : facts.name,
    certified,
    certificationNumber: certified ? (facts.enrollment?.certificationNumber ?? null) : null,
    certifiedOn: certified ? dayOf(facts.enrollment?.certifiedAt) : null,
    expiresOn: certified ? dayOf(facts.enrollment?.expiresAt) : null,
    remsId: facts.kind === "healthcareSetting" ? (facts.remsId ?? null) : null,
  };
}

/** How a prescriber is named when the lookup may name them. */
export function prescriberDisplayName(p: { firstName: string; lastName: string; credentials?: string | null }): string {
  const name = formatPersonName(p);
  return p.credentials?.trim() ? `${name}, ${p.credentials.trim()}` : name;
}

export type SearchQuery =
  | { by: "npi"; npi: string }
  | { by: "ncpdpId"; ncpdpId: string }
  /**
   * A pharmacy's or healthcare setting's REMS id (PH-, HS-) or certification number (DP-, HC-).
   * `text` is set when what was typed was a single word that could also be part of a name or city
   * (an id typed without dashes whose characters are all letters): both are searched.
   */
  | { by: "remsId"; remsId: string; text?: string }
  | { by: "text"; text: string };

/** The ids of organisations the lookup shows: REMS ids and certification numbers of pharmacies and settings. */
const ORGANISATION_ID_PREFIXES = ["PH", "HS", "DP", "HC"];

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
  // An id the results show (typed with or without dashes); its check character must be right. One
  // typed without dashes may consist of letters only, and a word of letters may also be a name or a
  // city: then both are searched, so neither the id nor the word is missed.
  const remsId = normalizeRemsId(text);
  if (remsId && ORGANISATION_ID_PREFIXES.includes(remsId.slice(0, 2)) && isValidRemsId(remsId)) {
    return { ok: true, query: /[\d-]/.test(text) ? { by: "remsId", remsId } : { by: "remsId", remsId, text } };
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
