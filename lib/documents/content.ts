/**
 * What the enrollment documents say, as plain data: the signed enrollment form (every answer with
 * its label, training, assessment, attestations and the electronic signature record) and the
 * certificate. Pure: no PDF, no database, no clock (the caller passes `generatedAt`). lib/documents/
 * pdf.ts lays these out; keeping the words here lets tests read them without parsing a PDF.
 */
import type { EnrollmentData } from "../enrollment/rules";
import { formatDate, formatDateTime, formatStatus, STAKEHOLDER_KIND_LABELS } from "../format";
import type { EnrollmentStatus, StakeholderKind } from "../generated/prisma/enums";
import type { TFormField, TStakeholderRequirement } from "../programs/schema";

export type Block =
  | { kind: "heading"; text: string }
  | { kind: "subheading"; text: string }
  | { kind: "field"; label: string; value: string; mono?: boolean }
  | { kind: "paragraph"; text: string }
  /** Printed prominently (e.g. that some characters could not be printed). */
  | { kind: "notice"; text: string }
  | { kind: "check"; checked: boolean; text: string };

export interface RecordDocument {
  title: string;
  subtitle: string;
  blocks: Block[];
  /** Printed at the foot of every page, after "Page n of m". */
  footer: string;
  /** PDF metadata. */
  subject: string;
}

export const KIND_LABELS: Record<StakeholderKind, string> = STAKEHOLDER_KIND_LABELS;

/** Dates in documents read as on every page: "4 May 2026, 14:05 UTC" (lib/format.ts). */
export const formatUtc = formatDateTime;

function statusLabel(status: EnrollmentStatus): string {
  return formatStatus(status);
}

/** An answer as a person reads it: option labels instead of option values, Yes/No, a dash for blank. */
export function answerText(field: TFormField, value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "—";
  if (field.type === "select") return field.options.find((o) => o.value === value)?.label ?? value;
  if (field.type === "yesNo") return value === "yes" ? "Yes" : value === "no" ? "No" : value;
  return value;
}

export interface SignedFormInput {
  program: { code: string; name: string; definitionVersion: number };
  /** The programme's requirements for this kind of stakeholder; undefined if the definition lacks them. */
  requirement: TStakeholderRequirement | undefined;
  enrollment: {
    /** Internal: kept in the PDF's metadata for support, never printed. */
    id: string;
    kind: StakeholderKind;
    status: EnrollmentStatus;
    submittedAt: Date | null;
    certificationNumber: string | null;
  };
  stakeholderName: string;
  /** What people quote for the stakeholder: NPI, NCPDP, REMS id, patient REMS ID. */
  identifiers: { label: string; value: string }[];
  data: EnrollmentData;
  attempts: {
    attemptNumber: number;
    correctCount: number;
    questionCount: number;
    passed: boolean;
    submittedAt: Date;
  }[];
  signatures: {
    printedName: string;
    meaning: string;
    signedAt: Date;
    contentSha256: string;
    signerEmail: string;
    /** The check of the signature against the signed content in the audit trail (lib/signatures). */
    verification?: string;
  }[];
  generatedAt: Date;
}

function formBlocks(input: SignedFormInput): Block[] {
  const blocks: Block[] = [{ kind: "heading", text: "Enrollment form" }];
  const fields = input.requirement?.enrollmentForm.fields ?? [];
  let group: string | undefined;
  for (const field of fields) {
    if (field.group && field.group !== group) {
      group = field.group;
      blocks.push({ kind: "subheading", text: group });
    }
    blocks.push({ kind: "field", label: field.label, value: answerText(field, input.data.form[field.id]) });
  }
  // Answers the current definition no longer asks for are still part of what was signed.
  const known = new Set(fields.map((f) => f.id));
  const others = Object.entries(input.data.form).filter(([id]) => !known.has(id));
  if (others.length > 0) {
    blocks.push({ kind: "subheading", text: "Other answers" });
    for (const [id, value] of others) blocks.push({ kind: "field", label: id, value: value.trim() || "—" });
  }
  if (fields.length === 0 && others.length === 0) blocks.push({ kind: "paragraph", text: "No answers recorded." });
  return blocks;
}

function trainingBlocks(input: SignedFormInput): Block[] {
  const training = input.requirement?.training;
  if (!training) {
    return [
      { kind: "heading", text: "Training" },
      { kind: "paragraph", text: "The programme requires no training for this enrollment." },
    ];
  }
  const blocks: Block[] = [{ kind: "heading", text: `Training: ${training.title}` }];
  for (const section of training.sections) {
    const at = input.data.training[section.id];
    blocks.push({
      kind: "field",
      label: section.title,
      value: at ? `Acknowledged ${formatUtc(at)}` : section.requiresAcknowledgement ? "Not acknowledged" : "Optional",
    });
  }
  return blocks;
}

function assessmentBlocks(input: SignedFormInput): Block[] {
  const blocks: Block[] = [{ kind: "heading", text: "Knowledge assessment" }];
  const assessment = input.requirement?.knowledgeAssessment;
  if (!assessment) {
    blocks.push({ kind: "paragraph", text: "The programme requires no knowledge assessment for this enrollment." });
    return blocks;
  }
  const rule = assessment.passRule;
  const passRule =
    rule.kind === "minCorrect"
      ? `At least ${rule.count} of ${assessment.questions.length} correct`
      : `At least ${rule.value}% correct`;
  const ordered = [...input.attempts].sort((a, b) => a.attemptNumber - b.attemptNumber);
  const passed = ordered.find((a) => a.passed);
  blocks.push({ kind: "field", label: "Pass mark", value: passRule });
  blocks.push({
    kind: "field",
    label: "Result",
    value: passed
      ? `Passed: ${passed.correctCount} of ${passed.questionCount} correct on attempt ${passed.attemptNumber}, ${formatUtc(passed.submittedAt)}`
      : "Not passed",
  });
  blocks.push({ kind: "field", label: "Attempts", value: String(ordered.length) });
  return blocks;
}

function attestationBlocks(input: SignedFormInput): Block[] {
  const blocks: Block[] = [{ kind: "heading", text: "Attestations" }];
  for (const attestation of input.requirement?.attestations ?? []) {
    const checked = input.data.attestations[attestation.id] === true;
    blocks.push({ kind: "check", checked, text: checked ? attestation.text : `${attestation.text} (not attested)` });
  }
  if (blocks.length === 1) blocks.push({ kind: "paragraph", text: "No attestations recorded." });
  return blocks;
}

function signatureBlocks(input: SignedFormInput): Block[] {
  const blocks: Block[] = [{ kind: "heading", text: "Electronic signature" }];
  input.signatures.forEach((s, i) => {
    if (input.signatures.length > 1) blocks.push({ kind: "subheading", text: `Signature ${i + 1}` });
    blocks.push(
      { kind: "field", label: "Printed name", value: s.printedName },
      { kind: "field", label: "Signed", value: formatUtc(s.signedAt) },
      { kind: "field", label: "Meaning", value: s.meaning },
      { kind: "field", label: "Signer's account", value: s.signerEmail },
      { kind: "field", label: "SHA-256 of signed content", value: s.contentSha256, mono: true },
    );
    if (s.verification) blocks.push({ kind: "field", label: "Verification", value: s.verification });
  });
  blocks.push({
    kind: "paragraph",
    text: "The signer re-entered their password to sign. The SHA-256 value identifies exactly the content that was signed; the registry keeps that content in its append-only audit trail and recomputed the value for this document.",
  });
  return blocks;
}

/**
 * How people refer to an enrollment: its certification number once certified, else the
 * stakeholder's first identifier (NPI, NCPDP, REMS id …); never the internal id.
 */
export function enrollmentReference(input: Pick<SignedFormInput, "enrollment" | "identifiers">): string | null {
  if (input.enrollment.certificationNumber) return `Certification number ${input.enrollment.certificationNumber}`;
  const first = input.identifiers[0];
  return first ? `${first.label} ${first.value}` : null;
}

/** The signed enrollment form. */
export function signedFormDocument(input: SignedFormInput): RecordDocument {
  const kind = KIND_LABELS[input.enrollment.kind];
  const details: Block[] = [
    { kind: "field", label: kind, value: input.stakeholderName },
    ...input.identifiers.map((id): Block => ({ kind: "field", label: id.label, value: id.value })),
    { kind: "field", label: "Programme", value: `${input.program.name} (${input.program.code})` },
    { kind: "field", label: "Status", value: statusLabel(input.enrollment.status) },
  ];
  if (input.enrollment.submittedAt) {
    details.push({ kind: "field", label: "Submitted", value: formatUtc(input.enrollment.submittedAt) });
  }
  if (input.enrollment.certificationNumber) {
    details.push({ kind: "field", label: "Certification number", value: input.enrollment.certificationNumber });
  }
  return {
    title: `${input.program.name}: ${kind.toLowerCase()} enrollment form`,
    subtitle: `Signed enrollment record, generated ${formatUtc(input.generatedAt)}`,
    // The internal id stays in the metadata only, for support to find the record.
    subject: `${kind} enrollment ${input.enrollment.id}`,
    footer: [input.program.name, `${kind.toLowerCase()} enrollment`, enrollmentReference(input)]
      .filter(Boolean)
      .join(" · "),
    blocks: [
      ...details,
      ...formBlocks(input),
      ...trainingBlocks(input),
      ...assessmentBlocks(input),
      ...attestationBlocks(input),
      ...signatureBlocks(input),
    ],
  };
}

export interface CertificateInput {
  program: { code: string; name: string };
  kind: StakeholderKind;
  stakeholderName: string;
  certificationNumber: string;
  certifiedAt: Date;
  /** When the certification lapses unless renewed; null when the programme has no recertification. */
  expiresAt: Date | null;
  /** The identifiers the stakeholder is known by in pharmacy and prescribing systems (NPI, NCPDP …). */
  identifiers: { label: string; value: string }[];
  status: EnrollmentStatus;
  /** Where anyone can check the certification is still in force. */
  verifyUrl: string;
  generatedAt: Date;
}

export interface CertificateLine {
  text: string;
  size: number;
  bold?: boolean;
  /** Extra space above the line, in points. */
  gap?: number;
  /** Printed in the warning colour. */
  warn?: boolean;
}

export interface CertificateDocument {
  title: string;
  subject: string;
  lines: CertificateLine[];
}

/** The certificate: who is certified, in which programme, under which number, since when. */
export function certificateDocument(input: CertificateInput): CertificateDocument {
  const kind = KIND_LABELS[input.kind].toLowerCase();
  return {
    title: `${input.program.name} certificate ${input.certificationNumber}`,
    subject: `Certification ${input.certificationNumber}`,
    lines: [
      { text: "Certificate of REMS certification", size: 24, bold: true },
      { text: input.program.name, size: 16, gap: 10 },
      { text: "This certifies that", size: 12, gap: 28 },
      { text: input.stakeholderName, size: 22, bold: true, gap: 8 },
      { text: `is certified in the ${input.program.name} as a ${kind}.`, size: 12, gap: 8 },
      { text: `Certification number: ${input.certificationNumber}`, size: 14, bold: true, gap: 28 },
      ...input.identifiers.map((id, i) => ({ text: `${id.label}: ${id.value}`, size: 12, gap: i === 0 ? 10 : 4 })),
      { text: `Certified on: ${formatDate(input.certifiedAt)}`, size: 12, gap: 10 },
      {
        text: input.expiresAt
          ? `Recertification due by: ${formatDate(input.expiresAt)} (the certification expires on that date unless renewed)`
          : "Expiry: none. The certification remains valid until suspended or decertified.",
        size: 12,
        gap: 4,
      },
      { text: `Status: ${statusLabel(input.status)} (as of ${formatUtc(input.generatedAt)})`, size: 12, gap: 6 },
      {
        text: `Certification can be suspended or withdrawn. Check the current status at ${input.verifyUrl}`,
        size: 10,
        gap: 28,
      },
    ],
  };
}

/** Every word of a record, for search and for tests. */
export function documentText(doc: RecordDocument | CertificateDocument): string {
  if ("lines" in doc) return [doc.title, ...doc.lines.map((l) => l.text)].join("\n");
  const lines = [doc.title, doc.subtitle];
  for (const block of doc.blocks) {
    if (block.kind === "field") lines.push(`${block.label}: ${block.value}`);
    else if (block.kind === "check") lines.push(`[${block.checked ? "x" : " "}] ${block.text}`);
    else lines.push(block.text);
  }
  return lines.join("\n");
}
