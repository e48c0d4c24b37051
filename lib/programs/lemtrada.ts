import {
  DENIAL_REASON_CODES,
  defineProgram,
  type TDenialReasonCode,
  type TFormField,
  type TProgramDefinition,
  type TReasonPolicy,
} from "./schema";

/*
 * The LEMTRADA (alemtuzumab) REMS, the first programme the registry runs.
 * Safety content is summarised from the product labelling; the labelling
 * itself stays the reference prescribers are pointed to.
 */

function addressFields(group: string): TFormField[] {
  return [
    {
      id: "addressLine1",
      label: "Street address",
      type: "text",
      required: true,
      group,
      autoComplete: "address-line1",
      maxLength: 100,
    },
    {
      id: "addressLine2",
      label: "Suite, floor or building",
      type: "text",
      required: false,
      group,
      autoComplete: "address-line2",
      maxLength: 100,
    },
    { id: "city", label: "City", type: "text", required: true, group, autoComplete: "address-level2", maxLength: 60 },
    { id: "state", label: "State", type: "usState", required: true, group, autoComplete: "address-level1" },
    { id: "zip", label: "ZIP code", type: "zip", required: true, group, autoComplete: "postal-code" },
  ];
}

function contactFields(group: string): TFormField[] {
  return [
    {
      id: "contactName",
      label: "Contact name",
      type: "text",
      required: true,
      group,
      autoComplete: "name",
      maxLength: 100,
    },
    { id: "contactPhone", label: "Contact phone", type: "tel", required: true, group, autoComplete: "tel" },
    { id: "contactEmail", label: "Contact email", type: "email", required: true, group, autoComplete: "email" },
  ];
}

const everyReasonBlocks = Object.fromEntries(DENIAL_REASON_CODES.map((code) => [code, "block"])) as Record<
  TDenialReasonCode,
  TReasonPolicy
>;

export const lemtrada: TProgramDefinition = defineProgram({
  code: "LEMTRADA",
  version: 1,
  name: "LEMTRADA REMS",
  description:
    "Restricted distribution programme for LEMTRADA (alemtuzumab) in relapsing multiple sclerosis, " +
    "because of its risks of serious autoimmune conditions, infusion reactions, stroke and malignancies.",
  // The LEMTRADA REMS call centre, as the prescribing information gives it ("Call 1-855-676-6326 to
  // enroll in the LEMTRADA REMS Program"). No e-mail address or opening hours are published there.
  contact: { phone: "1-855-676-6326" },
  drug: {
    name: "LEMTRADA",
    genericName: "alemtuzumab",
    presentation: "12 mg/1.2 mL single-dose vial",
    dispenseUnit: "vial",
    // Lemtrada (brand name), alemtuzumab 10 MG/ML [Lemtrada], 1.2 ML alemtuzumab 10 MG/ML
    // Injection [Lemtrada], and the clinical drug of that one presentation.
    rxnormCodes: ["1594659", "1594660", "1594663", "1594658"],
  },
  ndcs: ["58468-0200-01"],

  stakeholders: {
    prescriber: {
      enrollmentForm: {
        fields: [
          {
            id: "firstName",
            label: "First name",
            type: "text",
            required: true,
            group: "Prescriber",
            autoComplete: "given-name",
            maxLength: 60,
          },
          {
            id: "lastName",
            label: "Last name",
            type: "text",
            required: true,
            group: "Prescriber",
            autoComplete: "family-name",
            maxLength: 60,
          },
          {
            id: "credentials",
            label: "Credentials",
            type: "select",
            required: true,
            group: "Prescriber",
            options: [
              { value: "md", label: "MD" },
              { value: "do", label: "DO" },
              { value: "np", label: "NP" },
              { value: "pa", label: "PA" },
              { value: "other", label: "Other" },
            ],
          },
          {
            id: "npi",
            label: "NPI",
            type: "npi",
            required: true,
            group: "Prescriber",
            help: "Your individual 10-digit National Provider Identifier.",
          },
          {
            id: "specialty",
            label: "Specialty",
            type: "text",
            required: true,
            group: "Prescriber",
            maxLength: 80,
            help: "For example neurology.",
          },
          { id: "dea", label: "DEA number", type: "dea", required: false, group: "Prescriber", help: "Optional." },
          {
            id: "practiceName",
            label: "Practice or institution name",
            type: "text",
            required: true,
            group: "Practice",
            autoComplete: "organization",
            maxLength: 120,
          },
          ...addressFields("Practice address"),
          { id: "phone", label: "Phone", type: "tel", required: true, group: "Contact", autoComplete: "tel" },
          {
            id: "email",
            label: "Email",
            type: "email",
            required: true,
            group: "Contact",
            autoComplete: "email",
            help: "REMS notices about your patients are sent here.",
          },
        ],
      },
      training: {
        title: "LEMTRADA REMS education programme for prescribers",
        sections: [
          {
            id: "programme-overview",
            title: "Why LEMTRADA has a REMS",
            requiresAcknowledgement: true,
            paragraphs: [
              "LEMTRADA (alemtuzumab) is a humanised monoclonal antibody against CD52, a protein on the surface of T and B lymphocytes. It is used for relapsing forms of multiple sclerosis, generally in patients whose response to earlier therapies was inadequate.",
              "Its serious risks are autoimmune disease, infusion reactions, stroke and malignancies. Several of these can appear years after the last dose, so the programme exists to make sure patients are selected, treated and followed up in a way that finds problems early.",
              "LEMTRADA is therefore only available through restricted distribution: prescribers, healthcare settings and pharmacies must be certified and patients must be enrolled before any vial is dispensed.",
            ],
          },
          {
            id: "autoimmunity",
            title: "Autoimmunity",
            requiresAcknowledgement: true,
            paragraphs: [
              "LEMTRADA can induce autoantibodies and serious, sometimes fatal, autoimmune conditions. Immune thrombocytopenia (ITP) affected about 2% of patients in MS trials; one patient died of an intracerebral haemorrhage before monthly blood counts were required. ITP has been diagnosed more than 3 years after the last dose. If ITP is confirmed, start treatment promptly.",
              "Anti-glomerular basement membrane (anti-GBM) disease and other glomerular nephropathies have occurred up to about 40 months after the last dose. Untreated anti-GBM disease can progress to kidney failure requiring dialysis or transplant; a rising serum creatinine, blood or protein in the urine are the signals to act on.",
              "Autoimmune thyroid disorders, both over- and under-active, affected about a third of patients and keep appearing for years. Autoimmune cytopenias and other autoimmune conditions have also been reported. Tell patients which symptoms to report straight away: unusual bruising or bleeding, dark or reduced urine, swelling, and symptoms of thyroid disease.",
            ],
          },
          {
            id: "infusion-reactions",
            title: "Infusion reactions",
            requiresAcknowledgement: true,
            paragraphs: [
              "Cytokine release makes infusion reactions very common: most patients in trials had at least one, and about 3% had a serious reaction such as anaphylaxis, angioedema, bronchospasm, hypotension, chest pain or arrhythmia. Some reactions began more than 24 hours after the infusion.",
              "Premedicate with a corticosteroid immediately before the infusion on each of the first 3 days of every treatment course; antihistamines or antipyretics may be added. Reactions can still happen after premedication.",
              "Infuse only where staff and equipment to manage anaphylaxis and cardiac or respiratory emergencies are on site, watch the patient for at least 2 hours after every infusion, and explain that a serious reaction can still occur after they leave.",
            ],
          },
          {
            id: "stroke",
            title: "Stroke",
            requiresAcknowledgement: true,
            paragraphs: [
              "Serious and life-threatening strokes, ischaemic and haemorrhagic, as well as tears in the arteries of the head and neck, have been reported shortly after LEMTRADA infusions, usually within 3 days and most often within the first day.",
              "Teach every patient the warning signs of stroke (sudden weakness or numbness on one side, facial droop, trouble speaking, severe headache, loss of vision or balance, neck pain) and to call emergency services at once if any occur.",
            ],
          },
          {
            id: "malignancies",
            title: "Malignancies",
            requiresAcknowledgement: true,
            paragraphs: [
              "LEMTRADA may increase the risk of cancer, in particular thyroid cancer, melanoma and lymphoproliferative disorders, including lymphoma.",
              "Perform a skin examination before the first course and every year afterwards, and ask about symptoms of thyroid cancer such as a new neck lump, hoarseness or difficulty swallowing. Take care before starting LEMTRADA in a patient with a current or previous malignancy.",
            ],
          },
          {
            id: "monitoring-requirements",
            title: "Monitoring requirements",
            requiresAcknowledgement: true,
            paragraphs: [
              "Before each course (results no older than 30 days before the first infusion): complete blood count with differential, serum creatinine, urinalysis with urine cell counts, thyroid function including TSH, and a skin examination.",
              "After treatment: blood count, serum creatinine and urinalysis every month, and thyroid function every 3 months, until 48 months after the last infusion (longer if clinically indicated); a skin examination every year.",
              "Submit a Patient Status Form for each patient every 6 months. The registry tracks every test's due date; overdue monitoring is visible to you and to the REMS administrator.",
            ],
          },
          {
            id: "rems-process",
            title: "How the REMS works",
            requiresAcknowledgement: true,
            paragraphs: [
              "To prescribe, complete this education, pass the knowledge assessment and sign the prescriber enrollment; the REMS administrator then certifies you. Your office staff can prepare paperwork for you, but only you can sign.",
              "For each patient: counsel them with the Patient Guide, give them the Safety Information Card, complete the Patient Enrollment Form with them and record their baseline results. A patient can only be treated at a certified healthcare setting.",
              "Dosing is 12 mg a day by intravenous infusion: 5 consecutive days for the first course and 3 consecutive days for each later course, given at least 12 months after the last dose of the previous one.",
              "Before every dispense, the certified pharmacy asks the registry for an authorization. It is refused when a requirement is not met (for example a stakeholder is not certified, baseline results are missing or monitoring is overdue), and the reasons are shown so they can be fixed.",
            ],
          },
        ],
      },
      knowledgeAssessment: {
        passRule: { kind: "minCorrect", count: 8 },
        questions: [
          {
            id: "q1-autoimmunity",
            topic: "Autoimmunity",
            prompt: "Which serious autoimmune conditions can LEMTRADA cause?",
            options: [
              { id: "a", text: "None: LEMTRADA suppresses all autoimmune activity." },
              {
                id: "b",
                text: "Immune thrombocytopenia, anti-glomerular basement membrane disease and thyroid disorders, among others.",
              },
              { id: "c", text: "Only a mild rash during the infusion." },
              { id: "d", text: "Only conditions that appear within the first week after an infusion." },
            ],
            correctOptionIds: ["b"],
            explanation:
              "LEMTRADA can cause ITP, anti-GBM disease, thyroid disorders and other autoimmune conditions, some of them years after the last dose.",
            reviewSectionId: "autoimmunity",
          },
          {
            id: "q2-infusion-observation",
            topic: "Infusion reactions",
            prompt: "After each LEMTRADA infusion, how long must the patient be observed at the healthcare setting?",
            options: [
              { id: "a", text: "15 minutes." },
              { id: "b", text: "No observation is needed if the patient was premedicated." },
              { id: "c", text: "At least 2 hours, and the patient is told that reactions can still occur later." },
              { id: "d", text: "Overnight, as an inpatient." },
            ],
            correctOptionIds: ["c"],
            explanation:
              "Patients are observed for at least 2 hours after every infusion, and serious reactions may still occur afterwards.",
            reviewSectionId: "infusion-reactions",
          },
          {
            id: "q3-premedication",
            topic: "Premedication",
            prompt: "Which premedication is required for LEMTRADA infusions?",
            options: [
              {
                id: "a",
                text: "A corticosteroid immediately before the infusion on the first 3 days of each treatment course.",
              },
              { id: "b", text: "A corticosteroid on the first day of the first course only." },
              { id: "c", text: "An antihistamine alone, instead of a corticosteroid." },
              { id: "d", text: "No premedication is needed." },
            ],
            correctOptionIds: ["a"],
            explanation:
              "Corticosteroid premedication is given right before the infusion on each of the first 3 days of every course.",
            reviewSectionId: "infusion-reactions",
          },
          {
            id: "q4-stroke",
            topic: "Stroke",
            prompt: "What should patients be told about stroke?",
            options: [
              { id: "a", text: "Stroke is only a risk more than a year after treatment." },
              { id: "b", text: "Stroke symptoms are an expected side effect that can wait until the next visit." },
              { id: "c", text: "An extra corticosteroid dose prevents stroke." },
              {
                id: "d",
                text: "Strokes have occurred shortly after infusions, usually within 3 days; call emergency services at once for any stroke symptom.",
              },
            ],
            correctOptionIds: ["d"],
            explanation:
              "Serious strokes have been reported mostly within 3 days of an infusion; patients must seek emergency care immediately if symptoms appear.",
            reviewSectionId: "stroke",
          },
          {
            id: "q5-malignancies",
            topic: "Malignancies",
            prompt: "Which cancers are linked to LEMTRADA, and which routine check addresses that risk?",
            options: [
              { id: "a", text: "No cancer risk has been identified, so no checks are needed." },
              {
                id: "b",
                text: "Thyroid cancer, melanoma and lymphoproliferative disorders; skin exams at baseline and every year.",
              },
              { id: "c", text: "Lung cancer only; a chest X-ray every month." },
              { id: "d", text: "Leukaemia only; a bone marrow biopsy before each course." },
            ],
            correctOptionIds: ["b"],
            explanation:
              "The labelled malignancy risks are thyroid cancer, melanoma and lymphoproliferative disorders; skin exams are done at baseline and yearly.",
            reviewSectionId: "malignancies",
          },
          {
            id: "q6-monitoring-duration",
            topic: "Monitoring",
            prompt: "Until when must blood counts, serum creatinine and urinalysis be checked every month?",
            options: [
              { id: "a", text: "Until the end of the treatment course." },
              { id: "b", text: "For 6 months after the last infusion." },
              { id: "c", text: "For 12 months after the last infusion." },
              { id: "d", text: "Until 48 months after the last infusion, or longer if clinically indicated." },
            ],
            correctOptionIds: ["d"],
            explanation:
              "Monthly labs continue until 48 months after the last infusion because autoimmune conditions can appear that late.",
            reviewSectionId: "monitoring-requirements",
          },
          {
            id: "q7-course-schedule",
            topic: "Treatment courses",
            prompt: "Which dosing schedule is correct?",
            options: [
              { id: "a", text: "12 mg/day for 3 days, then 12 mg/day for 5 days 6 months later." },
              { id: "b", text: "12 mg once a month for 12 months." },
              {
                id: "c",
                text: "12 mg/day on 5 consecutive days, then 12 mg/day on 3 consecutive days at least 12 months after the last dose of the first course.",
              },
              { id: "d", text: "12 mg/day on 5 consecutive days, repeated every 6 months." },
            ],
            correctOptionIds: ["c"],
            explanation:
              "The first course is 5 days; each later course is 3 days, given at least 12 months after the previous course's last dose.",
            reviewSectionId: "rems-process",
          },
          {
            id: "q8-restricted-distribution",
            topic: "Restricted distribution",
            prompt: "Who may dispense and administer LEMTRADA?",
            options: [
              {
                id: "a",
                text: "Certified pharmacies dispense it, only to certified healthcare settings, for enrolled patients of certified prescribers.",
              },
              { id: "b", text: "Any pharmacy, for infusion at any clinic." },
              { id: "c", text: "Any hospital pharmacy, without enrolling in the programme." },
              { id: "d", text: "Patients may collect it and infuse it at home." },
            ],
            correctOptionIds: ["a"],
            explanation:
              "LEMTRADA is only dispensed by certified pharmacies to certified healthcare settings, for enrolled patients of certified prescribers.",
            reviewSectionId: "rems-process",
          },
        ],
      },
      counselling: null,
      attestations: [
        {
          id: "education-complete",
          text: "I have read the prescribing information and completed the LEMTRADA REMS education programme.",
        },
        {
          id: "risks-understood",
          text: "I understand that LEMTRADA can cause serious autoimmune conditions, infusion reactions, stroke and malignancies.",
        },
        {
          id: "counsel-and-enroll",
          text: "Before treating a patient I will counsel them with the Patient Guide, give them the Safety Information Card and enroll them with the Patient Enrollment Form.",
        },
        {
          id: "baseline-and-monitoring",
          text: "I will obtain baseline tests before each course and make sure the patient's monthly, 3-monthly and yearly monitoring continues until 48 months after the last infusion.",
        },
        { id: "status-forms", text: "I will submit a Patient Status Form for each of my patients every 6 months." },
        { id: "certified-settings-only", text: "I will only have LEMTRADA infused at a certified healthcare setting." },
        {
          id: "report-adverse-events",
          text: "I will report serious adverse events, including autoimmune conditions, serious infusion reactions, stroke and malignancies, to the REMS.",
        },
        {
          id: "compliance",
          text: "I understand that if I do not meet these requirements my certification can be suspended or withdrawn.",
        },
      ],
      signatureMeaning:
        "By signing I attest that the statements above are true and that I will follow the LEMTRADA REMS requirements for prescribers.",
      coSignature: null,
      recertificationMonths: null,
    },

    healthcareSetting: {
      enrollmentForm: {
        fields: [
          {
            id: "settingName",
            label: "Healthcare setting name",
            type: "text",
            required: true,
            group: "Healthcare setting",
            autoComplete: "organization",
            maxLength: 120,
          },
          {
            id: "settingType",
            label: "Type of setting",
            type: "select",
            required: true,
            group: "Healthcare setting",
            options: [
              { value: "infusion_center", label: "Infusion center" },
              { value: "hospital_outpatient", label: "Hospital outpatient department" },
              { value: "physician_office", label: "Physician office" },
            ],
          },
          {
            id: "npi",
            label: "NPI",
            type: "npi",
            required: false,
            group: "Healthcare setting",
            help: "The setting's organisational NPI, if it has one.",
          },
          {
            id: "otherIdentifier",
            label: "Other identifier",
            type: "text",
            required: false,
            group: "Healthcare setting",
            maxLength: 40,
            help: "Use when the setting has no NPI, e.g. a state facility licence number.",
          },
          ...addressFields("Address"),
          ...contactFields("Contact"),
        ],
        constraints: [
          {
            kind: "atLeastOneOf",
            fieldIds: ["npi", "otherIdentifier"],
            message: "Give the setting's NPI or another identifier.",
          },
        ],
      },
      training: {
        title: "LEMTRADA REMS training for healthcare settings",
        sections: [
          {
            id: "programme-overview",
            title: "The LEMTRADA REMS and your setting",
            requiresAcknowledgement: true,
            paragraphs: [
              "LEMTRADA can only be infused in a certified healthcare setting, for patients enrolled in the REMS by a certified prescriber. Your setting is certified once an authorised representative enrolls it, completes this training and signs the attestations, and the REMS administrator approves.",
            ],
          },
          {
            id: "infusion-reactions",
            title: "Preparing for infusion reactions",
            requiresAcknowledgement: true,
            paragraphs: [
              "Most patients have an infusion reaction and some are serious, including anaphylaxis, angioedema, bronchospasm, hypotension and arrhythmias. Staff trained to manage anaphylaxis and cardiac and respiratory emergencies, and the equipment they need, must be on site during every infusion.",
              "Give a corticosteroid immediately before the infusion on the first 3 days of every course. Observe the patient for at least 2 hours after each infusion, and remind them that reactions can occur after they leave.",
            ],
          },
          {
            id: "stroke",
            title: "Stroke after infusion",
            requiresAcknowledgement: true,
            paragraphs: [
              "Strokes and tears of head and neck arteries have occurred shortly after infusions, mostly within 3 days. Act immediately on any sign of stroke during observation, and make sure patients know to call emergency services if symptoms start later.",
            ],
          },
          {
            id: "verify-and-record",
            title: "Before and after each infusion",
            requiresAcknowledgement: true,
            paragraphs: [
              "Before each infusion, check in the registry that the patient is enrolled, linked to your setting and authorized for treatment. Do not infuse if the registry reports a problem.",
              "Record each infusion in the registry: date, dose, premedication given, completion of the 2-hour observation and any infusion reaction.",
            ],
          },
        ],
      },
      knowledgeAssessment: null,
      counselling: null,
      attestations: [
        {
          id: "emergency-readiness",
          text: "Equipment and personnel trained to manage infusion reactions, including anaphylaxis and cardiac and respiratory emergencies, are available on site whenever LEMTRADA is infused.",
        },
        {
          id: "two-hour-observation",
          text: "Every patient is observed for at least 2 hours after each LEMTRADA infusion.",
        },
        {
          id: "corticosteroid-premedication",
          text: "Patients are premedicated with a corticosteroid immediately before the infusion on the first 3 days of each treatment course.",
        },
        {
          id: "verify-authorization",
          text: "Before each infusion we verify in the REMS registry that the patient is enrolled and authorized to receive LEMTRADA.",
        },
      ],
      signatureMeaning:
        "By signing I attest, as the authorised representative of this healthcare setting, that the statements above are true and that the setting will follow the LEMTRADA REMS requirements.",
      coSignature: null,
      recertificationMonths: null,
    },

    pharmacy: {
      enrollmentForm: {
        fields: [
          {
            id: "pharmacyName",
            label: "Pharmacy name",
            type: "text",
            required: true,
            group: "Pharmacy",
            autoComplete: "organization",
            maxLength: 120,
          },
          {
            id: "pharmacyType",
            label: "Type of pharmacy",
            type: "select",
            required: true,
            group: "Pharmacy",
            options: [
              { value: "specialty", label: "Specialty pharmacy" },
              { value: "hospital", label: "Hospital pharmacy" },
              { value: "retail", label: "Retail pharmacy" },
            ],
          },
          {
            id: "ncpdpId",
            label: "NCPDP provider ID",
            type: "ncpdp",
            required: true,
            group: "Pharmacy",
            help: "The 7-digit NCPDP (NABP) number.",
          },
          {
            id: "npi",
            label: "NPI",
            type: "npi",
            required: true,
            group: "Pharmacy",
            help: "The pharmacy's organisational 10-digit NPI.",
          },
          ...addressFields("Address"),
          ...contactFields("Contact"),
        ],
      },
      training: {
        title: "LEMTRADA REMS training for pharmacies",
        sections: [
          {
            id: "programme-overview",
            title: "Restricted distribution",
            requiresAcknowledgement: true,
            paragraphs: [
              "Because of its risks of autoimmunity, infusion reactions, stroke and malignancies, LEMTRADA is only distributed through certified pharmacies. A pharmacy is certified once an authorised representative enrolls it, completes this training and signs the attestations, and the REMS administrator approves.",
            ],
          },
          {
            id: "dispense-authorization",
            title: "Authorization before every dispense",
            requiresAcknowledgement: true,
            paragraphs: [
              "Before every dispense, request an authorization from the registry for the patient, prescriber, healthcare setting and quantity. Dispense only if the answer is approved, and only within the authorization's validity period.",
              "A refusal lists every reason that applies, such as an uncertified stakeholder, missing baseline results, overdue monitoring, a course started too early or a quantity above the course maximum. Do not dispense until the reasons are resolved and a new request is approved.",
              "Ship LEMTRADA only to the certified healthcare setting named in the authorization. Confirm the dispense in the registry afterwards, or reverse it if the product was not sent.",
            ],
          },
          {
            id: "records-and-audits",
            title: "Records and audits",
            requiresAcknowledgement: true,
            paragraphs: [
              "Keep records of every dispense, including the authorization number, and make them available to the manufacturer, the REMS administrator or the FDA for audits of REMS compliance.",
            ],
          },
        ],
      },
      knowledgeAssessment: null,
      counselling: null,
      attestations: [
        {
          id: "authorize-every-dispense",
          text: "We will obtain an authorization from the REMS registry before every dispense of LEMTRADA.",
        },
        {
          id: "certified-settings-enrolled-patients",
          text: "We will dispense LEMTRADA only to certified healthcare settings, for patients enrolled in the REMS.",
        },
        { id: "keep-records", text: "We will keep records of every LEMTRADA dispense and its authorization." },
        {
          id: "allow-audits",
          text: "We will allow the manufacturer, the REMS administrator and the FDA to audit our REMS records and processes.",
        },
      ],
      signatureMeaning:
        "By signing I attest, as the authorised representative of this pharmacy, that the statements above are true and that the pharmacy will follow the LEMTRADA REMS requirements.",
      coSignature: null,
      recertificationMonths: null,
    },

    // The links to the prescriber and the treating healthcare setting are part of every
    // patient enrollment, not programme-specific fields, so they are not listed here.
    patient: {
      enrollmentForm: {
        fields: [
          {
            id: "firstName",
            label: "First name",
            type: "text",
            required: true,
            group: "Patient",
            autoComplete: "given-name",
            maxLength: 60,
          },
          {
            id: "lastName",
            label: "Last name",
            type: "text",
            required: true,
            group: "Patient",
            autoComplete: "family-name",
            maxLength: 60,
          },
          {
            id: "dateOfBirth",
            label: "Date of birth",
            type: "date",
            required: true,
            group: "Patient",
            autoComplete: "bday",
          },
          {
            id: "sex",
            label: "Sex",
            type: "select",
            required: true,
            group: "Patient",
            options: [
              { value: "female", label: "Female" },
              { value: "male", label: "Male" },
              { value: "other", label: "Other" },
            ],
          },
          ...addressFields("Address"),
          { id: "phone", label: "Phone", type: "tel", required: true, group: "Contact", autoComplete: "tel" },
          { id: "email", label: "Email", type: "email", required: false, group: "Contact", autoComplete: "email" },
        ],
      },
      training: null,
      knowledgeAssessment: null,
      counselling: {
        materials: [
          {
            id: "patient-guide",
            title: "Patient Guide",
            description:
              "Explains the serious risks of LEMTRADA, the symptoms to report, and why monitoring continues for 48 months after the last infusion.",
          },
          {
            id: "safety-information-card",
            title: "Safety Information Card",
            description:
              "A card the patient carries at all times and shows to any healthcare professional who treats them.",
          },
        ],
      },
      attestations: [
        {
          id: "counselled",
          text: "My doctor has gone through the Patient Guide with me and answered my questions, and I have received a Safety Information Card.",
        },
        {
          id: "risks-understood",
          text: "I understand that LEMTRADA can cause serious autoimmune problems, infusion reactions, stroke and cancers, some of them years after treatment.",
        },
        {
          id: "monitoring",
          text: "I will have my blood and urine tests every month, my thyroid tests every 3 months and a skin check every year, until 48 months after my last infusion.",
        },
        {
          id: "report-symptoms",
          text: "I will get medical help right away if I have symptoms described in the Patient Guide, and carry my Safety Information Card.",
        },
        {
          id: "data-sharing",
          text: "I agree that my enrollment and test information is shared with the LEMTRADA REMS so it can check that treatment is safe for me.",
        },
      ],
      signatureMeaning:
        "By signing I confirm that I have read and understood the statements above and agree to take part in the LEMTRADA REMS.",
      coSignature: {
        by: "prescriber",
        attestations: [
          {
            id: "patient-counselled",
            text: "I have counselled this patient with the Patient Guide and given them the Safety Information Card.",
          },
          {
            id: "signed-form-on-file",
            text: "The patient has signed this enrollment, in the registry or on a paper form that I keep on file.",
          },
        ],
        signatureMeaning: "By signing I attest, as the patient's prescriber, that the statements above are true.",
      },
      recertificationMonths: null,
      // The labelling says safety and effectiveness in patients under 17 have not been established,
      // so a younger patient is enrolled only with the prescriber's explicit, recorded override.
      minimumAgeYears: 17,
    },
  },

  monitoring: {
    testTypes: [
      {
        code: "CBC_DIFF",
        name: "Complete blood count with differential",
        kind: "lab",
        intervalDays: 31,
        graceDays: 7,
        dueSoonDays: 7,
      },
      {
        code: "SERUM_CREATININE",
        name: "Serum creatinine",
        kind: "lab",
        intervalDays: 31,
        graceDays: 7,
        dueSoonDays: 7,
      },
      {
        code: "URINALYSIS",
        name: "Urinalysis with urine cell counts",
        kind: "lab",
        intervalDays: 31,
        graceDays: 7,
        dueSoonDays: 7,
      },
      { code: "TSH", name: "Thyroid function (TSH)", kind: "lab", intervalDays: 92, graceDays: 14, dueSoonDays: 14 },
      { code: "SKIN_EXAM", name: "Skin examination", kind: "exam", intervalDays: 366, graceDays: 30, dueSoonDays: 30 },
    ],
    baseline: {
      testCodes: ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"],
      withinDaysBeforeFirstDose: 30,
    },
    continueMonthsAfterLastDose: 48,
    statusForm: {
      periodMonths: 6,
      graceDays: 14,
      dueSoonDays: 30,
      form: {
        fields: [
          {
            id: "labsUpToDate",
            label: "Have all required tests for this period been done?",
            type: "yesNo",
            required: true,
          },
          {
            id: "newAutoimmuneCondition",
            label: "Any new autoimmune condition (for example ITP, kidney or thyroid disease)?",
            type: "yesNo",
            required: true,
          },
          { id: "seriousInfection", label: "Any serious infection?", type: "yesNo", required: true },
          { id: "malignancy", label: "Any new malignancy?", type: "yesNo", required: true },
          { id: "pregnancy", label: "Any pregnancy?", type: "yesNo", required: true },
          { id: "details", label: "Details of any answer above", type: "textarea", required: false, maxLength: 2000 },
        ],
      },
    },
  },

  courses: {
    doseMgPerDay: 12,
    first: { consecutiveDays: 5, maxUnits: 5 },
    subsequent: { consecutiveDays: 3, maxUnits: 3 },
    minMonthsBetweenCourses: 12,
  },

  dispensing: {
    authorizationValidityDays: 7,
    reasonPolicies: everyReasonBlocks,
  },

  // Every signature in this programme certifies a person to prescribe, dispense or receive a drug
  // with serious risks: a stolen password alone must not be enough to sign.
  esignature: { requireMfa: true },

  nonCompliance: {
    caseTypes: [
      {
        code: "DISPENSE_WITHOUT_AUTHORIZATION",
        label: "Dispensing without a dispense authorization",
        appliesTo: ["pharmacy"],
      },
      { code: "MONITORING_NOT_DONE", label: "Required monitoring not done", appliesTo: ["prescriber", "patient"] },
      { code: "STATUS_FORM_NOT_SUBMITTED", label: "Patient Status Form not submitted", appliesTo: ["prescriber"] },
      {
        code: "INFUSION_AT_UNCERTIFIED_SETTING",
        label: "Infusion at an uncertified healthcare setting",
        appliesTo: ["prescriber", "pharmacy", "healthcareSetting"],
      },
      {
        code: "INFUSION_REQUIREMENTS_NOT_MET",
        label: "Infusion requirements not met (premedication, observation, reporting)",
        appliesTo: ["healthcareSetting"],
      },
      {
        code: "OTHER",
        label: "Other non-compliance",
        appliesTo: ["prescriber", "pharmacy", "healthcareSetting", "patient"],
      },
    ],
    ladder: [
      { measure: "NOTICE", label: "Notice of non-compliance" },
      { measure: "CORRECTIVE_ACTION", label: "Corrective action plan", dueDays: 30 },
      { measure: "SUSPEND", label: "Suspension" },
      { measure: "DECERTIFY", label: "Decertification" },
    ],
  },
});
