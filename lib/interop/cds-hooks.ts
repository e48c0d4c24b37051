/**
 * CDS Hooks 2.0 services of the registry: discovery, and order-sign / order-select / patient-view
 * answered with cards from the dispense gate's own decision (lib/interop/requirements.ts).
 *
 * - Orders for a programme drug are recognised by RxNorm or NDC, in any coding of
 *   medicationCodeableConcept or of a Medication referenced (contained or in the bundle).
 * - A drug outside every programme: `{"cards": []}`.
 * - The Patient and Practitioner come from prefetch; when missing, from the request's fhirServer
 *   only if it is allow-listed (CDS_HOOKS_FHIR_SERVERS); otherwise 412.
 * - Cards: `info` only when every requirement is met (with the REMS patient id and what a pharmacy
 *   would be told); one `warning` per unmet requirement with what to do and a link. A patient
 *   matched on name and birth date alone gets a card asking to confirm, never an `info`.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { type Db, db } from "../db";
import { env } from "../env";
import { AppError, fieldErrorsFromZod } from "../errors";
import { formatDate } from "../format";
import {
  bundleLookup,
  medicationCodings,
  orderedQuantity,
  patientName,
  type ProgramDrug,
  programForCodings,
  requesterNpi,
  type TBundle,
  type TMedicationRequest,
  type TPatient,
  ZBundle,
  ZMedicationRequest,
  ZPatient,
  ZPractitioner,
} from "./fhir";
import { fetchFhir, isAllowedFhirServer } from "./fhir-client";
import { npiFrom, remsPatientIdSystem } from "./identifiers";
import { type PatientMatch, matchPatient } from "./patient-match";
import { enrollmentLink } from "./prefill";
import { checkRequirements, type Requirement, type RequirementsResult } from "./requirements";

export const CDS_HOOKS_BASE = "/cds-services";

const PATIENT_PREFETCH = "Patient/{{context.patientId}}";
const PRACTITIONER_PREFETCH = "{{context.userId}}";

export const CDS_SERVICES = [
  {
    id: "rems-order-sign",
    hook: "order-sign",
    title: "REMS requirements when signing an order",
    description:
      "Checks the draft orders for drugs under a REMS programme against the registry: prescriber certification, patient enrollment, monitoring and course rules.",
    prefetch: { patient: PATIENT_PREFETCH, practitioner: PRACTITIONER_PREFETCH },
  },
  {
    id: "rems-order-select",
    hook: "order-select",
    title: "REMS requirements when selecting an order",
    description: "The same check as at signing, as soon as a REMS drug is selected.",
    prefetch: { patient: PATIENT_PREFETCH, practitioner: PRACTITIONER_PREFETCH },
  },
  {
    id: "rems-patient-view",
    hook: "patient-view",
    title: "REMS requirements for the patient's active orders",
    description: "When a patient's chart opens, checks their active orders for REMS drugs against the registry.",
    prefetch: {
      patient: PATIENT_PREFETCH,
      practitioner: PRACTITIONER_PREFETCH,
      medicationRequests:
        "MedicationRequest?subject={{context.patientId}}&status=active&_include=MedicationRequest:medication",
    },
  },
] as const;
export type CdsServiceId = (typeof CDS_SERVICES)[number]["id"];

export function cdsDiscovery() {
  return { services: CDS_SERVICES.map((s) => ({ ...s, prefetch: { ...s.prefetch } })) };
}

export function findCdsService(id: string) {
  return CDS_SERVICES.find((s) => s.id === id) ?? null;
}

const zId = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .min(1, { error: `${what} is required` })
    .max(300);

export const ZCdsRequest = z.object({
  hook: zId("hook"),
  hookInstance: zId("hookInstance"),
  fhirServer: z.url({ error: "fhirServer is a URL" }).max(2000).optional(),
  fhirAuthorization: z
    .looseObject({ access_token: z.string().max(10_000), token_type: z.string().max(100).optional() })
    .nullable()
    .optional(),
  context: z.looseObject({
    userId: zId("context.userId"),
    patientId: zId("context.patientId"),
    draftOrders: z.unknown().optional(),
    selections: z.array(z.string().max(300)).max(1000).optional(),
  }),
  prefetch: z.record(z.string().max(100), z.unknown()).nullable().optional(),
});
export type TCdsRequest = z.infer<typeof ZCdsRequest>;

export interface CdsLink {
  label: string;
  url: string;
  type: "absolute" | "smart";
}
export interface CdsCard {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: "info" | "warning" | "critical";
  source: { label: string; url?: string };
  links?: CdsLink[];
  /**
   * The registry's own data (CDS Hooks extension): the requirement the card is about ("all" on the
   * info card) and the dispense gate's reason codes behind it, for EHRs that act on codes.
   */
  extension: { "remsgate-requirement": string; "remsgate-reason-codes": string[] };
}

function badRequest(message: string, fields?: Record<string, string[]>): AppError {
  return new AppError("BAD_REQUEST", message, fields ? { fields } : undefined);
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(
    Object.entries(fieldErrorsFromZod(parsed.error)).map(([k, v]) => [k ? `${what}.${k}` : what, v]),
  );
  throw badRequest(`${what} is not valid: ${parsed.error.issues[0]?.message ?? "invalid"}.`, fields);
}

/** The MedicationRequests of a bundle; an entry that says it is one but is malformed is a 400. */
function medicationRequestsOf(bundle: TBundle | null, what: string): TMedicationRequest[] {
  const out: TMedicationRequest[] = [];
  (bundle?.entry ?? []).forEach((entry, i) => {
    if (entry.resource?.resourceType !== "MedicationRequest") return;
    out.push(parseOrThrow(ZMedicationRequest, entry.resource, `${what}.entry.${i}.resource`));
  });
  return out;
}

interface Resolved {
  orders: TMedicationRequest[];
  lookupBundles: (TBundle | null)[];
}

function missingData(what: string): AppError {
  return new AppError(
    "PRECONDITION_FAILED",
    `The ${what} was not prefetched and the request names no FHIR server the registry is allowed to read from. Send prefetch.${what}.`,
  );
}

async function prefetched(request: TCdsRequest, key: string, fetchPath: string | null): Promise<unknown | null> {
  const value = request.prefetch?.[key];
  if (value !== undefined && value !== null) return value;
  if (fetchPath && request.fhirServer && isAllowedFhirServer(request.fhirServer)) {
    const fetched = await fetchFhir(request.fhirServer, fetchPath, request.fhirAuthorization?.access_token);
    if (fetched !== null) return fetched;
  }
  return null;
}

async function ordersFor(serviceHook: string, request: TCdsRequest): Promise<Resolved> {
  if (serviceHook === "patient-view") {
    const patientRef = request.context.patientId;
    const raw = await prefetched(
      request,
      "medicationRequests",
      `MedicationRequest?subject=${encodeURIComponent(patientRef)}&status=active&_include=MedicationRequest:medication`,
    );
    if (raw === null) throw missingData("medicationRequests");
    const bundle = parseOrThrow(ZBundle, raw, "prefetch.medicationRequests");
    const orders = medicationRequestsOf(bundle, "prefetch.medicationRequests").filter(
      (o) => !o.status || ["active", "draft", "on-hold"].includes(o.status),
    );
    return { orders, lookupBundles: [bundle] };
  }
  if (request.context.draftOrders === undefined) throw badRequest("context.draftOrders is required for this hook.");
  const draft = parseOrThrow(ZBundle, request.context.draftOrders, "context.draftOrders");
  let orders = medicationRequestsOf(draft, "context.draftOrders");
  if (serviceHook === "order-select") {
    const selections = request.context.selections;
    if (!selections) throw badRequest("context.selections is required for order-select.");
    orders = orders.filter((o) => o.id && selections.includes(`MedicationRequest/${o.id}`));
  }
  return { orders, lookupBundles: [draft] };
}

/** The distinct programmes the orders are for, each with its first order. */
function programOrders(resolved: Resolved) {
  const lookup = bundleLookup(resolved.lookupBundles);
  const found = new Map<string, { drug: ProgramDrug; order: TMedicationRequest }>();
  for (const order of resolved.orders) {
    const drug = programForCodings(medicationCodings(order, lookup));
    if (drug && !found.has(drug.program.code)) found.set(drug.program.code, { drug, order });
  }
  return { programs: [...found.values()], lookup };
}

export interface CdsOptions {
  client?: Db;
  now?: Date;
}

/** Answers one CDS Hooks call. Throws NOT_FOUND (service), BAD_REQUEST (malformed), PRECONDITION_FAILED (412). */
export async function runCdsService(
  serviceId: string,
  body: unknown,
  options: CdsOptions = {},
): Promise<{ cards: CdsCard[] }> {
  const service = findCdsService(serviceId);
  if (!service)
    throw new AppError("NOT_FOUND", `There is no CDS service "${serviceId}". GET /cds-services lists them.`);
  const request = parseOrThrow(ZCdsRequest, body, "request");
  if (request.hook !== service.hook) {
    throw badRequest(`The ${service.id} service answers the ${service.hook} hook, not "${request.hook}".`, {
      hook: [`Expected "${service.hook}"`],
    });
  }
  const resolved = await ordersFor(service.hook, request);
  const { programs, lookup } = programOrders(resolved);
  if (programs.length === 0) return { cards: [] };

  const patientId = request.context.patientId.replace(/^Patient\//, "");
  const rawPatient = await prefetched(request, "patient", `Patient/${encodeURIComponent(patientId)}`);
  if (rawPatient === null) throw missingData("patient");
  const patient = parseOrThrow(ZPatient, rawPatient, "prefetch.patient");
  if (patient.id && patient.id !== patientId) {
    throw badRequest("prefetch.patient is not the patient of context.patientId.", {
      "prefetch.patient.id": ["Does not match context.patientId"],
    });
  }

  const userId = request.context.userId;
  const needsPractitioner = programs.some((p) => requesterNpi(p.order, lookup) === null);
  let practitionerNpi: string | null = null;
  if (needsPractitioner && userId.startsWith("Practitioner/")) {
    const raw = await prefetched(request, "practitioner", userId);
    if (raw === null) throw missingData("practitioner");
    practitionerNpi = npiFrom(parseOrThrow(ZPractitioner, raw, "prefetch.practitioner").identifier);
  }

  const client = options.client ?? db();
  const name = patientName(patient);
  const match = await matchPatient(client, {
    identifiers: patient.identifier,
    given: name?.given,
    family: name?.family,
    birthDate: patient.birthDate,
  });
  const cards: CdsCard[] = [];
  for (const { drug, order } of programs) {
    const result = await checkRequirements(
      {
        program: drug.program,
        ndc: drug.ndc,
        quantity: orderedQuantity(order),
        prescriberNpi: requesterNpi(order, lookup) ?? practitionerNpi,
        patientRemsId: match.kind === "identified" ? match.remsId : null,
        pharmacyId: null,
      },
      { client, now: options.now },
    );
    cards.push(...cardsFor(result, match, patient));
  }
  return { cards };
}

function clip(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}

function link(label: string, path: string): CdsLink {
  return { label, url: new URL(path, env().APP_URL).href, type: "absolute" };
}

/** The cards for one programme's check (pure: the result, the match and the EHR's Patient in, cards out). */
export function cardsFor(result: RequirementsResult, match: PatientMatch, patient: TPatient | null): CdsCard[] {
  const program = result.program;
  const source = { label: program.name, url: new URL("/lookup", env().APP_URL).href };
  const card = (c: CardContent, requirement: Requirement | null): CdsCard => ({
    uuid: randomUUID(),
    ...c,
    summary: clip(c.summary),
    source,
    extension: {
      "remsgate-requirement": requirement?.id ?? "all",
      "remsgate-reason-codes": requirement?.reasons.map((r) => r.code) ?? [],
    },
  });

  if (result.allMet && match.kind === "identified" && result.patient) {
    const until = result.decision.expiresOn;
    return [
      card(
        {
          indicator: "info",
          summary: `${program.drug.name}: every ${program.name} requirement is met`,
          detail: [
            `REMS patient id (case number): **${result.patient.remsId}**`,
            "Prescriber certified; patient enrolled; monitoring, baseline and course rules met today.",
            until
              ? `Authorization: a certified pharmacy asking today would be authorized to dispense, valid through ${formatDate(until)}.`
              : "",
          ]
            .filter(Boolean)
            .join("\n\n"),
        },
        null,
      ),
    ];
  }

  const cards: CdsCard[] = [];
  for (const requirement of result.requirements) {
    if (requirement.met) continue;
    const built = requirementCard(result, requirement, match, patient);
    if (built) cards.push(card(built, requirement));
  }
  return cards;
}

type CardContent = Omit<CdsCard, "uuid" | "source" | "extension">;

function reasonText(requirement: Requirement): string {
  return requirement.reasons.map((r) => r.message).join("\n\n");
}

function requirementCard(
  result: RequirementsResult,
  requirement: Requirement,
  match: PatientMatch,
  patient: TPatient | null,
): CardContent | null {
  const program = result.program;
  const patientPage = result.patient ? `/prescriber/patients/${result.patient.id}` : "/prescriber/patients";
  switch (requirement.id) {
    case "prescriber-certification": {
      const status = result.prescriberStatus;
      if (status === "SUBMITTED" || status === "CHANGES_REQUESTED") {
        return {
          indicator: "warning",
          summary: `Your ${program.name} certification is ${status === "SUBMITTED" ? "awaiting review" : "waiting for your changes"}`,
          detail: `You cannot prescribe ${program.drug.name} under the REMS until the programme certifies you.`,
          links: [link("Open your application", "/enrollment")],
        };
      }
      if (status === "SUSPENDED") {
        return {
          indicator: "warning",
          summary: `Your ${program.name} certification is suspended`,
          detail: reasonText(requirement),
          links: [link("Open your enrollment", "/enrollment")],
        };
      }
      return {
        indicator: "warning",
        summary: `Enroll in the ${program.name} to prescribe ${program.drug.name}`,
        detail:
          result.facts.prescriber === null
            ? `No prescriber with your NPI is certified in the ${program.name}.`
            : reasonText(requirement),
        links: [link("Enroll as a prescriber", `/enroll/${program.code}`)],
      };
    }
    case "patient-enrollment": {
      if (match.kind === "mismatch") {
        return {
          indicator: "critical",
          summary: `The REMS patient id in the chart belongs to another patient of the ${program.name}`,
          detail: `${match.remsId} is the REMS patient id of a patient whose ${match.differs.join(" and ")} ${match.differs.length === 1 ? "differs" : "differ"} from this chart's. Nothing was checked for this patient: check the id recorded in the chart against the patient's enrollment.`,
          links: [link("Find the patient in the registry", "/prescriber/patients")],
        };
      }
      if (match.kind === "proposed") {
        return {
          indicator: "warning",
          summary: `A patient with this name and birth date is enrolled in the ${program.name} — confirm`,
          detail: `Nothing is checked or authorized on a name and birth date alone. Confirm it is the same person and record their REMS patient id in the chart (identifier system \`${remsPatientIdSystem()}\`).`,
          links: [link("Find the patient in the registry", "/prescriber/patients")],
        };
      }
      if (!result.patient || result.patient.enrollmentStatus === null) {
        return {
          indicator: "warning",
          summary: `Enroll the patient in the ${program.name}`,
          detail:
            match.kind === "none" && match.identifierNotFound
              ? "The REMS patient id in the chart matches no patient of the registry. Check it, or enroll the patient."
              : `The patient is not enrolled in the ${program.name}. The enrollment form opens with the patient's name, birth date and sex from the chart.`,
          links: [{ ...link("Enroll this patient", "/"), url: enrollmentLink(env().APP_URL, program.code, patient) }],
        };
      }
      return {
        indicator: "warning",
        summary: `The patient's ${program.name} enrollment does not allow this order`,
        detail: reasonText(requirement),
        links: [link("Open the patient", patientPage)],
      };
    }
    case "safety-monitoring": {
      const overdue = result.overdue;
      return {
        indicator: "warning",
        summary: `Safety monitoring overdue: ${overdue.map((o) => o.name).join(", ") || "see details"}`,
        detail: overdue.length
          ? overdue.map((o) => `- ${o.name}: due since ${formatDate(o.dueOn)}`).join("\n")
          : reasonText(requirement),
        links: [link("Record results", `${patientPage}/labs`)],
      };
    }
    case "baseline-tests":
      return {
        indicator: "warning",
        summary: "Baseline tests needed before this course",
        detail: reasonText(requirement),
        links: [link("Record results", `${patientPage}/labs`)],
      };
    case "status-form":
      return {
        indicator: "warning",
        summary: "The Patient Status Form is overdue",
        detail: reasonText(requirement),
        links: [link("Submit the Patient Status Form", `${patientPage}/status-form`)],
      };
    case "course-interval": {
      const day = result.courseEarliestOn;
      return {
        indicator: "warning",
        summary: day ? `Too early for the next course: not before ${formatDate(day)}` : "Too early for the next course",
        detail: reasonText(requirement),
      };
    }
    default:
      return { indicator: "warning", summary: `${requirement.name}: not met`, detail: reasonText(requirement) };
  }
}
