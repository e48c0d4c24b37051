import {
  DENIAL_REASON_CODES,
  type TDenialReasonCode,
  type TProgramDefinitionInput,
  type TReasonPolicy,
} from "./schema";

/**
 * A made-up second programme for tests: an oral drug with weekly absolute
 * neutrophil count (ANC) monitoring, no infusion settings and no courses.
 * It exists to prove definitions, not code, describe a programme.
 */
export function makeAncProgramInput(): TProgramDefinitionInput {
  const policies = Object.fromEntries(DENIAL_REASON_CODES.map((c) => [c, "block"])) as Record<
    TDenialReasonCode,
    TReasonPolicy
  >;
  policies.MONITORING_OVERDUE = "warn";

  return {
    code: "ANC_EXAMPLE",
    version: 1,
    name: "Examplezapine ANC REMS",
    description: "Made-up programme: dispensing depends on a recent absolute neutrophil count.",
    // 555-01xx numbers are reserved for fiction.
    contact: { phone: "1-800-555-0199", email: "rems@example.org", hours: "Monday to Friday, 9 am to 5 pm ET" },
    drug: {
      name: "EXAMPLEZAPINE",
      genericName: "examplezapine",
      presentation: "100 mg tablet",
      dispenseUnit: "tablet",
    },
    ndcs: ["12345-6789-01", "12345-6789-02"],
    stakeholders: {
      prescriber: {
        enrollmentForm: {
          fields: [
            { id: "fullName", label: "Full name", type: "text", required: true },
            { id: "npi", label: "NPI", type: "npi", required: true },
          ],
        },
        training: {
          title: "ANC monitoring",
          sections: [
            {
              id: "neutropenia",
              title: "Severe neutropenia",
              paragraphs: ["Check the ANC before dispensing."],
              requiresAcknowledgement: true,
            },
          ],
        },
        knowledgeAssessment: {
          passRule: { kind: "percent", value: 80 },
          maxAttemptsBeforeLockout: 3,
          questions: [
            {
              id: "anc-threshold",
              topic: "Neutropenia",
              prompt: "What must be known before each dispense?",
              options: [
                { id: "a", text: "A recent ANC." },
                { id: "b", text: "Nothing." },
              ],
              correctOptionIds: ["a"],
              explanation: "Dispensing depends on a recent ANC.",
              reviewSectionId: "neutropenia",
            },
          ],
        },
        counselling: null,
        attestations: [{ id: "monitor-anc", text: "I will monitor the ANC." }],
        signatureMeaning: "I attest to the statements above.",
        coSignature: null,
        recertificationMonths: 24,
      },
      pharmacy: {
        enrollmentForm: {
          fields: [
            { id: "pharmacyName", label: "Pharmacy name", type: "text", required: true },
            { id: "ncpdpId", label: "NCPDP provider ID", type: "ncpdp", required: true },
          ],
        },
        training: null,
        knowledgeAssessment: null,
        counselling: null,
        attestations: [{ id: "verify-anc", text: "We will verify the ANC before dispensing." }],
        signatureMeaning: "I attest for this pharmacy.",
        coSignature: null,
        recertificationMonths: 24,
      },
      patient: {
        enrollmentForm: {
          fields: [
            { id: "fullName", label: "Full name", type: "text", required: true },
            { id: "dateOfBirth", label: "Date of birth", type: "date", required: true },
          ],
        },
        training: null,
        knowledgeAssessment: null,
        counselling: null,
        attestations: [{ id: "blood-tests", text: "I will have my blood tested." }],
        signatureMeaning: "I agree to take part.",
        coSignature: {
          by: "prescriber",
          attestations: [{ id: "counselled", text: "I have counselled this patient." }],
          signatureMeaning: "I attest as the prescriber.",
        },
        recertificationMonths: null,
      },
    },
    monitoring: {
      testTypes: [
        { code: "ANC", name: "Absolute neutrophil count", kind: "lab", intervalDays: 7, graceDays: 2, dueSoonDays: 2 },
      ],
      baseline: { testCodes: ["ANC"], withinDaysBeforeFirstDose: 7 },
      continueMonthsAfterLastDose: null,
      statusForm: null,
    },
    courses: null,
    dispensing: { authorizationValidityDays: 1, reasonPolicies: policies },
  };
}
