import { z } from "zod";

/*
 * A REMS programme described as data. The engine (enrollment, certification,
 * monitoring, dispensing) reads these definitions and never names a programme,
 * so adding one (a clozapine-style ANC programme, an iPLEDGE-style pregnancy
 * test programme) means writing a definition, not changing code.
 *
 * Objects are strict: a misspelt key in a definition is an error at start-up,
 * not a silently ignored requirement.
 */

export const STAKEHOLDER_KINDS = ["prescriber", "pharmacy", "healthcareSetting", "patient"] as const;
export type TStakeholderKind = (typeof STAKEHOLDER_KINDS)[number];
export const ZStakeholderKind = z.enum(STAKEHOLDER_KINDS);

/** Stable codes for the reasons a dispense authorization can be refused. */
export const DENIAL_REASON_CODES = [
  "PHARMACY_NOT_CERTIFIED",
  "PRESCRIBER_NOT_CERTIFIED",
  "PRESCRIBER_SUSPENDED",
  "PATIENT_NOT_ENROLLED",
  "PATIENT_NOT_WITH_PRESCRIBER",
  "SETTING_NOT_CERTIFIED",
  "PATIENT_NOT_AT_SETTING",
  "BASELINE_LABS_MISSING",
  "BASELINE_LABS_STALE",
  "MONITORING_OVERDUE",
  "STATUS_FORM_OVERDUE",
  "COURSE_INTERVAL_TOO_SHORT",
  "QUANTITY_EXCEEDS_COURSE",
  "NDC_NOT_IN_PROGRAM",
  "PROGRAM_UNKNOWN",
  "DUPLICATE_REQUEST",
] as const;
export type TDenialReasonCode = (typeof DENIAL_REASON_CODES)[number];
export const ZDenialReasonCode = z.enum(DENIAL_REASON_CODES);

/** "block": the reason denies the request. "warn": approved, with the reason attached. */
export const REASON_POLICIES = ["block", "warn"] as const;
export type TReasonPolicy = (typeof REASON_POLICIES)[number];

/** Input widgets a form field can ask for; identifier types get their check-digit validation. */
export const FORM_FIELD_TYPES = [
  "text",
  "textarea",
  "email",
  "tel",
  "date",
  "select",
  "yesNo",
  "usState",
  "zip",
  "npi",
  "ncpdp",
  "dea",
] as const;
export type TFormFieldType = (typeof FORM_FIELD_TYPES)[number];

// ---------------------------------------------------------------------------
// Building blocks

const ZNonBlank = z.string().regex(/\S/, { error: "Must not be blank" });
const ZSlug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: "Use lower-case letters, digits and single hyphens" });
const ZFieldId = z.string().regex(/^[a-z][A-Za-z0-9]*$/, { error: "Field ids are camelCase (they become form keys)" });
const ZCode = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,31}$/, { error: "Codes are UPPER_SNAKE_CASE, at most 32 characters" });
const ZNdc = z.string().regex(/^\d{5}-\d{4}-\d{2}$/, { error: "NDC must be in 5-4-2 format, e.g. 58468-0200-01" });
const ZDays = z.int().min(0);
const ZPositiveInt = z.int().min(1);

/**
 * Reports every item whose key repeats an earlier one, at `path/index/keyName`
 * (or `path/index` when the items are the keys themselves).
 */
function reportDuplicates<T>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  keyOf: (item: T) => string,
  path: readonly PropertyKey[],
  keyName: string | null,
  label: string,
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (seen.has(key)) {
      const at = keyName === null ? [...path, index] : [...path, index, keyName];
      ctx.addIssue({ code: "custom", message: `Duplicate ${label} "${key}"`, path: at });
    }
    seen.add(key);
  });
}

// ---------------------------------------------------------------------------
// Forms

const ZSelectOption = z.strictObject({
  value: z.string().regex(/^[a-z0-9_]+$/, { error: "Option values use lower-case letters, digits and _" }),
  label: ZNonBlank,
});

const formFieldCommon = {
  id: ZFieldId,
  label: ZNonBlank,
  required: z.boolean(),
  help: ZNonBlank.optional(),
  /** Heading the field is shown under, e.g. "Practice address". */
  group: ZNonBlank.optional(),
  /** HTML autocomplete token, so browsers and assistive tech can fill the field. */
  autoComplete: z
    .string()
    .regex(/^[a-z0-9 -]+$/)
    .optional(),
  maxLength: ZPositiveInt.optional(),
};

const ZSelectField = z
  .strictObject({
    ...formFieldCommon,
    type: z.literal("select"),
    options: z.array(ZSelectOption, { error: "A select field needs its options" }).min(1, {
      error: "A select field needs at least one option",
    }),
  })
  .superRefine((field, ctx) => {
    reportDuplicates(ctx, field.options, (o) => o.value, ["options"], "value", "option value");
  });

const ZPlainField = z.strictObject({
  ...formFieldCommon,
  type: z.enum(FORM_FIELD_TYPES.filter((t) => t !== "select") as [Exclude<TFormFieldType, "select">]),
});

export const ZFormField = z.discriminatedUnion("type", [ZSelectField, ZPlainField]);
export type TFormField = z.infer<typeof ZFormField>;

const ZFormConstraint = z.strictObject({
  /** At least one of these (optional) fields must be filled in. */
  kind: z.literal("atLeastOneOf"),
  fieldIds: z.array(ZFieldId).min(2),
  message: ZNonBlank,
});

export const ZFormDefinition = z
  .strictObject({
    fields: z.array(ZFormField).min(1),
    constraints: z.array(ZFormConstraint).optional(),
  })
  .superRefine((form, ctx) => {
    reportDuplicates(ctx, form.fields, (f) => f.id, ["fields"], "id", "field id");
    const byId = new Map(form.fields.map((f) => [f.id, f]));
    form.constraints?.forEach((constraint, c) => {
      constraint.fieldIds.forEach((id, i) => {
        const field = byId.get(id);
        const path = ["constraints", c, "fieldIds", i];
        if (!field) {
          ctx.addIssue({ code: "custom", message: `Unknown field "${id}"`, path });
        } else if (field.required) {
          ctx.addIssue({
            code: "custom",
            message: `Field "${id}" is already required; "at least one of" needs optional fields`,
            path,
          });
        }
      });
    });
  });
export type TFormDefinition = z.infer<typeof ZFormDefinition>;

// ---------------------------------------------------------------------------
// Training and knowledge assessment

export const ZTrainingSection = z.strictObject({
  id: ZSlug,
  title: ZNonBlank,
  paragraphs: z.array(ZNonBlank).min(1),
  /** The person must tick "I have read this section" before moving on. */
  requiresAcknowledgement: z.boolean(),
});
export type TTrainingSection = z.infer<typeof ZTrainingSection>;

export const ZTraining = z
  .strictObject({
    title: ZNonBlank,
    sections: z.array(ZTrainingSection).min(1),
  })
  .superRefine((training, ctx) => {
    reportDuplicates(ctx, training.sections, (s) => s.id, ["sections"], "id", "section id");
  });
export type TTraining = z.infer<typeof ZTraining>;

const ZAnswerOption = z.strictObject({ id: ZSlug, text: ZNonBlank });

export const ZQuestion = z
  .strictObject({
    id: ZSlug,
    /** Short label used in results and reports, e.g. "Infusion reactions". */
    topic: ZNonBlank,
    prompt: ZNonBlank,
    options: z.array(ZAnswerOption).min(2),
    correctOptionIds: z.array(ZSlug).min(1),
    /** Shown after a wrong answer: why the correct answer is right. */
    explanation: ZNonBlank,
    /** Training section to re-read after a wrong answer. */
    reviewSectionId: ZSlug.optional(),
  })
  .superRefine((q, ctx) => {
    reportDuplicates(ctx, q.options, (o) => o.id, ["options"], "id", "option id");
    const optionIds = new Set(q.options.map((o) => o.id));
    q.correctOptionIds.forEach((id, i) => {
      if (!optionIds.has(id)) {
        ctx.addIssue({
          code: "custom",
          message: `Correct option "${id}" is not one of the question's options`,
          path: ["correctOptionIds", i],
        });
      }
    });
    if (new Set(q.correctOptionIds).size !== q.correctOptionIds.length) {
      ctx.addIssue({ code: "custom", message: "Correct option ids repeat", path: ["correctOptionIds"] });
    }
    if (q.correctOptionIds.length >= q.options.length) {
      ctx.addIssue({
        code: "custom",
        message: "At least one option must be wrong",
        path: ["correctOptionIds"],
      });
    }
  });
export type TQuestion = z.infer<typeof ZQuestion>;

export const ZPassRule = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("minCorrect"), count: ZPositiveInt }),
  z.strictObject({ kind: z.literal("percent"), value: z.number().gt(0).max(100) }),
]);
export type TPassRule = z.infer<typeof ZPassRule>;

export const ZKnowledgeAssessment = z
  .strictObject({
    questions: z.array(ZQuestion).min(1),
    passRule: ZPassRule,
    /** Failed attempts allowed before the account is locked for review; absent = unlimited retakes. */
    maxAttemptsBeforeLockout: ZPositiveInt.optional(),
  })
  .superRefine((assessment, ctx) => {
    reportDuplicates(ctx, assessment.questions, (q) => q.id, ["questions"], "id", "question id");
    const rule = assessment.passRule;
    if (rule.kind === "minCorrect" && rule.count > assessment.questions.length) {
      ctx.addIssue({
        code: "custom",
        message: `Pass rule needs ${rule.count} correct answers but there are only ${assessment.questions.length} questions`,
        path: ["passRule", "count"],
      });
    }
  });
export type TKnowledgeAssessment = z.infer<typeof ZKnowledgeAssessment>;

// ---------------------------------------------------------------------------
// Stakeholder requirements

export const ZAttestation = z.strictObject({ id: ZSlug, text: ZNonBlank });
export type TAttestation = z.infer<typeof ZAttestation>;

const ZCounselling = z.strictObject({
  /** Materials the prescriber goes through with the patient and hands over. */
  materials: z.array(z.strictObject({ id: ZSlug, title: ZNonBlank, description: ZNonBlank })).min(1),
});

const ZCoSignature = z.strictObject({
  /** Another stakeholder who signs the same enrollment, e.g. the prescriber on a patient form. */
  by: ZStakeholderKind,
  attestations: z.array(ZAttestation).min(1),
  signatureMeaning: ZNonBlank,
});

export const ZStakeholderRequirement = z
  .strictObject({
    enrollmentForm: ZFormDefinition,
    training: ZTraining.nullable(),
    knowledgeAssessment: ZKnowledgeAssessment.nullable(),
    counselling: ZCounselling.nullable(),
    attestations: z.array(ZAttestation).min(1),
    /** What an electronic signature on this enrollment means, shown next to the signature. */
    signatureMeaning: ZNonBlank,
    coSignature: ZCoSignature.nullable(),
    /** Certification lapses this many months after approval; null = no recertification. */
    recertificationMonths: ZPositiveInt.nullable(),
    /**
     * Patients only: enrolling someone younger than this (in whole years) needs an explicit
     * override with a reason, because the drug is not recommended below it. Absent = no minimum.
     */
    minimumAgeYears: ZPositiveInt.optional(),
  })
  .superRefine((req, ctx) => {
    reportDuplicates(ctx, req.attestations, (a) => a.id, ["attestations"], "id", "attestation id");
    if (req.coSignature) {
      reportDuplicates(
        ctx,
        req.coSignature.attestations,
        (a) => a.id,
        ["coSignature", "attestations"],
        "id",
        "attestation id",
      );
    }
    const sectionIds = new Set(req.training?.sections.map((s) => s.id) ?? []);
    req.knowledgeAssessment?.questions.forEach((q, i) => {
      if (q.reviewSectionId !== undefined && !sectionIds.has(q.reviewSectionId)) {
        ctx.addIssue({
          code: "custom",
          message: `Review section "${q.reviewSectionId}" is not a training section of this stakeholder`,
          path: ["knowledgeAssessment", "questions", i, "reviewSectionId"],
        });
      }
    });
  });
export type TStakeholderRequirement = z.infer<typeof ZStakeholderRequirement>;

// ---------------------------------------------------------------------------
// Monitoring

export const ZMonitoringTestType = z
  .strictObject({
    code: ZCode,
    name: ZNonBlank,
    kind: z.enum(["lab", "exam"]),
    /** Next result is due this many days after the previous one. */
    intervalDays: ZPositiveInt,
    /** Days after the due date before the test counts as overdue. */
    graceDays: ZDays,
    /** Days before the due date from which the test shows as "due soon". */
    dueSoonDays: ZDays,
  })
  .superRefine((t, ctx) => {
    if (t.graceDays >= t.intervalDays) {
      ctx.addIssue({ code: "custom", message: "Grace period must be shorter than the interval", path: ["graceDays"] });
    }
    if (t.dueSoonDays >= t.intervalDays) {
      ctx.addIssue({
        code: "custom",
        message: "Due-soon window must be shorter than the interval",
        path: ["dueSoonDays"],
      });
    }
  });
export type TMonitoringTestType = z.infer<typeof ZMonitoringTestType>;

export const ZStatusForm = z.strictObject({
  /** The prescriber submits a status form for each patient this often. */
  periodMonths: ZPositiveInt,
  graceDays: ZDays,
  dueSoonDays: ZDays,
  form: ZFormDefinition,
});
export type TStatusForm = z.infer<typeof ZStatusForm>;

export const ZMonitoring = z
  .strictObject({
    testTypes: z.array(ZMonitoringTestType).min(1),
    baseline: z.strictObject({
      testCodes: z.array(ZCode).min(1),
      /**
       * Each baseline result must be dated at most this many days before the first
       * dose of each course (of treatment, when the programme has no courses).
       */
      withinDaysBeforeFirstDose: ZDays,
    }),
    /** Monitoring continues this long after the last dose; null = for as long as treatment continues. */
    continueMonthsAfterLastDose: ZDays.nullable(),
    statusForm: ZStatusForm.nullable(),
  })
  .superRefine((m, ctx) => {
    reportDuplicates(ctx, m.testTypes, (t) => t.code, ["testTypes"], "code", "test code");
    const codes = new Set(m.testTypes.map((t) => t.code));
    m.baseline.testCodes.forEach((code, i) => {
      if (!codes.has(code)) {
        ctx.addIssue({
          code: "custom",
          message: `Baseline test "${code}" is not one of the monitoring test types`,
          path: ["baseline", "testCodes", i],
        });
      }
    });
    if (new Set(m.baseline.testCodes).size !== m.baseline.testCodes.length) {
      ctx.addIssue({ code: "custom", message: "Baseline test codes repeat", path: ["baseline", "testCodes"] });
    }
  });
export type TMonitoring = z.infer<typeof ZMonitoring>;

// ---------------------------------------------------------------------------
// Treatment courses and dispensing

const ZCourseRule = z.strictObject({
  consecutiveDays: ZPositiveInt,
  /** Most dispense units (see drug.dispenseUnit) that may be dispensed for one course. */
  maxUnits: ZPositiveInt,
});

export const ZCourses = z.strictObject({
  doseMgPerDay: z.number().positive(),
  first: ZCourseRule,
  /** Every course after the first. */
  subsequent: ZCourseRule,
  /** Minimum months from the last dose of one course to the first dose of the next. */
  minMonthsBetweenCourses: ZDays,
});
export type TCourses = z.infer<typeof ZCourses>;

export const ZDispensing = z.strictObject({
  /** An approved authorization can be used to dispense for this many days. */
  authorizationValidityDays: ZPositiveInt,
  /** Exhaustive: a definition that forgets a reason code does not load. */
  reasonPolicies: z.record(
    ZDenialReasonCode,
    z.enum(REASON_POLICIES, {
      error: (issue) =>
        issue.input === undefined
          ? "No policy for this denial reason: set block or warn"
          : "Policy must be block or warn",
    }),
  ),
});
export type TDispensing = z.infer<typeof ZDispensing>;

// ---------------------------------------------------------------------------
// The programme

/** Whom people call when the registry cannot help them on screen (a locked account, a question). */
export const ZProgramContact = z.strictObject({
  /** The programme's call centre, as people dial it, e.g. "1-855-676-6326". */
  phone: z.string().regex(/^\+?[0-9][0-9 ()-]{6,}[0-9]$/, { error: "Write the phone number as people dial it" }),
  email: z.email().optional(),
  /** When the phone line is answered, e.g. "Monday to Friday, 8 am to 8 pm ET". */
  hours: ZNonBlank.optional(),
});
export type TProgramContact = z.infer<typeof ZProgramContact>;

// ---------------------------------------------------------------------------
// Non-compliance

/**
 * The measures a programme may take against a stakeholder, mildest first. A ladder lists the ones
 * the programme uses in this order; suspension and decertification act on the certification.
 */
export const NON_COMPLIANCE_MEASURES = ["NOTICE", "CORRECTIVE_ACTION", "SUSPEND", "DECERTIFY"] as const;
export type TNonComplianceMeasure = (typeof NON_COMPLIANCE_MEASURES)[number];

export const ZNonComplianceRung = z.strictObject({
  measure: z.enum(NON_COMPLIANCE_MEASURES),
  /** What administrators and stakeholders call it, e.g. "Corrective action plan". */
  label: ZNonBlank,
  /** For CORRECTIVE_ACTION: the default number of days the stakeholder has to complete the plan. */
  dueDays: ZPositiveInt.optional(),
});

export const ZNonCompliance = z
  .strictObject({
    /** The kinds of case administrators open, and the stakeholders each may concern. */
    caseTypes: z
      .array(z.strictObject({ code: ZCode, label: ZNonBlank, appliesTo: z.array(ZStakeholderKind).min(1) }))
      .min(1),
    /** The escalation ladder, mildest measure first; reinstating and closing are always available. */
    ladder: z.array(ZNonComplianceRung).min(1),
  })
  .superRefine((section, ctx) => {
    reportDuplicates(ctx, section.caseTypes, (t) => t.code, ["caseTypes"], "code", "case type");
    reportDuplicates(ctx, section.ladder, (r) => r.measure, ["ladder"], "measure", "measure");
    section.ladder.forEach((rung, i) => {
      const previous = section.ladder[i - 1];
      if (
        previous &&
        NON_COMPLIANCE_MEASURES.indexOf(previous.measure) >= NON_COMPLIANCE_MEASURES.indexOf(rung.measure)
      ) {
        ctx.addIssue({
          code: "custom",
          message: "The ladder goes from the mildest measure to the strictest",
          path: ["ladder", i, "measure"],
        });
      }
      if (rung.measure === "CORRECTIVE_ACTION" && rung.dueDays === undefined) {
        ctx.addIssue({
          code: "custom",
          message: "A corrective action plan needs a number of days to complete it",
          path: ["ladder", i, "dueDays"],
        });
      }
      if (rung.measure !== "CORRECTIVE_ACTION" && rung.dueDays !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: "Only a corrective action plan has a due date",
          path: ["ladder", i, "dueDays"],
        });
      }
    });
  });
export type TNonCompliance = z.infer<typeof ZNonCompliance>;

export const ZProgramDefinition = z
  .strictObject({
    code: ZCode,
    /** Bumped when requirements change, so an enrollment records what it was made against. */
    version: ZPositiveInt,
    name: ZNonBlank,
    description: ZNonBlank,
    contact: ZProgramContact,
    drug: z.strictObject({
      name: ZNonBlank,
      genericName: ZNonBlank,
      /** Strength and package, e.g. "12 mg/1.2 mL single-dose vial". */
      presentation: ZNonBlank,
      /** What a dispense quantity counts, e.g. "vial" or "tablet". */
      dispenseUnit: ZNonBlank,
      /**
       * RxNorm concepts (RXCUIs) that name this drug in prescriptions (brand, clinical and branded
       * drug): how EHR orders over CDS Hooks and FHIR are recognised besides the NDCs.
       */
      rxnormCodes: z.array(z.string().regex(/^\d{1,10}$/, "An RXCUI is digits")).optional(),
    }),
    ndcs: z.array(ZNdc).min(1),
    /** Only the kinds a programme certifies or enrolls are present. */
    stakeholders: z.strictObject({
      prescriber: ZStakeholderRequirement.optional(),
      pharmacy: ZStakeholderRequirement.optional(),
      healthcareSetting: ZStakeholderRequirement.optional(),
      patient: ZStakeholderRequirement.optional(),
    }),
    monitoring: ZMonitoring.nullable(),
    /** null for continuous treatment without courses. */
    courses: ZCourses.nullable(),
    dispensing: ZDispensing,
    /**
     * Electronic signatures (21 CFR Part 11). `requireMfa`: whoever e-signs in this programme must
     * have two-step sign-in enrolled and give a code with their password at every signature.
     */
    esignature: z.strictObject({ requireMfa: z.boolean() }).default({ requireMfa: false }),
    /** Non-compliance cases: their types and the escalation ladder. Absent: no cases are opened. */
    nonCompliance: ZNonCompliance.optional(),
  })
  .superRefine((program, ctx) => {
    reportDuplicates(ctx, program.ndcs, (n) => n, ["ndcs"], null, "NDC");
    const kinds = STAKEHOLDER_KINDS.filter((k) => program.stakeholders[k] !== undefined);
    if (kinds.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "A programme needs at least one stakeholder kind",
        path: ["stakeholders"],
      });
    }
    for (const kind of kinds) {
      const coSigner = program.stakeholders[kind]?.coSignature?.by;
      if (coSigner === undefined) continue;
      const path = ["stakeholders", kind, "coSignature", "by"];
      if (coSigner === kind) {
        ctx.addIssue({ code: "custom", message: "A stakeholder cannot co-sign its own enrollment", path });
      } else if (!kinds.includes(coSigner)) {
        ctx.addIssue({
          code: "custom",
          message: `Co-signer "${coSigner}" is not a stakeholder of this programme`,
          path,
        });
      }
    }
  });

export type TProgramDefinition = z.infer<typeof ZProgramDefinition>;
export type TProgramDefinitionInput = z.input<typeof ZProgramDefinition>;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Validates a definition and returns it deeply frozen (definitions are shared
 * by every request). Throws a readable error listing every problem, so a bad
 * definition stops the app at start-up instead of misbehaving later.
 */
export function defineProgram(input: TProgramDefinitionInput): TProgramDefinition {
  const result = ZProgramDefinition.safeParse(input);
  if (!result.success) {
    const code = typeof input.code === "string" ? input.code : "(no code)";
    throw new Error(`Programme definition ${code} is invalid:\n${z.prettifyError(result.error)}`);
  }
  return deepFreeze(result.data);
}
