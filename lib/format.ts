/*
 * What people read instead of stored values: one formatter for statuses and codes, one for dates.
 * Pure and locale-independent on purpose: the same text on the server, in every browser (no
 * hydration mismatch from a different ICU build) and in PDFs. Times are always UTC, said so.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NONE = "—";

type DateInput = Date | string | null | undefined;

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === "") return null;
  // A bare calendar day ("2026-05-04") is that day, not local midnight somewhere.
  const date = typeof value === "string" ? new Date(DAY_ONLY.test(value) ? `${value}T00:00:00Z` : value) : value;
  return Number.isNaN(date.getTime()) ? null : date;
}

function day(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "4 May 2026"; "—" when there is no date. Accepts a Date, an ISO instant or a "YYYY-MM-DD" day. */
export function formatDate(value: DateInput): string {
  if (typeof value === "string" && value !== "" && !toDate(value)) return value;
  const date = toDate(value);
  return date ? day(date) : NONE;
}

/** "4 May 2026, 14:05 UTC"; "—" when there is no date. */
export function formatDateTime(value: DateInput): string {
  if (typeof value === "string" && value !== "" && !toDate(value)) return value;
  const date = toDate(value);
  if (!date) return NONE;
  const hh = String(date.getUTCHours()).padStart(2, "0");
  const mm = String(date.getUTCMinutes()).padStart(2, "0");
  return `${day(date)}, ${hh}:${mm} UTC`;
}

// ---------------------------------------------------------------------------
// Statuses and codes

/** Certification of a prescriber, pharmacy or healthcare setting (and the application before it). */
export const CERTIFICATION_STATUS_LABELS = {
  DRAFT: "Enrollment in progress",
  SUBMITTED: "Submitted, awaiting review",
  CHANGES_REQUESTED: "Changes requested",
  CERTIFIED: "Certified",
  REJECTED: "Rejected",
  SUSPENDED: "Suspended",
  DECERTIFIED: "Decertified",
  EXPIRED: "Expired",
} as const;

/** A patient's enrollment: DRAFT means the form waits for the prescriber's and patient's signatures. */
export const PATIENT_STATUS_LABELS = {
  DRAFT: "Pending signatures",
  ENROLLED: "Enrolled",
  NOT_AUTHORIZED: "Not authorized",
  DISENROLLED: "Disenrolled",
} as const;

export const DISPENSE_STATUS_LABELS = {
  APPROVED: "Approved, not yet dispensed",
  DENIED: "Denied",
  DISPENSED: "Dispensed",
  REVERSED: "Dispense reversed",
  EXPIRED: "Expired unused",
  REVOKED: "Revoked — do not dispense",
} as const;

export const DISPENSE_DECISION_LABELS = { APPROVED: "Approved", DENIED: "Denied" } as const;

export const STAKEHOLDER_KIND_LABELS = {
  PRESCRIBER: "Prescriber",
  PHARMACY: "Pharmacy",
  HEALTHCARE_SETTING: "Healthcare setting",
  PATIENT: "Patient",
} as const;

/** The registry browser's lists, by the word in their address. */
export const REGISTRY_LIST_LABELS = {
  prescribers: "Prescribers",
  pharmacies: "Pharmacies",
  settings: "Healthcare settings",
  patients: "Patients",
} as const;

export const ORGANISATION_TYPE_LABELS = {
  SPECIALTY: "Specialty pharmacy",
  HOSPITAL: "Hospital pharmacy",
  RETAIL: "Retail pharmacy",
  INFUSION_CENTER: "Infusion center",
  HOSPITAL_OUTPATIENT: "Hospital outpatient department",
  PHYSICIAN_OFFICE: "Physician office",
} as const;

/** A pharmacy's or healthcare setting's type ("INFUSION_CENTER" → "Infusion center"). */
export function formatOrganisationType(type: string | null | undefined): string {
  if (!type) return NONE;
  return ORGANISATION_TYPE_LABELS[type as keyof typeof ORGANISATION_TYPE_LABELS] ?? humanizeCode(type);
}

/** Short names of the reasons a dispense request can be refused (the full text is in lib/dispensing/messages.ts). */
export const DENIAL_REASON_LABELS = {
  PHARMACY_NOT_CERTIFIED: "Pharmacy not certified",
  PRESCRIBER_NOT_CERTIFIED: "Prescriber not certified",
  PRESCRIBER_SUSPENDED: "Prescriber suspended",
  PATIENT_NOT_ENROLLED: "Patient not enrolled",
  PATIENT_NOT_WITH_PRESCRIBER: "Patient not under this prescriber",
  SETTING_NOT_CERTIFIED: "Healthcare setting not certified",
  PATIENT_NOT_AT_SETTING: "Patient not at this healthcare setting",
  BASELINE_LABS_MISSING: "Baseline tests missing",
  BASELINE_LABS_STALE: "Baseline tests too old",
  MONITORING_OVERDUE: "Monitoring overdue",
  STATUS_FORM_OVERDUE: "Patient Status Form overdue",
  COURSE_INTERVAL_TOO_SHORT: "Too soon after the last course",
  QUANTITY_EXCEEDS_COURSE: "Quantity above the course maximum",
  NDC_NOT_IN_PROGRAM: "Product (NDC) not in the programme",
  PROGRAM_UNKNOWN: "Unknown programme",
  DUPLICATE_REQUEST: "Duplicate of an approved request",
} as const;

/** "MONITORING_OVERDUE" → "Safety monitoring overdue"; an unknown code is turned into words. */
export function formatDenialReason(code: string | null | undefined): string {
  if (!code) return NONE;
  return DENIAL_REASON_LABELS[code as keyof typeof DENIAL_REASON_LABELS] ?? humanizeCode(code);
}

/** An enrollment's status in the words of its kind (a patient's DRAFT is "Pending signatures"). */
export function formatEnrollmentStatus(status: string | null | undefined, kind: string): string {
  return formatStatus(status, kind === "PATIENT" ? "patient" : "certification");
}

/** Where an outgoing e-mail stands: sent (when), failing (how often, why) or waiting. */
export function formatMailDelivery(mail: { sentAt: Date | null; attempts: number; lastError: string | null }): string {
  if (mail.sentAt) return `Sent ${formatDateTime(mail.sentAt)}`;
  if (mail.attempts > 0) {
    const tries = `${mail.attempts} attempt${mail.attempts === 1 ? "" : "s"}`;
    return `Not delivered yet (${tries}${mail.lastError ? `: ${mail.lastError.slice(0, 120)}` : ""}); retrying`;
  }
  return "Waiting to be sent";
}

/** What each role is called on screen (the registry's words, not the stored enum). */
export const ROLE_LABELS = {
  PRESCRIBER: "Prescriber",
  PRESCRIBER_DELEGATE: "Prescriber delegate",
  PHARMACIST: "Pharmacy",
  SETTING_REP: "Healthcare setting",
  PATIENT: "Patient",
  ADMIN: "REMS administrator",
} as const;

/** "SETTING_REP" → "Healthcare setting"; a role no table knows is turned into words. */
export function formatRole(role: string | null | undefined): string {
  if (!role) return NONE;
  // Not an account's role: the audit trail's name for a pharmacy system acting with an API key.
  if (role === "API_KEY") return "Pharmacy system (API key)";
  return ROLE_LABELS[role as keyof typeof ROLE_LABELS] ?? humanizeCode(role);
}

/** A person by first and last name ("Ada Okafor"); no stray space when one of them is empty. */
export function formatPersonName(p: { firstName: string; lastName: string }): string {
  return `${p.firstName} ${p.lastName}`.trim();
}

/** A prescriber as their patients and papers name them: "Ada Okafor, MD" (no comma without credentials). */
export function formatPrescriberName(p: { firstName: string; lastName: string; credentials?: string | null }): string {
  const name = formatPersonName(p);
  return p.credentials ? `${name}, ${p.credentials}` : name;
}

/** Which list of labels a status belongs to: the same stored value reads differently per subject. */
export type StatusSubject = "certification" | "patient" | "dispense" | "decision";

const STATUS_TABLES: Record<StatusSubject, Readonly<Record<string, string>>> = {
  certification: CERTIFICATION_STATUS_LABELS,
  patient: PATIENT_STATUS_LABELS,
  dispense: DISPENSE_STATUS_LABELS,
  decision: DISPENSE_DECISION_LABELS,
};

/** Values of the shared enrollment enum that only patients take. */
const PATIENT_ONLY = new Set(["ENROLLED", "NOT_AUTHORIZED", "DISENROLLED"]);

/**
 * The words for a stored status. Without a subject, a value of the shared enrollment enum reads as
 * a certification status, or a patient status for the values only patients take. A value no table
 * knows is turned into words ("SOME_NEW_STATE" → "Some new state") rather than shown raw.
 */
export function formatStatus(status: string | null | undefined, subject?: StatusSubject): string {
  if (!status) return NONE;
  const table = STATUS_TABLES[subject ?? (PATIENT_ONLY.has(status) ? "patient" : "certification")];
  return table[status] ?? humanizeCode(status);
}

/** "HEALTHCARE_SETTING" or "healthcareSetting" → "Healthcare setting". */
export function formatStakeholderKind(kind: string | null | undefined): string {
  if (!kind) return NONE;
  const key = kind.includes("_") || kind === kind.toUpperCase() ? kind : kind.replace(/[A-Z]/g, (c) => `_${c}`);
  return STAKEHOLDER_KIND_LABELS[key.toUpperCase() as keyof typeof STAKEHOLDER_KIND_LABELS] ?? humanizeCode(kind);
}

/** The name a programme gives a monitoring test ("CBC" → "Complete blood count with differential"). */
export function formatTestName(code: string, testTypes: readonly { code: string; name: string }[]): string {
  return testTypes.find((t) => t.code === code)?.name ?? humanizeCode(code);
}

/**
 * What the audit trail calls each kind of record it names (the stored value is the model's name,
 * kept for the export). The list doubles as the viewer's record-type filter.
 */
export const AUDIT_RECORD_TYPE_LABELS = {
  AdministratorRequest: "Administrator request",
  AuditEvent: "Audit trail",
  AuditVerification: "Audit trail verification",
  DispenseAuthorization: "Dispense authorization",
  EnforcementDiscretion: "Enforcement discretion period",
  Enrollment: "Enrollment",
  HealthcareSetting: STAKEHOLDER_KIND_LABELS.HEALTHCARE_SETTING,
  Infusion: "Infusion",
  Invitation: "Invitation",
  LabImport: "Lab results file",
  LabResult: "Lab result",
  NcpdpMessage: "NCPDP SCRIPT message",
  NonComplianceCase: "Non-compliance case",
  Patient: STAKEHOLDER_KIND_LABELS.PATIENT,
  Pharmacy: STAKEHOLDER_KIND_LABELS.PHARMACY,
  PharmacyApiKey: "Pharmacy API key",
  Prescriber: STAKEHOLDER_KIND_LABELS.PRESCRIBER,
  PrescriberDelegate: ROLE_LABELS.PRESCRIBER_DELEGATE,
  Program: "Programme",
  RegistryImport: "Registry import",
  Route: "Page or permission",
  StatusFormSubmission: "Patient Status Form",
  User: "User account",
} as const;

/** "DispenseAuthorization" → "Dispense authorization"; a type no table names is turned into words. */
export function formatAuditRecordType(type: string): string {
  // Own keys only: a stored type such as "constructor" is not a label.
  return Object.hasOwn(AUDIT_RECORD_TYPE_LABELS, type)
    ? AUDIT_RECORD_TYPE_LABELS[type as keyof typeof AUDIT_RECORD_TYPE_LABELS]
    : humanizeCode(type);
}

/** Words in audit action codes that are written differently in a sentence. */
const AUDIT_ACTION_WORDS: Readonly<Record<string, string>> = {
  apikey: "API key",
  noncompliance: "non-compliance",
  mfa: "two-step sign-in",
  auth: "account",
  admin: "administrator",
  ncpdp: "NCPDP",
  totp: "authenticator",
};

/**
 * Actions whose code, read word by word, would not say what happened: a verb in the imperative
 * ("enrollment.approve"), a step named by its noun ("noncompliance.notice"), or a word a reader
 * would not expect ("program", "audit" for the trail).
 */
const AUDIT_ACTION_LABELS: Readonly<Record<string, string>> = {
  "auth.sign_in_failed": "Sign-in failed",
  "auth.signed_in": "Signed in",
  "auth.signed_out": "Signed out",
  "auth.signed_out_everywhere": "Signed out everywhere",
  "user.sign_up_requested": "Sign-up requested",
  "user.admin_created": "Administrator account created",
  "authorization.denied": "Page refused (another role's)",
  "enrollment.submit": "Enrollment submitted",
  "enrollment.approve": "Enrollment approved",
  "enrollment.reject": "Enrollment rejected",
  "enrollment.request_changes": "Enrollment returned for changes",
  "enrollment.suspend": "Enrollment suspended",
  "enrollment.reinstate": "Enrollment reinstated",
  "enrollment.decertify": "Enrollment decertified",
  "enrollment.expire": "Enrollment expired",
  "enrollment.restart": "Enrollment restarted",
  "infusion.record": "Infusion recorded",
  "discretion.started": "Enforcement discretion started",
  "discretion.ended": "Enforcement discretion ended",
  "discretion.followed_up": "Enforcement discretion followed up",
  "noncompliance.opened": "Non-compliance case opened",
  "noncompliance.notice": "Non-compliance notice sent",
  "noncompliance.corrective_action": "Non-compliance corrective action plan started",
  "noncompliance.suspend": "Suspended for non-compliance",
  "noncompliance.decertify": "Decertified for non-compliance",
  "noncompliance.reinstate": "Reinstated after non-compliance",
  "noncompliance.close": "Non-compliance case closed",
  "program.created": "Programme created",
  "program.definition_updated": "Programme definition updated",
  "audit.verified": "Audit trail verified",
  "audit.full_verification_requested": "Audit trail full verification requested",
  "audit.exported": "Audit trail exported",
  "audit.retention_applied": "Audit trail retention applied",
};

/**
 * An audit action ("enrollment.claim_taken_over") as words ("Enrollment claim taken over");
 * abbreviations in the codes are spelled out ("pharmacy.apikey.created" → "Pharmacy API key
 * created"), and the actions in AUDIT_ACTION_LABELS read as written there ("enrollment.approve" →
 * "Enrollment approved").
 */
export function formatAuditAction(action: string): string {
  if (Object.hasOwn(AUDIT_ACTION_LABELS, action)) return AUDIT_ACTION_LABELS[action] ?? action;
  const words = codeWords(action, /[._\s-]+/).map((word) =>
    Object.hasOwn(AUDIT_ACTION_WORDS, word) ? (AUDIT_ACTION_WORDS[word] ?? word) : word,
  );
  return sentence(words, action);
}

/** Last resort for a code no table names: "NOT_YET_KNOWN" → "Not yet known". */
export function humanizeCode(code: string): string {
  return sentence(codeWords(code, /[_\s-]+/), code);
}

/** A code's words in lower case: camelCase split, then split at `separators`. */
function codeWords(code: string, separators: RegExp): string[] {
  return code
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(separators)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** Words as a sentence with its first letter capitalised; `fallback` when there are none. */
function sentence(words: string[], fallback: string): string {
  const text = words.join(" ");
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : fallback;
}

/** "2026-05" → "May 2026". */
export function formatMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  const name = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && name ? `${name} ${m[1]}` : month;
}

/** A wait in whole days or hours: "3 days", "5 hours", "less than an hour". */
export function formatWait(since: DateInput, now: Date = new Date()): string {
  const date = toDate(since);
  if (!date) return NONE;
  const hours = Math.floor((now.getTime() - date.getTime()) / 3_600_000);
  if (hours < 1) return "less than an hour";
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"}`;
  const days = Math.floor(hours / 24);
  return `${days} days`;
}
