/**
 * What an inbound SCRIPT message says, read from the parsed XML (./xml.ts) into plain fields: the
 * Header, the transaction in the Body, and for each supported transaction the elements the registry
 * reads. Element paths are those of SCRIPT 2017071 as public REMS implementations use them; where
 * implementations differ (Name vs Names/Name, ProductCode/Code vs NDC) both are read. Which element
 * carries what is documented in docs/interop-ncpdp.md.
 */
import { ScriptReadError, type XmlNode } from "./xml";

/** The transactions this endpoint answers. */
export const SUPPORTED_TRANSACTIONS = ["REMSInitiationRequest", "REMSRequest", "RxFill"] as const;
export type SupportedTransaction = (typeof SUPPORTED_TRANSACTIONS)[number];

/** SCRIPT transactions that exist but are not answered here (an Error says so, not "unknown"). */
const OTHER_SCRIPT_TRANSACTIONS = new Set([
  "NewRx",
  "RxChangeRequest",
  "RxChangeResponse",
  "RxRenewalRequest",
  "RxRenewalResponse",
  "CancelRx",
  "CancelRxResponse",
  "RxFillIndicatorChange",
  "Resupply",
  "Verify",
  "Status",
  "Error",
  "GetMessage",
  "DrugAdministration",
  "RxTransferRequest",
  "RxTransferResponse",
  "RxTransferConfirm",
  "Recertification",
  "REMSInitiationResponse",
  "REMSResponse",
  "RxHistoryRequest",
  "RxHistoryResponse",
  "PAInitiationRequest",
  "PAInitiationResponse",
  "PARequest",
  "PAResponse",
  "PAAppealRequest",
  "PAAppealResponse",
  "PACancelRequest",
  "PACancelResponse",
  "NewRxRequest",
  "NewRxResponseDenied",
  "Census",
]);

/** The versions of SCRIPT 2017071 as senders write them in the Message attributes. */
export const ACCEPTED_VERSIONS = new Set(["2017071", "20170715"]);
const VERSION_ATTRIBUTES = [
  "DatatypesVersion",
  "TransportVersion",
  "TransactionDomain",
  "TransactionVersion",
  "StructuresVersion",
  "ECLVersion",
] as const;
export const DEFAULT_VERSION_ATTRIBUTES: Record<string, string> = {
  DatatypesVersion: "20170715",
  TransportVersion: "20170715",
  TransactionDomain: "SCRIPT",
  TransactionVersion: "20170715",
  StructuresVersion: "20170715",
  ECLVersion: "20170715",
};

export interface ScriptParty {
  qualifier: string | null;
  id: string;
}

export interface ScriptHeader {
  to: ScriptParty;
  from: ScriptParty;
  messageId: string;
  relatesToMessageId: string | null;
  sentTime: string;
  prescriberOrderNumber: string | null;
  rxReferenceNumber: string | null;
}

export interface ScriptEnvelope {
  /** The Message element's version attributes as sent (echoed in the answer). */
  versions: Record<string, string>;
  header: ScriptHeader;
  transaction: SupportedTransaction;
  body: { [name: string]: XmlNode | XmlNode[] };
}

/** A message whose header was read but whose content is refused: the answer still correlates. */
export class ScriptContentError extends ScriptReadError {
  constructor(
    description: string,
    httpStatus: number,
    readonly header: ScriptHeader,
    readonly versions: Record<string, string>,
  ) {
    super(description, httpStatus);
  }
}

type XmlObject = { [name: string]: XmlNode | XmlNode[] };

function isObject(node: unknown): node is XmlObject {
  return typeof node === "object" && node !== null && !Array.isArray(node);
}

/** The child at `path` (element names), or undefined; a repeated element is refused. */
export function childAt(node: unknown, path: readonly string[], where: string): XmlNode | undefined {
  let current: unknown = node;
  const walked: string[] = [];
  for (const name of path) {
    if (!isObject(current)) return undefined;
    current = current[name];
    walked.push(name);
    if (Array.isArray(current)) {
      throw new ScriptReadError(`${where}/${walked.join("/")} appears ${current.length} times; send it once.`, 400);
    }
    if (current === undefined) return undefined;
  }
  return current as XmlNode;
}

/** The text at `path`, trimmed; undefined when absent or empty. */
export function textAt(node: unknown, path: readonly string[], where: string): string | undefined {
  const found = childAt(node, path, where);
  if (found === undefined) return undefined;
  const text = typeof found === "string" ? found : isObject(found) ? found["#text"] : undefined;
  if (typeof text !== "string") {
    throw new ScriptReadError(`${where}/${path.join("/")} must hold text, not child elements.`, 400);
  }
  return text.trim() === "" ? undefined : text.trim();
}

function firstText(node: unknown, paths: readonly (readonly string[])[], where: string): string | undefined {
  for (const path of paths) {
    const found = textAt(node, path, where);
    if (found !== undefined) return found;
  }
  return undefined;
}

function party(header: unknown, name: "To" | "From"): ScriptParty {
  const node = childAt(header, [name], "Header");
  const id = textAt(header, [name], "Header");
  if (!id)
    throw new ScriptReadError(`Header/${name} is missing: name the ${name === "To" ? "receiver" : "sender"}.`, 400);
  const qualifier = isObject(node) && typeof node["@_Qualifier"] === "string" ? node["@_Qualifier"] : null;
  return { qualifier, id };
}

const MAX_ID = 64;

function readHeader(message: unknown): ScriptHeader {
  const header = childAt(message, ["Header"], "Message");
  if (!isObject(header)) throw new ScriptReadError("Message/Header is missing.", 400);
  const messageId = textAt(header, ["MessageID"], "Header");
  if (!messageId) throw new ScriptReadError("Header/MessageID is missing: every message needs its own id.", 400);
  if (messageId.length > MAX_ID || !/^[\x21-\x7e]+$/.test(messageId)) {
    throw new ScriptReadError(`Header/MessageID must be 1 to ${MAX_ID} printable characters without spaces.`, 400);
  }
  const sentTime = textAt(header, ["SentTime"], "Header");
  if (!sentTime) throw new ScriptReadError("Header/SentTime is missing.", 400);
  return {
    to: party(header, "To"),
    from: party(header, "From"),
    messageId,
    relatesToMessageId: textAt(header, ["RelatesToMessageID"], "Header") ?? null,
    sentTime,
    prescriberOrderNumber: textAt(header, ["PrescriberOrderNumber"], "Header") ?? null,
    rxReferenceNumber: textAt(header, ["RxReferenceNumber"], "Header") ?? null,
  };
}

function readVersions(message: XmlObject): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of VERSION_ATTRIBUTES) {
    const value = message[`@_${name}`];
    if (typeof value === "string") versions[name] = value;
  }
  return Object.keys(versions).length > 0 ? versions : { ...DEFAULT_VERSION_ATTRIBUTES };
}

/**
 * The envelope of a parsed document. Throws ScriptReadError when there is no Message or no
 * readable Header (nothing to correlate with), ScriptContentError (carrying the header) when the
 * version or the transaction is not one answered here.
 */
export function readEnvelope(document: Record<string, XmlNode>): ScriptEnvelope {
  const roots = Object.keys(document);
  const message = document.Message;
  if (roots.length !== 1 || !isObject(message)) {
    throw new ScriptReadError("The document's root element must be a single SCRIPT <Message>.", 400);
  }
  const header = readHeader(message);
  const versions = readVersions(message);
  const refuse = (description: string, status = 400) => new ScriptContentError(description, status, header, versions);

  const version = versions.TransactionVersion;
  if (version !== undefined && !ACCEPTED_VERSIONS.has(version)) {
    throw refuse(`SCRIPT version ${version} is not supported: send SCRIPT 2017071 (TransactionVersion 20170715).`);
  }
  const body = message.Body;
  if (Array.isArray(body)) throw refuse("Message/Body appears more than once; send one Body.");
  if (!isObject(body)) throw refuse("Message/Body is missing: it holds the transaction.");
  const names = Object.keys(body).filter((name) => !name.startsWith("@_"));
  if (names.length !== 1) {
    throw refuse(`Message/Body must hold exactly one transaction; it holds ${names.length}.`);
  }
  const name = names[0] ?? "";
  const transaction = body[name];
  if (!(SUPPORTED_TRANSACTIONS as readonly string[]).includes(name)) {
    throw refuse(
      OTHER_SCRIPT_TRANSACTIONS.has(name)
        ? `${name} is a SCRIPT transaction this registry does not answer. Send REMSInitiationRequest, REMSRequest or RxFill.`
        : `${name} is not a SCRIPT transaction. Send REMSInitiationRequest, REMSRequest or RxFill.`,
    );
  }
  if (!isObject(transaction)) throw refuse(`Body/${name} is empty or repeated.`);
  return { versions, header, transaction: name as SupportedTransaction, body: transaction };
}

export interface ScriptPatient {
  remsPatientId?: string;
  firstName?: string;
  lastName?: string;
  /** YYYY-MM-DD as sent. */
  birthDate?: string;
}

/** The patient of a REMS transaction or an RxFill. REMSPatientID is the identifier that matches. */
export function readPatient(transaction: XmlObject, where: string): ScriptPatient {
  const human = childAt(transaction, ["Patient", "HumanPatient"], where);
  const at = `${where}/Patient/HumanPatient`;
  return {
    remsPatientId: textAt(human, ["Identification", "REMSPatientID"], at),
    firstName: firstText(
      human,
      [
        ["Name", "FirstName"],
        ["Names", "Name", "FirstName"],
      ],
      at,
    ),
    lastName: firstText(
      human,
      [
        ["Name", "LastName"],
        ["Names", "Name", "LastName"],
      ],
      at,
    ),
    birthDate: firstText(
      human,
      [
        ["DateOfBirth", "Date"],
        ["DateOfBirth", "DateTime"],
      ],
      at,
    )?.slice(0, 10),
  };
}

/** The fields of a REMSInitiationRequest or REMSRequest the registry reads. */
export interface RemsTransactionFields {
  patient: ScriptPatient;
  prescriberNpi?: string;
  /** Facility/Identification: the setting's REMS enrollment id, else its NPI. */
  healthcareSettingId?: string;
  ndc?: string;
  quantity?: string;
  /** Header/PrescriberOrderNumber, else Header/RxReferenceNumber. */
  prescriptionId?: string;
  /** Request/SolicitedModel/REMSCaseID (REMSRequest): the case id an initiation answered. */
  caseId?: string;
  referenceId?: string;
}

const NDC_PATHS = [
  ["Product", "DrugCoded", "ProductCode", "Code"],
  ["Product", "DrugCoded", "NDC"],
  ["DrugCoded", "ProductCode", "Code"],
] as const;

export function readRemsFields(envelope: ScriptEnvelope): RemsTransactionFields {
  const where = `Body/${envelope.transaction}`;
  const t = envelope.body;
  const medication = childAt(t, ["MedicationPrescribed"], where);
  return {
    patient: readPatient(t, where),
    prescriberNpi: textAt(t, ["Prescriber", "NonVeterinarian", "Identification", "NPI"], where),
    healthcareSettingId: firstText(
      t,
      [
        ["Facility", "Identification", "REMSHealthcareSettingEnrollmentID"],
        ["Facility", "Identification", "NPI"],
      ],
      where,
    ),
    ndc: firstText(medication, NDC_PATHS, `${where}/MedicationPrescribed`),
    quantity: textAt(medication, ["Quantity", "Value"], `${where}/MedicationPrescribed`),
    prescriptionId: envelope.header.prescriberOrderNumber ?? envelope.header.rxReferenceNumber ?? undefined,
    caseId: textAt(t, ["Request", "SolicitedModel", "REMSCaseID"], where),
    referenceId: textAt(t, ["REMSReferenceID"], where),
  };
}

export const FILL_STATUSES = ["Dispensed", "PartiallyDispensed", "NotDispensed", "Transferred"] as const;

export interface RxFillFields {
  fillStatus: string | null;
  authorizationNumber?: string;
  quantity?: string;
  lotNumber?: string;
  ndc?: string;
}

export function readRxFillFields(envelope: ScriptEnvelope): RxFillFields {
  const where = "Body/RxFill";
  const t = envelope.body;
  const status = childAt(t, ["FillStatus"], where);
  const statuses = isObject(status) ? Object.keys(status).filter((k) => !k.startsWith("@_")) : [];
  if (statuses.length > 1) throw new ScriptReadError(`${where}/FillStatus must hold one status.`, 400);
  const dispensed = childAt(t, ["MedicationDispensed"], where);
  const at = `${where}/MedicationDispensed`;
  return {
    fillStatus: statuses[0] ?? null,
    authorizationNumber: textAt(dispensed, ["REMSAuthorizationNumber"], at),
    quantity: textAt(dispensed, ["Quantity", "Value"], at),
    lotNumber: textAt(dispensed, ["LotNumber"], at),
    ndc: firstText(dispensed, NDC_PATHS, at),
  };
}
