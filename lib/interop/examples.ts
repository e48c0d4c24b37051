/**
 * FHIR resources and requests for a registry patient, as an EHR would send them: the published
 * examples (docs/interop/examples/, written by scripts/interop-docs.ts from the demo world) and
 * the requests the one-engine test drives through CDS Hooks and $rems-etasu.
 */
import type { TProgramDefinition } from "../programs/schema";
import { NDC_SYSTEM, NPI_SYSTEM, remsPatientIdSystem, RXNORM_SYSTEM } from "./identifiers";

export interface ExamplePatient {
  key: string;
  remsId: string;
  given: string;
  family: string;
  birthDate: string;
  sex: "female" | "male";
}

export interface ExamplePrescriber {
  key: string;
  npi: string;
  given: string;
  family: string;
}

export interface FhirExample {
  practitioner: Record<string, unknown>;
  patient: Record<string, unknown>;
  medicationRequest: Record<string, unknown>;
}

/** Practitioner, Patient and a MedicationRequest for the programme's drug (RxNorm and NDC codings). */
export function fhirExample(input: {
  appUrl: string;
  program: TProgramDefinition;
  patient: ExamplePatient;
  prescriber: ExamplePrescriber;
  quantity: number;
}): FhirExample {
  const { patient, prescriber, program } = input;
  const patientId = `demo-${patient.key}`;
  const practitionerId = `demo-${prescriber.key}`;
  const rxnorm = program.drug.rxnormCodes?.at(-2) ?? program.drug.rxnormCodes?.[0];
  return {
    practitioner: {
      resourceType: "Practitioner",
      id: practitionerId,
      identifier: [{ system: NPI_SYSTEM, value: prescriber.npi }],
      name: [{ family: prescriber.family, given: [prescriber.given], prefix: ["Dr."] }],
    },
    patient: {
      resourceType: "Patient",
      id: patientId,
      identifier: [{ system: remsPatientIdSystem(input.appUrl), value: patient.remsId }],
      name: [{ use: "official", family: patient.family, given: [patient.given] }],
      gender: patient.sex,
      birthDate: patient.birthDate,
    },
    medicationRequest: {
      resourceType: "MedicationRequest",
      id: `demo-${patient.key}-${program.code.toLowerCase()}`,
      status: "draft",
      intent: "order",
      medicationCodeableConcept: {
        text: `${program.drug.name} ${program.drug.presentation}`,
        coding: [
          ...(rxnorm ? [{ system: RXNORM_SYSTEM, code: rxnorm }] : []),
          ...program.ndcs.map((ndc) => ({ system: NDC_SYSTEM, code: ndc })),
        ],
      },
      subject: { reference: `Patient/${patientId}` },
      requester: { reference: `Practitioner/${practitionerId}` },
      dispenseRequest: { quantity: { value: input.quantity, unit: program.drug.dispenseUnit } },
    },
  };
}

/** The example as one collection Bundle (what docs/interop/examples/ publishes). */
export function exampleBundle(example: FhirExample) {
  return {
    resourceType: "Bundle",
    type: "collection",
    entry: [example.practitioner, example.patient, example.medicationRequest].map((resource) => ({ resource })),
  };
}

/** A CDS Hooks order-sign request for the example, with the Patient and Practitioner prefetched. */
export function orderSignRequest(example: FhirExample, hookInstance: string) {
  return {
    hook: "order-sign",
    hookInstance,
    context: {
      userId: `Practitioner/${String(example.practitioner.id)}`,
      patientId: String(example.patient.id),
      draftOrders: { resourceType: "Bundle", type: "collection", entry: [{ resource: example.medicationRequest }] },
    },
    prefetch: { patient: example.patient, practitioner: example.practitioner },
  };
}

/** $rems-etasu input for the example: the Patient and the MedicationRequest with its Practitioner contained. */
export function etasuParameters(example: FhirExample) {
  const { id: _id, ...practitioner } = example.practitioner;
  return {
    resourceType: "Parameters",
    parameter: [
      { name: "patient", resource: example.patient },
      {
        name: "medication",
        resource: {
          ...example.medicationRequest,
          status: "active",
          contained: [{ ...practitioner, id: "prescriber" }],
          requester: { reference: "#prescriber" },
        },
      },
    ],
  };
}
