/**
 * The OpenAPI 3.1 document of the public API (served at /api/v1/openapi.json, rendered at
 * /api-docs), generated from the same zod schemas the route handlers validate with
 * (./schema.ts, lib/lookup/schema.ts), so the document cannot drift from what the server accepts.
 * The schemas here only add documentation (descriptions, examples) and response shapes that have
 * no zod schema of their own (errors, the certification answer).
 */
import {
  extendZodWithOpenApi,
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../errors";
import { makeRemsId } from "../identifiers/rems-id";
import { ZCertificationQuery } from "../lookup/schema";
import { DENIAL_REASON_CODES, type TDenialReasonCode } from "../programs/schema";
import { REASON_STAKEHOLDERS } from "./messages";
import {
  ZConfirmDispense,
  ZDispenseAnswer,
  ZDispenseAuthorizationPage,
  ZDispenseAuthorizationView,
  ZDispenseReason,
  ZDispenseRequest,
  ZIdempotencyKey,
  ZListDispenseAuthorizations,
  ZReverseDispense,
} from "./schema";

extendZodWithOpenApi(z);

export const API_TITLE = "remsgate public API";
export const API_VERSION = "1.0.0";
export const BEARER_SCHEME = "pharmacyApiKey";

/** What each error code means to an API client; the HTTP status comes from lib/errors.ts. */
export const API_ERROR_CODES: { code: ErrorCode; status: number; meaning: string }[] = (
  [
    ["BAD_REQUEST", "The request is malformed: the body is not JSON, or a header such as Idempotency-Key is missing."],
    ["UNAUTHENTICATED", "No API key (and no pharmacist session), or the key is unknown or revoked."],
    [
      "FORBIDDEN",
      "The caller may not use the dispense gate: a signed-in user who is not a pharmacist of a pharmacy, or a genuine API key of a pharmacy whose certification is suspended or decertified (refused until the pharmacy is reinstated).",
    ],
    ["NOT_FOUND", "No such resource for this caller: another pharmacy's authorization is not found either."],
    ["CONFLICT", "The request clashes with the current state (key reused with another body, not approved, expired)."],
    ["ILLEGAL_TRANSITION", "The resource cannot move to the requested state."],
    [
      "AUTHORIZATION_REVOKED",
      "Do not dispense: the authorization was revoked because a party lost its certification or enrollment; `error.reasons` carries the reason codes.",
    ],
    ["VALIDATION", "One or more fields are invalid; `error.fields` names each field with its messages."],
    ["LOCKED", "The resource is locked for now."],
    ["RATE_LIMITED", "Too many requests: wait the number of seconds in the Retry-After header."],
    ["PAYLOAD_TOO_LARGE", "The request body is larger than the registry accepts for this route."],
    ["INTERNAL", "A fault on the registry's side; quote the request id (x-request-id) when reporting it."],
    [
      "UNAVAILABLE",
      "The registry cannot reach its database right now (a restart, an outage): nothing was decided or stored; retry after the seconds in Retry-After.",
    ],
  ] as const
).map(([code, meaning]) => ({ code, status: ERROR_STATUS[code], meaning }));

/** What each denial or warning reason means; the stakeholder is who it concerns. */
export const REASON_CODE_MEANINGS: Record<TDenialReasonCode, string> = {
  PHARMACY_NOT_CERTIFIED:
    "Your pharmacy is not certified in the programme (the message says where its enrollment stands and what to do). While it blocks, it is the only reason given (with NDC_NOT_IN_PROGRAM, if that applies too): nothing about the patient, prescriber or healthcare setting is disclosed.",
  PRESCRIBER_NOT_CERTIFIED: "The prescriber (by NPI) is unknown to the registry or not certified.",
  PRESCRIBER_SUSPENDED: "The prescriber's certification is suspended.",
  PATIENT_NOT_ENROLLED: "The patient (by REMS ID) is unknown or not enrolled in the programme.",
  PATIENT_NOT_WITH_PRESCRIBER: "The patient is enrolled with a different prescriber.",
  SETTING_NOT_CERTIFIED: "The healthcare setting is unknown to the registry or not certified.",
  PATIENT_NOT_AT_SETTING: "The patient is enrolled for treatment at a different healthcare setting.",
  BASELINE_LABS_MISSING: "A course starts with this dispense and baseline results are missing.",
  BASELINE_LABS_STALE: "A course starts with this dispense and baseline results are older than the window.",
  MONITORING_OVERDUE: "The patient's safety monitoring is overdue.",
  STATUS_FORM_OVERDUE: "The Patient Status Form is overdue.",
  COURSE_INTERVAL_TOO_SHORT: "Too soon after the previous course for a new course to start.",
  QUANTITY_EXCEEDS_COURSE:
    "The quantity, added to the units already approved (and still usable) or dispensed for the patient's course by any pharmacy, is more than the course allows (or it is not a whole number of at least 1).",
  NDC_NOT_IN_PROGRAM: "The NDC is not a product of the programme.",
  PROGRAM_UNKNOWN: "There is no programme with this code.",
  DUPLICATE_REQUEST: "The prescription already has an approved authorization that has not been used.",
};

/**
 * A zod object with documentation added to some of its fields (validation unchanged). zod 4 copies
 * methods onto each schema when it is created, so schemas made before `extendZodWithOpenApi` ran
 * (those imported from ./schema.ts) have no `.openapi()`: fields get zod's own `.meta()`, which the
 * generator reads the same way, and `.extend()` makes a new object that has `.openapi()`.
 */
function documented<T extends z.ZodObject>(
  schema: T,
  docs: Partial<Record<keyof T["shape"] & string, { description: string; example?: unknown }>>,
): T {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, meta] of Object.entries(docs) as [string, { description: string; example?: unknown }][]) {
    const field = schema.shape[key] as z.ZodType | undefined;
    if (!field) throw new Error(`openapi: ${key} is not a field`);
    shape[key] = field.meta(meta);
  }
  return schema.extend(shape) as unknown as T;
}

const uuidExample = "0b6f3f0e-7c1a-4a8e-9a57-1f2f3c4d5e6f";
// Examples with real check characters, so each one is an id the server accepts.
const authorizationNumberExample = makeRemsId("DA", "7K3M9Q2D");
const settingCertificationExample = makeRemsId("HC", "5R2T8V1N");
const requestExample = {
  programCode: "LEMTRADA",
  prescriberNpi: "1234567893",
  patientRemsId: makeRemsId("PT", "7K3M9Q2D"),
  healthcareSettingId: makeRemsId("HS", "4C8N2W7P"),
  ndc: "58468-0200-01",
  quantity: 5,
  prescriptionId: "RX-100245",
};

function buildRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();

  registry.registerComponent("securitySchemes", BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    description:
      "The pharmacy's API key, created by its authorised representative under Pharmacy → API keys and shown " +
      "once: `Authorization: Bearer rg_…`. Without the header, a signed-in pharmacist's session is accepted.",
  });
  const rateLimitLimit = registry.registerComponent("headers", "RateLimit-Limit", {
    description: "Requests this caller may make per minute.",
    schema: { type: "integer" },
  });
  const rateLimitRemaining = registry.registerComponent("headers", "RateLimit-Remaining", {
    description: "Requests left in the current minute.",
    schema: { type: "integer" },
  });
  const retryAfter = registry.registerComponent("headers", "Retry-After", {
    description: "Seconds to wait before trying again.",
    schema: { type: "integer" },
  });
  const wwwAuthenticate = registry.registerComponent("headers", "WWW-Authenticate", {
    description: "`Bearer`: send an API key.",
    schema: { type: "string" },
  });
  const requestIdHeader = registry.registerComponent("headers", "X-Request-Id", {
    description: "The id of this request; quote it when asking about a response.",
    schema: { type: "string" },
  });

  const ApiError = registry.register(
    "Error",
    z
      .object({
        error: z.object({
          code: z
            .enum(API_ERROR_CODES.map((e) => e.code) as [ErrorCode, ...ErrorCode[]])
            .openapi({ description: "Stable code to branch on; see the error codes table." }),
          message: z.string().openapi({ description: "What went wrong, in words fit to show a pharmacist." }),
          fields: z
            .record(z.string(), z.array(z.string()))
            .optional()
            .openapi({
              description: "For VALIDATION (and some BAD_REQUEST) errors: the messages for each field, by field name.",
              example: { quantity: ["The quantity must be at least 1"] },
            }),
          reasons: z.array(ZDispenseReason).optional().openapi({
            description:
              "For AUTHORIZATION_REVOKED: why the authorization no longer stands, with the same codes as a denial.",
          }),
        }),
      })
      .openapi({ description: "Every error has this shape." }),
  );

  const Reason = registry.register(
    "DispenseReason",
    documented(ZDispenseReason, {
      code: { description: "Stable reason code (see the reason codes table)." },
      stakeholder: { description: "The stakeholder the reason concerns." },
      actor: {
        description:
          "Who must act before a new request can be approved. `pharmacy` for an id that matches no one in the " +
          "registry: check the id on the prescription. Absent on decisions stored before it was given.",
      },
      message: { description: "Plain-language explanation ending with who must act." },
    }),
  );
  const reasonList = (what: string) => z.array(Reason).openapi({ description: what });
  const reasons = reasonList("Reasons that block the request (empty when approved).");
  const warnings = reasonList("Reasons that only warn (the programme's policy, or enforcement discretion).");

  const DispenseRequest = registry.register(
    "DispenseRequest",
    documented(ZDispenseRequest, {
      programCode: { description: "The REMS programme's code.", example: "LEMTRADA" },
      prescriberNpi: {
        description:
          "The prescriber's 10-digit NPI. A wrong check digit is a 422 field error (a typo), never a denial.",
        example: requestExample.prescriberNpi,
      },
      patientRemsId: {
        description:
          "The patient's REMS ID (PT-XXXX-XXXX-X; case, spaces and dashes do not matter). A wrong check character " +
          "is a 422 field error (a typo), never a denial; a well-formed ID that matches no patient is a denial.",
        example: requestExample.patientRemsId,
      },
      healthcareSettingId: {
        description:
          "The healthcare setting where the patient is infused: its REMS ID (HS-…), its certification number " +
          `(HC-…, as the public certification lookup shows it, e.g. ${settingCertificationExample}) or its ` +
          "10-digit NPI. Checked like the other ids: a wrong check character is a 422 field error.",
        example: requestExample.healthcareSettingId,
      },
      ndc: { description: "The product's NDC as printed on the carton.", example: requestExample.ndc },
      quantity: { description: "Units to dispense (vials for LEMTRADA).", example: 5 },
      prescriptionId: {
        description: "Your prescription number; one approved, unused authorization per prescription.",
        example: requestExample.prescriptionId,
      },
    }).openapi({ example: requestExample }),
  );

  const [approvedShape, deniedShape] = ZDispenseAnswer.options;
  const Approved = registry.register(
    "DispenseApproved",
    documented(approvedShape.extend({ warnings }), {
      id: { description: "The authorization's id (also in the Location header)." },
      decision: { description: "APPROVED: you may dispense, within the validity period." },
      authorizationNumber: {
        description: "The number to record with the dispense.",
        example: authorizationNumberExample,
      },
      expiresAt: { description: "The authorization may not be used after this instant." },
      enforcementDiscretion: { description: "Present (true) when approved only under enforcement discretion." },
      status: {
        description:
          "Only on a replay (Idempotent-Replayed: true) of an approval that no longer stands: DISPENSED, REVERSED, EXPIRED or REVOKED. Do not dispense under it; GET the authorization for the details. Absent while the approval may be used.",
      },
    }),
  );
  const Denied = registry.register(
    "DispenseDenied",
    documented(deniedShape.extend({ reasons, warnings }), {
      id: { description: "The stored request's id." },
      decision: { description: "DENIED: do not dispense; resolve the reasons and request again." },
      duplicateOfId: { description: "For a DUPLICATE_REQUEST denial: the id of the approved authorization." },
      duplicateOfNumber: {
        description: "For a DUPLICATE_REQUEST denial: the approved authorization's number.",
        example: authorizationNumberExample,
      },
    }),
  );
  const DispenseAnswer = registry.register(
    "DispenseAnswer",
    z.discriminatedUnion("decision", [Approved, Denied]).openapi({
      description: "The decision. A denial is an answer (200), not an error.",
    }),
  );

  const View = registry.register(
    "DispenseAuthorization",
    documented(ZDispenseAuthorizationView.extend({ reasons, warnings }), {
      status: {
        description:
          "APPROVED (usable), DENIED, DISPENSED (confirmed), REVERSED (dispense undone), EXPIRED (not used in time).",
      },
      healthcareSettingId: {
        description: "The setting identifier as sent in the request (canonical form: HS-…, HC-… or the NPI).",
      },
      patientRemsId: { description: "The patient's REMS ID, in canonical form." },
      duplicateOfId: { description: "For a DUPLICATE_REQUEST denial: the approved authorization it duplicates." },
      duplicateOfNumber: { description: "For a DUPLICATE_REQUEST denial: that authorization's number (DA-…)." },
      requestedAt: { description: "When the request was decided." },
      expiresAt: {
        description:
          "End of the validity of an approved authorization; null when denied. The programme's validity period, and for a dispense that starts a course no later than the last day the patient's baseline results are recent enough for the course to start.",
      },
      dispensedAt: { description: "When the dispense happened, as confirmed." },
    }),
  );
  const Page = registry.register(
    "DispenseAuthorizationPage",
    documented(ZDispenseAuthorizationPage.extend({ items: z.array(View) }), {
      items: { description: "This page's authorizations, newest first." },
      total: { description: "Authorizations matching the filters, over all pages." },
    }),
  );
  const ConfirmDispense = registry.register(
    "ConfirmDispense",
    documented(ZConfirmDispense, {
      quantity: { description: "Units actually dispensed; at most the authorized quantity.", example: 5 },
      lotNumber: { description: "The lot number on the carton.", example: "A1234B" },
      dispensedAt: {
        description: "When it was dispensed (ISO 8601 with offset); defaults to now; not in the future.",
        example: "2026-03-02T14:30:00Z",
      },
    }),
  );
  const ReverseDispense = registry.register(
    "ReverseDispense",
    documented(ZReverseDispense, {
      reason: { description: "Why the dispense is reversed.", example: "Not picked up; returned to stock" },
    }),
  );
  const CertificationAnswer = registry.register(
    "CertificationAnswer",
    z.object({
      kind: z
        .enum(["prescriber", "pharmacy", "healthcareSetting"])
        .openapi({ description: "Who holds the identifier." }),
      name: z
        .string()
        .openapi({ description: 'Organisation name; a prescriber\'s name only while certified, else "".' }),
      certified: z.boolean().openapi({
        description:
          "Whether the certification is in force. This is all the lookup says: applying, refused, suspended, " +
          "decertified and expired all read `false`.",
      }),
      certificationNumber: z
        .string()
        .nullable()
        .openapi({ description: "Given only while certified.", example: settingCertificationExample }),
      certifiedOn: z.iso
        .date()
        .nullable()
        .openapi({ description: "First day of the certification in force (UTC); null when not certified." }),
      expiresOn: z.iso.date().nullable().openapi({
        description: "Last day the certification is valid without recertification (UTC); null when not certified.",
      }),
      remsId: z
        .string()
        .nullable()
        .openapi({
          description:
            "A healthcare setting's REMS ID (HS-…): a dispense request can name the setting by it, by its " +
            "certification number or by its NPI. null for prescribers and pharmacies.",
          example: requestExample.healthcareSettingId,
        }),
    }),
  );

  const json = (schema: z.ZodType) => ({ "application/json": { schema } });
  const errorResponse = (description: string, headers: ResponseConfig["headers"] = {}): ResponseConfig => ({
    description,
    headers: { "X-Request-Id": requestIdHeader.ref, ...headers },
    content: json(ApiError),
  });
  const okHeaders = {
    "X-Request-Id": requestIdHeader.ref,
    "RateLimit-Limit": rateLimitLimit.ref,
    "RateLimit-Remaining": rateLimitRemaining.ref,
  };
  const unauthenticated = errorResponse("No API key or session, or the key is unknown or revoked (UNAUTHENTICATED).", {
    "WWW-Authenticate": wwwAuthenticate.ref,
  });
  const rateLimited = errorResponse("Too many requests from this caller (RATE_LIMITED).", {
    "Retry-After": retryAfter.ref,
  });
  const internal = errorResponse("A fault on the registry's side (INTERNAL); quote the request id.");
  const unavailable = errorResponse(
    "The registry cannot reach its database right now (UNAVAILABLE): nothing was decided or stored. Retry after Retry-After seconds with the same Idempotency-Key.",
    { "Retry-After": retryAfter.ref },
  );
  const forbidden = errorResponse(
    "The signed-in user is not a pharmacist of a pharmacy, or the pharmacy's certification is suspended or decertified: its API keys are refused until it is reinstated (FORBIDDEN).",
  );
  const notFound = errorResponse(
    "No authorization with this id for your pharmacy (NOT_FOUND); another pharmacy's is not found either.",
  );
  const idParam = z.object({
    id: z.uuid().openapi({ description: "The authorization's id.", example: uuidExample }),
  });
  const tags = ["Dispense authorizations"];
  const security = [{ [BEARER_SCHEME]: [] }];

  registry.registerPath({
    method: "post",
    path: "/api/v1/dispense-authorizations",
    operationId: "requestDispenseAuthorization",
    summary: "Request a dispense authorization",
    description:
      "Asks whether your pharmacy may dispense this quantity of this product for this patient, prescriber and " +
      "healthcare setting now. Every reason that applies is listed — except to a pharmacy that is not certified in " +
      "the programme: it is denied with PHARMACY_NOT_CERTIFIED only (and NDC_NOT_IN_PROGRAM if the NDC is wrong), " +
      "with no warnings and nothing about the patient, prescriber or healthcare setting. Send a new Idempotency-Key for each new " +
      "request and the same key when retrying it: a retry with the same key and body answers the stored decision " +
      "again with `Idempotent-Replayed: true`.",
    tags,
    security,
    request: {
      headers: z.object({
        "Idempotency-Key": ZIdempotencyKey.meta({
          description: "A value you make up once per logical request (a UUID is ideal), 8–128 printable characters.",
          example: uuidExample,
        }),
      }),
      body: { required: true, description: "The dispense to authorize.", content: json(DispenseRequest) },
    },
    responses: {
      200: {
        description: "The decision (approved or denied).",
        headers: {
          ...okHeaders,
          Location: { description: "The authorization's URL.", schema: { type: "string" } },
          "Idempotent-Replayed": {
            description: "`true` when this answers an earlier request with the same Idempotency-Key and body.",
            schema: { type: "string", enum: ["true"] },
          },
        },
        content: json(DispenseAnswer),
      },
      400: errorResponse(
        "Idempotency-Key missing or invalid (`fields.idempotencyKey`), or the body is not JSON (BAD_REQUEST).",
      ),
      401: unauthenticated,
      403: forbidden,
      409: errorResponse("The Idempotency-Key was already used with a different body (CONFLICT)."),
      422: errorResponse("Invalid fields (VALIDATION), listed in `error.fields`."),
      429: rateLimited,
      500: internal,
      503: unavailable,
    },
  });

  registry.registerPath({
    method: "get",
    path: "/api/v1/dispense-authorizations",
    operationId: "listDispenseAuthorizations",
    summary: "List your pharmacy's authorizations",
    description: "Your pharmacy's requests and their decisions, newest first, filtered and one page at a time.",
    tags,
    security,
    request: {
      query: documented(ZListDispenseAuthorizations, {
        status: { description: "Only authorizations in this status." },
        decision: { description: "Only approved or only denied requests." },
        patientRemsId: {
          description: "Only requests for this patient REMS ID; a wrong check character is a 422 field error.",
        },
        prescriptionId: { description: "Only requests for this prescription number." },
        from: { description: "Requested on or after this day (UTC, YYYY-MM-DD).", example: "2026-03-01" },
        to: { description: "Requested on or before this day (UTC, YYYY-MM-DD).", example: "2026-03-31" },
        page: { description: "Page number, from 1." },
        pageSize: { description: "Authorizations per page (1–100)." },
      }),
    },
    responses: {
      200: { description: "One page of authorizations.", headers: okHeaders, content: json(Page) },
      401: unauthenticated,
      403: forbidden,
      422: errorResponse("Invalid filters (VALIDATION), listed in `error.fields`."),
      429: rateLimited,
      500: internal,
      503: unavailable,
    },
  });

  registry.registerPath({
    method: "get",
    path: "/api/v1/dispense-authorizations/{id}",
    operationId: "getDispenseAuthorization",
    summary: "Get one authorization",
    description: "One of your pharmacy's authorizations, with its current status.",
    tags,
    security,
    request: { params: idParam },
    responses: {
      200: { description: "The authorization.", headers: okHeaders, content: json(View) },
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      429: rateLimited,
      500: internal,
      503: unavailable,
    },
  });

  registry.registerPath({
    method: "post",
    path: "/api/v1/dispense-authorizations/{id}/dispense",
    operationId: "confirmDispense",
    summary: "Confirm the dispense",
    description:
      "Records that an approved authorization was dispensed, before it expires. Its status becomes DISPENSED.",
    tags,
    security,
    request: {
      params: idParam,
      body: { required: true, description: "What was dispensed.", content: json(ConfirmDispense) },
    },
    responses: {
      200: { description: "The authorization, now DISPENSED.", headers: okHeaders, content: json(View) },
      400: errorResponse("The body is not JSON (BAD_REQUEST)."),
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      409: errorResponse(
        "The authorization is not APPROVED (denied, already dispensed, reversed) or has expired (CONFLICT); or it was revoked, now or earlier, because a party it depended on lost its certification or enrollment (AUTHORIZATION_REVOKED, with `error.reasons`). The confirmation re-checks every party's standing at this moment.",
      ),
      422: errorResponse("Invalid fields (VALIDATION), listed in `error.fields`."),
      429: rateLimited,
      500: internal,
      503: unavailable,
    },
  });

  registry.registerPath({
    method: "post",
    path: "/api/v1/dispense-authorizations/{id}/reverse",
    operationId: "reverseDispense",
    summary: "Reverse a dispense",
    description:
      "Undoes a confirmed dispense (not picked up, claim reversed, returned to stock). Its status becomes REVERSED.",
    tags,
    security,
    request: {
      params: idParam,
      body: { required: true, description: "Why the dispense is reversed.", content: json(ReverseDispense) },
    },
    responses: {
      200: { description: "The authorization, now REVERSED.", headers: okHeaders, content: json(View) },
      400: errorResponse("The body is not JSON (BAD_REQUEST)."),
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      409: errorResponse("The authorization is not DISPENSED (CONFLICT)."),
      422: errorResponse("Invalid fields (VALIDATION), listed in `error.fields`."),
      429: rateLimited,
      500: internal,
      503: unavailable,
    },
  });

  registry.registerPath({
    method: "get",
    path: "/api/v1/programs/{code}/certifications",
    operationId: "lookupCertification",
    summary: "Look up a certification",
    description:
      "Whether the prescriber, pharmacy or healthcare setting holding an identifier is certified in a programme: " +
      "certified or not, nothing more (never whether someone applied, was refused or suspended). " +
      "Public: no API key. Give exactly one of `npi` and `ncpdpId`. Rate-limited per client address.",
    tags: ["Certification lookup"],
    security: [],
    request: {
      params: z.object({
        code: z.string().openapi({ description: "The programme's code.", example: "LEMTRADA" }),
      }),
      query: documented(ZCertificationQuery, {
        npi: { description: "A prescriber's, pharmacy's or setting's 10-digit NPI.", example: "1234567893" },
        ncpdpId: { description: "A pharmacy's 7-digit NCPDP provider ID.", example: "1234563" },
      }),
    },
    responses: {
      200: { description: "The certification answer.", headers: okHeaders, content: json(CertificationAnswer) },
      400: errorResponse("Malformed identifier (with `error.fields`), or not exactly one of npi and ncpdpId."),
      404: errorResponse(
        "Unknown programme, or no one in the registry has this identifier, or the NPI is a prescriber's who is not " +
          "certified: a prescriber who is not certified cannot be told from an NPI nobody has (NOT_FOUND).",
      ),
      429: errorResponse("Too many lookups from your address (RATE_LIMITED).", { "Retry-After": retryAfter.ref }),
      500: internal,
      503: unavailable,
    },
  });

  return registry;
}

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31["generateDocument"]>;

/** The whole document. `serverUrl` is the registry's origin (e.g. from the request), if known. */
export function buildOpenApiDocument(options: { serverUrl?: string } = {}): OpenApiDocument {
  const generator = new OpenApiGeneratorV31(buildRegistry().definitions);
  return generator.generateDocument({
    openapi: "3.1.0",
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description:
        "Dispense authorization for REMS programmes: a certified pharmacy asks before every dispense, confirms the " +
        "dispense afterwards or reverses it. Also the public certification lookup. Every response carries " +
        "`x-request-id` and `cache-control: no-store`; every error has the shape " +
        '`{ "error": { "code", "message", "fields"? } }`.',
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: options.serverUrl ? [{ url: options.serverUrl }] : [],
    tags: [
      { name: "Dispense authorizations", description: "For certified pharmacies (API key or pharmacist session)." },
      { name: "Certification lookup", description: "Public, no sign-in." },
    ],
    "x-reason-codes": DENIAL_REASON_CODES.map((code) => ({
      code,
      stakeholder: REASON_STAKEHOLDERS[code],
      meaning: REASON_CODE_MEANINGS[code],
    })),
    "x-error-codes": API_ERROR_CODES,
  });
}
