/**
 * FHIR `GuidanceResponse/$rems-etasu` (US Medication REMS IG, STU2): are the Elements To Assure Safe
 * Use met for this patient and medication? Answered from the dispense gate's decision
 * (lib/interop/requirements.ts), read without storing anything.
 *
 * In: a Parameters with `patient` (Patient) and `medication` (Medication or MedicationRequest), or a
 * case number (`caseNumber` or `case_number`: the REMS patient id), or both.
 * Out: a Parameters whose `rems-etasu` is a GuidanceResponse — `success` when every requirement is
 * met, `data-required` when some are not, `failure` when no case is found — that points to a
 * contained Parameters with one GuidanceResponse per requirement and the `case_number`.
 * Invalid input is an AppError (BAD_REQUEST), answered as an OperationOutcome with 400.
 */
import { z } from "zod";
import { type Db, db } from "../db";
import { AppError, fieldErrorsFromZod } from "../errors";
import { isValidRemsId, normalizeRemsId } from "../identifiers/rems-id";
import { findPharmacyStandings, type PharmacyStanding } from "../dispensing/standing";
import { getProgramDefinition, listProgramDefinitions } from "../programs/registry";
import type { TProgramDefinition } from "../programs/schema";
import type { DispenseStakeholder } from "../dispensing/facts";
import {
  medicationCodings,
  orderedQuantity,
  patientName,
  type ProgramDrug,
  programForCodings,
  requesterNpi,
  type TMedicationRequest,
  type TPatient,
  ZMedication,
  ZMedicationRequest,
  ZPatient,
} from "./fhir";
import { dispenseReasonSystem, NPI_SYSTEM, remsPatientIdentifier, remsPatientIdSystem } from "./identifiers";
import { matchPatient } from "./patient-match";
import { checkRequirements, type RequirementsResult } from "./requirements";

export const ETASU_OPERATION = "$rems-etasu";
export const ETASU_PATH = "/fhir/GuidanceResponse/$rems-etasu";
const OUTPUT_ID = "etasuOutputParameters";
const PARAMETER_NAMES = ["patient", "medication", "caseNumber", "case_number"] as const;

const ZParameter = z.looseObject({
  name: z.string({ error: "Each parameter has a name" }).max(100),
  valueString: z.string().max(200).optional(),
  resource: z.looseObject({ resourceType: z.string().max(100) }).optional(),
});
const ZParameters = z.looseObject({
  resourceType: z.literal("Parameters", { error: "The body must be a FHIR Parameters resource" }),
  parameter: z.array(ZParameter).max(50).optional(),
});

/** The programme of a REMS drug as a module: the registry's own URN for it. */
export function programModuleUri(program: Pick<TProgramDefinition, "code">): string {
  return `urn:remsgate:rems-programme:${program.code}`;
}

export type EtasuCaller = { pharmacyId: string | null };

function invalid(message: string, expression: string): AppError {
  return new AppError("BAD_REQUEST", message, { fields: { [expression]: [message] } });
}

interface EtasuInput {
  patient: TPatient | null;
  medication: { request: TMedicationRequest | null; drug: ProgramDrug | null; named: boolean };
  caseNumber: string | null;
}

export function parseEtasuInput(body: unknown): EtasuInput {
  const parsed = ZParameters.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      issue?.message ?? "The body must be a FHIR Parameters resource",
      issue?.path.join(".") || "Parameters",
    );
  }
  let patient: TPatient | null = null;
  let caseNumber: string | null = null;
  let medication: EtasuInput["medication"] = { request: null, drug: null, named: false };
  (parsed.data.parameter ?? []).forEach((p, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (!(PARAMETER_NAMES as readonly string[]).includes(p.name)) {
      throw invalid(`Unknown parameter "${p.name}": this operation takes ${PARAMETER_NAMES.join(", ")}.`, `${at}.name`);
    }
    if (p.name === "caseNumber" || p.name === "case_number") {
      const id = p.valueString ? normalizeRemsId(p.valueString) : null;
      if (!id || !isValidRemsId(id, "PT")) {
        throw invalid(
          "The case number is the REMS patient id as valueString, e.g. PT-XXXX-XXXX-X.",
          `${at}.valueString`,
        );
      }
      caseNumber = id;
      return;
    }
    if (!p.resource) throw invalid(`The ${p.name} parameter carries a resource.`, `${at}.resource`);
    if (p.name === "patient") {
      patient = resourceOrThrow(ZPatient, p.resource, `${at}.resource`);
      return;
    }
    if (p.resource.resourceType === "MedicationRequest") {
      const request = resourceOrThrow(ZMedicationRequest, p.resource, `${at}.resource`);
      medication = { request, drug: programForCodings(medicationCodings(request)), named: true };
    } else if (p.resource.resourceType === "Medication") {
      const med = resourceOrThrow(ZMedication, p.resource, `${at}.resource`);
      medication = { request: null, drug: programForCodings(med.code?.coding ?? []), named: true };
    } else {
      throw invalid("The medication parameter is a Medication or a MedicationRequest.", `${at}.resource.resourceType`);
    }
  });
  if (!caseNumber && !(patient && medication.named)) {
    throw invalid("Send patient and medication, or a case number (caseNumber or case_number).", "Parameters.parameter");
  }
  return { patient, medication, caseNumber };
}

function resourceOrThrow<T>(schema: z.ZodType<T>, value: unknown, at: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const [key, messages] = Object.entries(fieldErrorsFromZod(parsed.error))[0] ?? ["", ["invalid"]];
  throw invalid(messages[0] ?? "invalid", key ? `${at}.${key}` : at);
}

type GuidanceStatus = "success" | "data-required" | "failure";

function guidance(moduleUri: string, status: GuidanceStatus, extra: Record<string, unknown>) {
  return { resourceType: "GuidanceResponse", moduleUri, status, ...extra };
}

function failure(message: string) {
  return {
    resourceType: "Parameters",
    parameter: [
      {
        name: "rems-etasu",
        resource: guidance("urn:remsgate:rems-programme:unknown", "failure", {
          occurrenceDateTime: new Date().toISOString(),
          note: [{ text: message }],
        }),
      },
    ],
  };
}

/** Runs the operation; returns the output Parameters. Throws BAD_REQUEST for invalid input. */
export async function remsEtasu(
  caller: EtasuCaller,
  body: unknown,
  options: { client?: Db; now?: Date } = {},
): Promise<Record<string, unknown>> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const input = parseEtasuInput(body);
  if (input.medication.named && !input.medication.drug) {
    return failure(
      "The medication is not a drug under any REMS programme of this registry (no RxNorm or NDC coding matched).",
    );
  }
  if (caller.pharmacyId) {
    // A pharmacy the gate does not let take part learns nothing about the case: not even whether
    // the patient is known, so this is answered before the patient is looked for.
    const programs = input.medication.drug ? [input.medication.drug.program] : listProgramDefinitions();
    const standings = await findPharmacyStandings(client, caller.pharmacyId, programs, now);
    const barred = standings[0];
    if (barred && standings.every((s) => !s.mayRequest)) return etasuPharmacyOnlyOutput(barred, now);
  }
  const name = input.patient ? patientName(input.patient) : null;
  const match = await matchPatient(client, {
    identifiers: input.caseNumber ? [remsPatientIdentifier(input.caseNumber)] : input.patient?.identifier,
    given: name?.given,
    family: name?.family,
    birthDate: input.patient?.birthDate,
  });
  if (match.kind !== "identified") {
    return failure(
      match.kind === "mismatch"
        ? `No case checked: ${match.remsId} is the case of a patient whose ${match.differs.join(" and ")} ${match.differs.length === 1 ? "differs" : "differ"} from this Patient's. Check the identifier recorded for the patient.`
        : match.kind === "proposed"
          ? `No case found: a patient with this name and birth date is enrolled, but nothing is checked on a name and birth date alone. Send the case number or the patient's identifier under ${remsPatientIdSystem()}.`
          : input.caseNumber
            ? `No case found for case number ${input.caseNumber}.`
            : "No case found: the patient carries no REMS patient id of this registry.",
    );
  }
  const known = await client.patient.findUniqueOrThrow({
    where: { id: match.patientId },
    select: {
      prescriber: { select: { npi: true } },
      enrollments: { select: { program: { select: { code: true } } } },
    },
  });
  const drug = input.medication.drug ?? programDrugOfPatient(known.enrollments.map((e) => e.program.code));
  if (!drug) return failure(`Case ${match.remsId} is not enrolled in any REMS programme of this registry.`);
  const request = input.medication.request;
  const result = await checkRequirements(
    {
      program: drug.program,
      ndc: drug.ndc,
      quantity: request ? orderedQuantity(request) : null,
      prescriberNpi: (request ? requesterNpi(request) : null) ?? known.prescriber?.npi ?? null,
      patientRemsId: match.remsId,
      pharmacyId: caller.pharmacyId,
    },
    { client, now },
  );
  return etasuOutput(result, match.remsId, now);
}

function programDrugOfPatient(codes: string[]): ProgramDrug | null {
  for (const code of codes) {
    const program = getProgramDefinition(code);
    if (program?.ndcs[0]) return { program, ndc: program.ndcs[0], matchedBy: "case number" };
  }
  return null;
}

function subjectFor(stakeholder: DispenseStakeholder, result: RequirementsResult, remsId: string) {
  if (stakeholder === "patient") return { identifier: remsPatientIdentifier(remsId) };
  if (stakeholder === "prescriber") {
    return result.prescriberNpi
      ? { identifier: { system: NPI_SYSTEM, value: result.prescriberNpi } }
      : { display: "Prescriber (the order names none)" };
  }
  if (stakeholder === "pharmacy") return { display: "Pharmacy (the caller)" };
  if (stakeholder === "healthcareSetting") return { display: "Healthcare setting of the patient's enrollment" };
  return { display: result.program.name };
}

/**
 * The output Parameters for a pharmacy the gate does not let take part (pure): its own
 * certification, unmet, and nothing about the case.
 */
export function etasuPharmacyOnlyOutput(standing: PharmacyStanding, now: Date) {
  const moduleUri = programModuleUri({ code: standing.programCode });
  const message = standing.reason?.message ?? `Your pharmacy is not certified in the ${standing.programName}.`;
  return {
    resourceType: "Parameters",
    parameter: [
      {
        name: "rems-etasu",
        resource: guidance(moduleUri, "data-required", {
          contained: [
            {
              resourceType: "Parameters",
              id: OUTPUT_ID,
              parameter: [
                {
                  name: "Pharmacy certification",
                  resource: guidance(moduleUri, "data-required", {
                    subject: { display: "Pharmacy (the caller)" },
                    reasonCode: [
                      { coding: [{ system: dispenseReasonSystem(), code: "PHARMACY_NOT_CERTIFIED" }], text: message },
                    ],
                    note: [{ text: message }],
                  }),
                },
              ],
            },
          ],
          occurrenceDateTime: now.toISOString(),
          outputParameters: { reference: `#${OUTPUT_ID}` },
          note: [
            {
              text: `Your pharmacy is not certified in the ${standing.programName}, so nothing about the case is checked for it.`,
            },
          ],
        }),
      },
    ],
  };
}

/** The output Parameters for a case (pure). */
export function etasuOutput(result: RequirementsResult, remsId: string, now: Date) {
  const moduleUri = programModuleUri(result.program);
  const status: GuidanceStatus = result.allMet ? "success" : "data-required";
  const perRequirement = result.requirements.map((r) => ({
    name: r.name,
    resource: guidance(moduleUri, r.met ? "success" : "data-required", {
      subject: subjectFor(r.stakeholder, result, remsId),
      ...(r.met
        ? {}
        : {
            reasonCode: r.reasons.map((x) => ({
              coding: [{ system: dispenseReasonSystem(), code: x.code }],
              text: x.message,
            })),
          }),
      note: [{ text: r.met ? `${r.name}: met.` : r.reasons.map((x) => x.message).join(" ") }],
    }),
  }));
  return {
    resourceType: "Parameters",
    parameter: [
      {
        name: "rems-etasu",
        resource: guidance(moduleUri, status, {
          contained: [
            {
              resourceType: "Parameters",
              id: OUTPUT_ID,
              parameter: [...perRequirement, { name: "case_number", valueString: remsId }],
            },
          ],
          subject: { identifier: remsPatientIdentifier(remsId) },
          occurrenceDateTime: now.toISOString(),
          outputParameters: { reference: `#${OUTPUT_ID}` },
          note: [
            {
              text: result.allMet
                ? `Every ${result.program.name} requirement is met.`
                : `${result.requirements.filter((r) => !r.met).length} ${result.program.name} requirement(s) not met.`,
            },
          ],
        }),
      },
    ],
  };
}
