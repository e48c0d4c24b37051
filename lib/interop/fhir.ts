/**
 * The parts of FHIR R4 resources the registry reads (Patient, Practitioner, Medication,
 * MedicationRequest, Bundle, Parameters), as zod schemas that let every other element through
 * untouched, and the functions that turn them into what the dispense gate's facts need: the
 * programme and NDC a prescription is for, the prescriber's NPI, the quantity.
 */
import { z } from "zod";
import { getProgramDefinitionByNdc, listProgramDefinitions } from "../programs/registry";
import type { TProgramDefinition } from "../programs/schema";
import { NDC_SYSTEM, npiFrom, RXNORM_SYSTEM } from "./identifiers";

const zStr = z.string().max(10_000);

export const ZCoding = z.looseObject({ system: zStr.optional(), code: zStr.optional(), display: zStr.optional() });
export const ZCodeableConcept = z.looseObject({ coding: z.array(ZCoding).max(100).optional(), text: zStr.optional() });
export const ZIdentifier = z.looseObject({ system: zStr.optional(), value: zStr.optional() });
export const ZReference = z.looseObject({
  reference: zStr.optional(),
  identifier: ZIdentifier.optional(),
  display: zStr.optional(),
});
export const ZHumanName = z.looseObject({
  use: zStr.optional(),
  family: zStr.optional(),
  given: z.array(zStr).max(20).optional(),
  text: zStr.optional(),
});

export const ZPatient = z.looseObject({
  resourceType: z.literal("Patient"),
  id: zStr.optional(),
  identifier: z.array(ZIdentifier).max(100).optional(),
  name: z.array(ZHumanName).max(20).optional(),
  birthDate: z
    .string()
    .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, { error: "birthDate is YYYY, YYYY-MM or YYYY-MM-DD" })
    .optional(),
  gender: z
    .enum(["male", "female", "other", "unknown"], { error: "gender is male, female, other or unknown" })
    .optional(),
});
export type TPatient = z.infer<typeof ZPatient>;

export const ZPractitioner = z.looseObject({
  resourceType: z.literal("Practitioner"),
  id: zStr.optional(),
  identifier: z.array(ZIdentifier).max(100).optional(),
  name: z.array(ZHumanName).max(20).optional(),
});
export type TPractitioner = z.infer<typeof ZPractitioner>;

export const ZMedication = z.looseObject({
  resourceType: z.literal("Medication"),
  id: zStr.optional(),
  code: ZCodeableConcept.optional(),
});
export type TMedication = z.infer<typeof ZMedication>;

export const ZMedicationRequest = z.looseObject({
  resourceType: z.literal("MedicationRequest"),
  id: zStr.optional(),
  status: zStr.optional(),
  contained: z
    .array(z.looseObject({ resourceType: zStr, id: zStr.optional() }))
    .max(100)
    .optional(),
  medicationCodeableConcept: ZCodeableConcept.optional(),
  medicationReference: ZReference.optional(),
  subject: ZReference.optional(),
  requester: ZReference.optional(),
  dispenseRequest: z
    .looseObject({ quantity: z.looseObject({ value: z.number().optional(), unit: zStr.optional() }).optional() })
    .optional(),
});
export type TMedicationRequest = z.infer<typeof ZMedicationRequest>;

export const ZBundle = z.looseObject({
  resourceType: z.literal("Bundle"),
  entry: z
    .array(z.looseObject({ resource: z.looseObject({ resourceType: zStr, id: zStr.optional() }).optional() }))
    .max(1000)
    .optional(),
});
export type TBundle = z.infer<typeof ZBundle>;

/** A resource found beside a MedicationRequest (in a Bundle or a prefetch), by "Type/id". */
export type ResourceLookup = (reference: string) => unknown;

/** Resources of a bundle keyed by "Type/id", for resolving references. */
export function bundleLookup(bundles: readonly (TBundle | null | undefined)[]): ResourceLookup {
  const byRef = new Map<string, unknown>();
  for (const bundle of bundles) {
    for (const entry of bundle?.entry ?? []) {
      const r = entry.resource;
      if (r?.id) byRef.set(`${r.resourceType}/${r.id}`, r);
    }
  }
  return (reference) => byRef.get(reference);
}

/** The resource a reference points at: "#id" in `contained`, "Type/id" through the lookup. */
function resolve(
  request: TMedicationRequest,
  reference: string | undefined,
  lookup: ResourceLookup | undefined,
): unknown {
  if (!reference) return undefined;
  if (reference.startsWith("#")) return request.contained?.find((c) => c.id === reference.slice(1));
  const local = /^(?:.*\/)?([A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(reference)?.[1];
  return local ? lookup?.(local) : undefined;
}

/** Every coding that names the prescribed drug: the concept's, or the referenced Medication's. */
export function medicationCodings(request: TMedicationRequest, lookup?: ResourceLookup) {
  if (request.medicationCodeableConcept) return request.medicationCodeableConcept.coding ?? [];
  const medication = ZMedication.safeParse(resolve(request, request.medicationReference?.reference, lookup));
  return medication.success ? (medication.data.code?.coding ?? []) : [];
}

function sameSystem(a: string | undefined, b: string): boolean {
  return (a ?? "").trim().replace(/\/+$/, "").toLowerCase() === b.toLowerCase();
}

/**
 * An NDC as the programmes list it (5-4-2 with dashes), from any of the forms codings carry: 5-4-2,
 * the 10-digit labeler layouts 4-4-2, 5-3-2 and 5-4-1 (dashes say which), or 11 digits.
 */
export function canonicalNdc(code: string): string | null {
  const text = code.trim();
  const parts = text.split("-");
  let digits: string | null = null;
  if (parts.length === 3 && parts.every((p) => /^\d+$/.test(p))) {
    const [a = "", b = "", c = ""] = parts;
    if (a.length <= 5 && b.length <= 4 && c.length <= 2)
      digits = a.padStart(5, "0") + b.padStart(4, "0") + c.padStart(2, "0");
  } else if (/^\d{11}$/.test(text)) digits = text;
  if (digits === null || digits.length !== 11) return null;
  return `${digits.slice(0, 5)}-${digits.slice(5, 9)}-${digits.slice(9)}`;
}

export interface ProgramDrug {
  program: TProgramDefinition;
  /** The programme's NDC the order names, or its first when the order names an RxNorm concept. */
  ndc: string;
  /** How the drug was recognised, e.g. "RxNorm 1594660" or "NDC 58468-0200-01". */
  matchedBy: string;
}

/** The REMS programme a set of codings belongs to (any coding, not only the first), or null. */
export function programForCodings(codings: readonly z.infer<typeof ZCoding>[]): ProgramDrug | null {
  for (const coding of codings) {
    if (!coding.code) continue;
    if (sameSystem(coding.system, NDC_SYSTEM)) {
      const ndc = canonicalNdc(coding.code);
      const program = ndc ? getProgramDefinitionByNdc(ndc) : undefined;
      if (program && ndc) return { program, ndc, matchedBy: `NDC ${ndc}` };
    }
    if (sameSystem(coding.system, RXNORM_SYSTEM)) {
      const code = coding.code.trim();
      const program = listProgramDefinitions().find((p) => p.drug.rxnormCodes?.includes(code));
      if (program?.ndcs[0]) return { program, ndc: program.ndcs[0], matchedBy: `RxNorm ${code}` };
    }
  }
  return null;
}

/** The prescriber's NPI named by the order's requester (identifier, contained or looked-up Practitioner). */
export function requesterNpi(request: TMedicationRequest, lookup?: ResourceLookup): string | null {
  const requester = request.requester;
  if (!requester) return null;
  const direct = requester.identifier ? npiFrom([requester.identifier]) : null;
  if (direct) return direct;
  const practitioner = ZPractitioner.safeParse(resolve(request, requester.reference, lookup));
  return practitioner.success ? npiFrom(practitioner.data.identifier) : null;
}

/** The quantity ordered, when the order states a whole, positive number of units; else null. */
export function orderedQuantity(request: TMedicationRequest): number | null {
  const value = request.dispenseRequest?.quantity?.value;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The patient's official (or first) name: given names and family name. */
export function patientName(patient: TPatient): { given: string; family: string } | null {
  const names = patient.name ?? [];
  const name = names.find((n) => n.use === "official") ?? names.find((n) => n.use !== "old") ?? names[0];
  const family = name?.family?.trim() ?? "";
  const given = name?.given?.map((g) => g.trim()).filter(Boolean)[0] ?? "";
  return family && given ? { given, family } : null;
}
