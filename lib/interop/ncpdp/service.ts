/**
 * Answers one NCPDP SCRIPT message from a pharmacy system (POST /api/ncpdp/script):
 * REMSInitiationRequest → REMSInitiationResponse, REMSRequest → REMSResponse, RxFill → Status; any
 * message that cannot be answered → Error. Decisions are the dispense gate's (lib/dispensing): a
 * REMSRequest is a dispense request, with an Idempotency-Key derived from the sender and MessageID;
 * an RxFill confirms the dispense through the gate's confirmation. Nothing here decides a rule.
 *
 * Idempotent on MessageID: each answered message is stored with its answer, keyed by (pharmacy,
 * sender, MessageID). The same message again gets the stored answer; the same MessageID with
 * another body gets an Error. Error answers are not stored: they changed nothing.
 */
import { createHash, randomUUID } from "node:crypto";
import { recordAudit } from "../../audit/service";
import { addDays, dayOf } from "../../calendar";
import { type Db, db } from "../../db";
import { auditActorOf, type DispenseCaller } from "../../dispensing/caller";
import { confirmDispense } from "../../dispensing/confirm";
import { byKey, keyOfNumber } from "../../dispensing/keys";
import { requestDispenseAuthorization } from "../../dispensing/request";
import { findPharmacyStandings } from "../../dispensing/standing";
import { type AppError, ERROR_STATUS, isAppError } from "../../errors";
import { formatDateTime } from "../../format";
import { Prisma } from "../../generated/prisma/client";
import { normalizeRemsId } from "../../identifiers/rems-id";
import { patientStatusLabel } from "../../patients/rules";
import { listProgramDefinitions } from "../../programs/registry";
import type { TProgramDefinition } from "../../programs/schema";
import {
  type AnswerContext,
  echoOf,
  errorBody,
  initiationClosed,
  initiationOpen,
  remsApproved,
  remsClosed,
  remsDenied,
  scriptDocument,
  statusBody,
} from "./build";
import {
  type RemsTransactionFields,
  readEnvelope,
  readRemsFields,
  readRxFillFields,
  type ScriptEnvelope,
  ScriptContentError,
  type ScriptHeader,
  type ScriptParty,
} from "./message";
import { isIdentifying, matchScriptPatient, type PatientMatch, unidentifiedPatientNote } from "./patient";
import { type ScriptReasonNote, scriptReasonOf } from "./reason-codes";
import { buildScriptXml, parseScriptXml, ScriptReadError } from "./xml";

export interface ScriptAnswer {
  /** HTTP status: 200 for an answered transaction, 4xx for an Error (docs/interop-ncpdp.md). */
  status: number;
  xml: string;
  /** The stored answer to an earlier identical message. */
  replayed: boolean;
}

export interface ScriptOptions {
  registryId: string;
  now?: Date;
  client?: Db;
}

type ApiKeyCaller = Extract<DispenseCaller, { kind: "apiKey" }>;

interface Answered {
  status: number;
  type: "REMSInitiationResponse" | "REMSResponse" | "Status";
  body: Record<string, unknown>;
  authorizationId: string | null;
}

/** The element each gate request field is read from, for field errors a pharmacy system can act on. */
const FIELD_ELEMENTS: Record<string, string> = {
  prescriberNpi: "Prescriber/NonVeterinarian/Identification/NPI",
  patientRemsId: "Patient/HumanPatient/Identification/REMSPatientID",
  healthcareSettingId: "Facility/Identification/REMSHealthcareSettingEnrollmentID (or NPI)",
  ndc: "MedicationPrescribed/Product/DrugCoded/ProductCode/Code",
  quantity: "Quantity/Value",
  prescriptionId: "Header/PrescriberOrderNumber",
  lotNumber: "MedicationDispensed/LotNumber",
  dispensedAt: "MedicationDispensed",
};

/** An AppError from the gate as a SCRIPT failure, naming the elements its fields came from. */
function failureOf(error: AppError): ScriptReadError {
  const fields = error.details?.fields ?? {};
  const named = Object.entries(fields).map(
    ([field, messages]) => `${FIELD_ELEMENTS[field] ?? field}: ${messages.join("; ")}`,
  );
  const description = named.length > 0 ? `${error.message} ${named.join(". ")}.` : error.message;
  return new ScriptReadError(description, ERROR_STATUS[error.code]);
}

/** A transaction answered (HTTP 200). */
function answered(
  type: Answered["type"],
  body: Record<string, unknown>,
  authorizationId: string | null = null,
): Answered {
  return { status: 200, type, body, authorizationId };
}

function digits(ndc: string): string {
  return ndc.replace(/\D/g, "");
}

/** The programme whose product list has this NDC (any dash layout, or the 11 digits). */
function programOfNdc(ndc: string): { program: TProgramDefinition; ndc: string } | null {
  for (const program of listProgramDefinitions()) {
    const listed = program.ndcs.find((n) => digits(n) === digits(ndc));
    if (listed) return { program, ndc: listed };
  }
  return null;
}

function requireField(value: string | undefined, element: string): string {
  if (value === undefined) throw new ScriptReadError(`${element} is missing.`, 400);
  return value;
}

/** A whole number as the gate takes it; anything else goes through as text for the gate to refuse by name. */
function quantityOf(value: string | undefined): number | string | undefined {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : value;
}

function notInAnyProgramme(ndc: string): ScriptReasonNote {
  return {
    code: "ER",
    note: `NDC ${ndc} is not a product of any REMS programme in this registry: no REMS authorization is needed from it.`,
  };
}

/**
 * What both REMS transactions establish first: the programme of the drug and the patient. Either
 * the programme and a patient the gate can be asked about, or the reasons the case is Closed.
 */
async function identifyCase(
  client: Db,
  caller: ApiKeyCaller,
  fields: RemsTransactionFields,
  now: Date,
): Promise<
  | { closed: ScriptReasonNote[] }
  | { program: TProgramDefinition; ndc: string; barred: ScriptReasonNote }
  | { program: TProgramDefinition; ndc: string; match: Extract<PatientMatch, { kind: "identified" | "unknownId" }> }
> {
  const ndc = requireField(fields.ndc, "MedicationPrescribed/Product/DrugCoded/ProductCode/Code (the NDC)");
  const found = programOfNdc(ndc);
  if (!found) return { closed: [notInAnyProgramme(ndc)] };
  // A pharmacy the gate does not let take part learns nothing about the patient, not even whether
  // the id or the name and birth date it sent are known: answered before the patient is looked for.
  const [standing] = await findPharmacyStandings(client, caller.pharmacyId, [found.program], now);
  if (standing?.reason) return { ...found, barred: scriptReasonOf(standing.reason) };
  const match = await matchScriptPatient(client, fields.patient);
  if (!isIdentifying(match)) return { closed: [{ code: "EC", note: unidentifiedPatientNote(match) }] };
  return { ...found, match };
}

async function answerInitiation(
  client: Db,
  caller: ApiKeyCaller,
  envelope: ScriptEnvelope,
  fields: RemsTransactionFields,
  now: Date,
): Promise<Answered> {
  const echo = echoOf(envelope.body);
  const closed = (reasons: ScriptReasonNote[]) => answered("REMSInitiationResponse", initiationClosed(echo, reasons));
  const identified = await identifyCase(client, caller, fields, now);
  if ("closed" in identified) return closed(identified.closed);
  if ("barred" in identified) return closed([identified.barred]);
  const { program, match } = identified;
  if (match.kind === "unknownId") {
    return closed([
      {
        code: "EM",
        note: `No patient with REMS patient id ${match.remsPatientId} is enrolled in the ${program.name}. The prescriber enrolls the patient first.`,
      },
    ]);
  }
  const enrollment = await client.enrollment.findFirst({
    where: { patientId: match.patient.id, program: { code: program.code } },
    select: { status: true },
  });
  if (enrollment?.status !== "ENROLLED") {
    const status = enrollment ? patientStatusLabel(enrollment.status).toLowerCase() : "not enrolled";
    return closed([
      {
        code: "EM",
        note: `Patient ${match.remsPatientId} is ${status} in the ${program.name}: no dispense can be authorized until the prescriber enrolls them.`,
      },
    ]);
  }
  const deadline = addDays(dayOf(now), program.dispensing.authorizationValidityDays);
  return answered(
    "REMSInitiationResponse",
    initiationOpen(
      echo,
      match.remsPatientId,
      deadline,
      `Patient ${match.remsPatientId} is enrolled in the ${program.name}. Send a REMSRequest with REMSCaseID ${match.remsPatientId} by ${deadline}; the registry checks every requirement then.`,
    ),
  );
}

/** The gate's Idempotency-Key for a REMSRequest: one per sender and MessageID. */
export function gateIdempotencyKey(sender: string, messageId: string): string {
  return `ncpdp-${createHash("sha256").update(`${sender}\n${messageId}`).digest("hex").slice(0, 48)}`;
}

async function answerRemsRequest(
  client: Db,
  caller: ApiKeyCaller,
  envelope: ScriptEnvelope,
  fields: RemsTransactionFields,
  now: Date,
): Promise<Answered> {
  const echo = echoOf(envelope.body);
  const closed = (reasons: ScriptReasonNote[]) => answered("REMSResponse", remsClosed(echo, reasons));
  const found = await identifyCase(client, caller, fields, now);
  if ("closed" in found) return closed(found.closed);
  let remsPatientId: string;
  if ("barred" in found) {
    // The gate records the request and answers with the pharmacy's own standing only; without a
    // patient id there is nothing to record it under.
    const sent = normalizeRemsId(fields.patient.remsPatientId ?? "");
    if (!sent?.startsWith("PT-")) return closed([found.barred]);
    remsPatientId = sent;
  } else remsPatientId = found.match.remsPatientId;
  if (!("barred" in found) && fields.caseId !== undefined && fields.caseId.toUpperCase() !== remsPatientId) {
    return closed([
      {
        code: "EC",
        note: `REMSCaseID ${fields.caseId} is not the case of patient ${remsPatientId}. Send the REMSCaseID the REMSInitiationResponse gave for this patient.`,
      },
    ]);
  }

  const outcome = await requestDispenseAuthorization(
    caller,
    gateIdempotencyKey(senderOf(envelope.header), envelope.header.messageId),
    {
      programCode: found.program.code,
      prescriberNpi: fields.prescriberNpi ?? "",
      patientRemsId: remsPatientId,
      healthcareSettingId: fields.healthcareSettingId ?? "",
      ndc: found.ndc,
      quantity: quantityOf(fields.quantity),
      prescriptionId: fields.prescriptionId ?? "",
    },
    { client, now },
  );
  const answer = outcome.answer;
  if (answer.decision === "APPROVED") {
    const approval = {
      caseId: remsPatientId,
      authorizationNumber: answer.authorizationNumber,
      effectiveDate: outcome.authorization.requestedAt.slice(0, 10),
      expirationDate: answer.expiresAt.slice(0, 10),
      notes: answer.warnings.map((w) => scriptReasonOf(w).note),
    };
    return answered("REMSResponse", remsApproved(echo, approval), answer.id);
  }
  return answered("REMSResponse", remsDenied(echo, remsPatientId, answer.reasons.map(scriptReasonOf)), answer.id);
}

async function answerRxFill(client: Db, caller: ApiKeyCaller, envelope: ScriptEnvelope, now: Date): Promise<Answered> {
  const fields = readRxFillFields(envelope);
  if (fields.fillStatus !== "Dispensed" && fields.fillStatus !== "PartiallyDispensed") {
    throw new ScriptReadError(
      fields.fillStatus
        ? `FillStatus ${fields.fillStatus} is not recorded here: send RxFill with Dispensed or PartiallyDispensed once the drug is handed over. A dispense that did not happen is reversed through the dispense API.`
        : "RxFill/FillStatus is missing: send Dispensed or PartiallyDispensed.",
      400,
    );
  }
  const number = requireField(fields.authorizationNumber, "RxFill/MedicationDispensed/REMSAuthorizationNumber");
  const key = await keyOfNumber(client, number.toUpperCase());
  const row = key
    ? await client.dispenseAuthorization.findFirst({
        where: { ...byKey(key).id_createdAt, pharmacyId: caller.pharmacyId },
        select: { id: true, createdAt: true, authorizationNumber: true, patientRemsId: true, ndc: true },
      })
    : null;
  if (!row) {
    throw new ScriptReadError(
      `Your pharmacy has no dispense authorization ${number}. Send the REMSAuthorizationNumber a REMSResponse approved.`,
      404,
    );
  }
  const patient = readRemsFields(envelope).patient.remsPatientId;
  if (patient !== undefined && patient.toUpperCase() !== row.patientRemsId) {
    throw new ScriptReadError(
      `Authorization ${row.authorizationNumber} was given for another patient than ${patient}: nothing was recorded.`,
      409,
    );
  }
  if (fields.ndc !== undefined && digits(fields.ndc) !== digits(row.ndc)) {
    throw new ScriptReadError(
      `Authorization ${row.authorizationNumber} is for NDC ${row.ndc}, not ${fields.ndc}: nothing was recorded.`,
      409,
    );
  }
  const input = { quantity: quantityOf(fields.quantity), lotNumber: fields.lotNumber };
  try {
    const view = await confirmDispense(caller, row.id, input, { client, now });
    const recorded = `Dispense of ${view.dispensedQuantity} unit(s), lot ${view.lotNumber}, recorded under ${row.authorizationNumber}.`;
    return answered("Status", statusBody(recorded), row.id);
  } catch (error) {
    if (!isAppError(error)) throw error;
    // The same fill reported again under another MessageID: already recorded, nothing to do.
    if (error.code === "CONFLICT" && error.details?.status === "DISPENSED") {
      const done = await client.dispenseAuthorization.findUniqueOrThrow({
        where: byKey(row),
        select: { dispensedQuantity: true, lotNumber: true, dispensedAt: true },
      });
      if (done.dispensedQuantity === input.quantity && done.lotNumber === input.lotNumber) {
        const when = done.dispensedAt ? `, ${formatDateTime(done.dispensedAt)}` : "";
        const already = `This dispense was already recorded under ${row.authorizationNumber} (${done.dispensedQuantity} unit(s), lot ${done.lotNumber}${when}); nothing changed.`;
        return answered("Status", statusBody(already), row.id);
      }
    }
    throw failureOf(error);
  }
}

export function senderOf(header: ScriptHeader): string {
  return `${header.from.qualifier ?? ""}:${header.from.id}`;
}

/** The message as parsed, without SentTime (a retry may be stamped anew), hashed. */
function requestHashOf(envelope: ScriptEnvelope): string {
  const { sentTime: _sentTime, ...header } = envelope.header;
  return createHash("sha256")
    .update(JSON.stringify([envelope.versions, header, envelope.transaction, envelope.body]))
    .digest("hex");
}

function toXml(context: AnswerContext, body: Record<string, unknown>): string {
  return buildScriptXml(scriptDocument(context, body));
}

/** An Error answer for a refusal, correlated with whatever header was read. */
export function scriptErrorAnswer(
  failure: ScriptReadError,
  context: Omit<AnswerContext, "request" | "versions" | "messageId"> & {
    request?: ScriptHeader | null;
    versions?: Record<string, string> | null;
  },
): ScriptAnswer {
  const header = failure instanceof ScriptContentError ? failure.header : (context.request ?? null);
  const versions = failure instanceof ScriptContentError ? failure.versions : (context.versions ?? null);
  const xml = toXml(
    { ...context, request: header, versions, messageId: randomUUID() },
    errorBody(failure.code, failure.description),
  );
  return { status: failure.httpStatus, xml, replayed: false };
}

async function findStored(client: Db, pharmacyId: string, sender: string, messageId: string) {
  return client.ncpdpMessage.findUnique({
    where: { pharmacyId_sender_messageId: { pharmacyId, sender, messageId } },
    select: { requestHash: true, responseXml: true, httpStatus: true },
  });
}

function replayStored(stored: { requestHash: string; responseXml: string; httpStatus: number }, requestHash: string) {
  if (stored.requestHash !== requestHash) {
    throw new ScriptReadError(
      "This MessageID was already used for a different message. Give every new message its own MessageID.",
      409,
    );
  }
  return { status: stored.httpStatus, xml: stored.responseXml, replayed: true };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Answers one message (the raw XML text, already held to the size limit) from a pharmacy system
 * authenticated by its API key. Never throws for anything the message says: every refusal is an
 * Error answer with its HTTP status.
 */
export async function answerScriptMessage(
  caller: ApiKeyCaller,
  text: string,
  options: ScriptOptions,
): Promise<ScriptAnswer> {
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const pharmacy = await client.pharmacy.findUniqueOrThrow({
    where: { id: caller.pharmacyId },
    select: { ncpdpId: true },
  });
  const fallbackTo: ScriptParty = { qualifier: "P", id: pharmacy.ncpdpId };
  const base = { registryId: options.registryId, fallbackTo, now };
  let envelope: ScriptEnvelope | null = null;
  try {
    envelope = readEnvelope(parseScriptXml(text));
    const { header } = envelope;
    if (header.from.id !== pharmacy.ncpdpId) {
      // Answered to the key's own pharmacy, not to the NCPDP ID the message claims.
      const refusal = new ScriptReadError(
        `Header/From is ${header.from.id}, but this API key belongs to the pharmacy with NCPDP ID ${pharmacy.ncpdpId}. Send messages from your own NCPDP ID.`,
        403,
      );
      return scriptErrorAnswer(refusal, {
        ...base,
        request: { ...header, from: fallbackTo },
        versions: envelope.versions,
      });
    }
    if (header.to.id !== options.registryId) {
      throw new ScriptReadError(
        `Header/To is ${header.to.id}; this registry's NCPDP identifier is ${options.registryId}.`,
        400,
      );
    }
    const sender = senderOf(header);
    const requestHash = requestHashOf(envelope);
    const stored = await findStored(client, caller.pharmacyId, sender, header.messageId);
    if (stored) return replayStored(stored, requestHash);

    const answered = await dispatch(client, caller, envelope, now);
    const context: AnswerContext = { ...base, request: header, versions: envelope.versions, messageId: randomUUID() };
    const xml = toXml(context, answered.body);
    try {
      await client.$transaction(async (tx) => {
        const row = await tx.ncpdpMessage.create({
          data: {
            pharmacyId: caller.pharmacyId,
            sender,
            messageId: header.messageId,
            messageType: envelope?.transaction ?? "",
            requestHash,
            responseMessageId: context.messageId,
            responseType: answered.type,
            responseXml: xml,
            httpStatus: answered.status,
            dispenseAuthorizationId: answered.authorizationId,
            requestId: caller.requestId,
          },
          select: { id: true },
        });
        await recordAudit(tx, auditActorOf(caller), {
          action: "ncpdp.message_answered",
          entityType: "NcpdpMessage",
          entityId: row.id,
          after: {
            by: `apiKey:${caller.apiKeyId}`,
            messageType: envelope?.transaction,
            messageId: header.messageId,
            answer: answered.type,
            dispenseAuthorizationId: answered.authorizationId,
          },
        });
      });
    } catch (error) {
      // The same message answered concurrently: the first stored answer stands.
      if (!isUniqueViolation(error)) throw error;
      const winner = await findStored(client, caller.pharmacyId, sender, header.messageId);
      if (!winner) throw error;
      return replayStored(winner, requestHash);
    }
    return { status: answered.status, xml, replayed: false };
  } catch (error) {
    const failure =
      error instanceof ScriptReadError
        ? error
        : isAppError(error) && error.code !== "INTERNAL"
          ? failureOf(error)
          : null;
    if (!failure) throw error;
    return scriptErrorAnswer(failure, { ...base, request: envelope?.header, versions: envelope?.versions });
  }
}

async function dispatch(client: Db, caller: ApiKeyCaller, envelope: ScriptEnvelope, now: Date): Promise<Answered> {
  switch (envelope.transaction) {
    case "REMSInitiationRequest":
      return answerInitiation(client, caller, envelope, readRemsFields(envelope), now);
    case "REMSRequest":
      return answerRemsRequest(client, caller, envelope, readRemsFields(envelope), now);
    case "RxFill":
      return answerRxFill(client, caller, envelope, now);
  }
}

/** For the route: an AppError raised before a message is read (authentication, rate limit) as an Error answer. */
export function appErrorAnswer(error: AppError, registryId: string, now = new Date()): ScriptAnswer {
  return scriptErrorAnswer(new ScriptReadError(error.message, ERROR_STATUS[error.code]), {
    registryId,
    fallbackTo: null,
    now,
  });
}
