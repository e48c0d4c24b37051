/**
 * The registry's SCRIPT answers as documents for ./xml.ts buildScriptXml: a Header that correlates
 * (our MessageID, RelatesToMessageID = theirs, sender and receiver swapped, their version
 * attributes echoed) and one transaction in the Body.
 */
import type { XmlNode } from "./xml";
import { SCRIPT_NAMESPACE } from "./xml";
import { DEFAULT_VERSION_ATTRIBUTES, type ScriptHeader, type ScriptParty } from "./message";
import type { ScriptReasonNote } from "./reason-codes";

/** The qualifier the registry names itself with in From ("mutually defined"). */
export const REGISTRY_QUALIFIER = "ZZZ";

export interface AnswerContext {
  /** The request's header; null when it could not be read (the answer then relates to nothing). */
  request: ScriptHeader | null;
  versions: Record<string, string> | null;
  registryId: string;
  /** Who the answer goes to when the request named nobody readable: the caller's pharmacy. */
  fallbackTo: ScriptParty | null;
  messageId: string;
  now: Date;
}

function partyNode(party: ScriptParty): XmlNode {
  return party.qualifier ? { "#text": party.id, "@_Qualifier": party.qualifier } : party.id;
}

function headerNode(context: AnswerContext): Record<string, unknown> {
  const request = context.request;
  const to = request?.from ?? context.fallbackTo ?? { qualifier: null, id: "UNKNOWN" };
  return {
    To: partyNode(to),
    From: partyNode({ qualifier: REGISTRY_QUALIFIER, id: context.registryId }),
    MessageID: context.messageId,
    RelatesToMessageID: request?.messageId,
    SentTime: context.now.toISOString(),
    PrescriberOrderNumber: request?.prescriberOrderNumber ?? undefined,
    RxReferenceNumber: request?.rxReferenceNumber ?? undefined,
  };
}

/** The whole answer document: Message with the echoed version attributes, Header and Body. */
export function scriptDocument(context: AnswerContext, body: Record<string, unknown>): Record<string, unknown> {
  const versions = context.versions ?? DEFAULT_VERSION_ATTRIBUTES;
  const attributes = Object.fromEntries(Object.entries(versions).map(([name, value]) => [`@_${name}`, value]));
  return {
    Message: { "@_xmlns": SCRIPT_NAMESPACE, ...attributes, Header: headerNode(context), Body: body },
  };
}

/** What an answer repeats from the request so the sender can file it: reference, parties, drug. */
export type Echo = Record<string, unknown>;

export function echoOf(transaction: Record<string, unknown>): Echo {
  const echo: Echo = {};
  for (const name of ["REMSReferenceID", "Patient", "Pharmacy", "Prescriber", "MedicationPrescribed"]) {
    if (transaction[name] !== undefined) echo[name] = transaction[name];
  }
  return echo;
}

function closedNode(reasons: readonly ScriptReasonNote[]) {
  return { ReasonCode: reasons.map((r) => r.code), REMSNote: reasons.map((r) => r.note) };
}

export function initiationOpen(echo: Echo, caseId: string, deadline: string, note: string) {
  return {
    REMSInitiationResponse: {
      ...echo,
      Response: {
        ResponseStatus: { Open: { REMSCaseID: caseId, DeadlineForReply: { Date: deadline }, REMSNote: note } },
      },
    },
  };
}

export function initiationClosed(echo: Echo, reasons: readonly ScriptReasonNote[]) {
  return { REMSInitiationResponse: { ...echo, Response: { ResponseStatus: { Closed: closedNode(reasons) } } } };
}

export function remsApproved(
  echo: Echo,
  approval: {
    caseId: string;
    authorizationNumber: string;
    effectiveDate: string;
    expirationDate: string;
    notes: string[];
  },
) {
  return {
    REMSResponse: {
      ...echo,
      Response: {
        ResponseStatus: {
          Approved: {
            REMSCaseID: approval.caseId,
            REMSAuthorizationNumber: approval.authorizationNumber,
            AuthorizationPeriod: {
              EffectiveDate: { Date: approval.effectiveDate },
              ExpirationDate: { Date: approval.expirationDate },
            },
            REMSNote: approval.notes.length > 0 ? approval.notes : undefined,
          },
        },
      },
    },
  };
}

/** One DeniedReasonCode and one REMSNote per reason, in the same order (the i-th note explains the i-th code). */
export function remsDenied(echo: Echo, caseId: string, reasons: readonly ScriptReasonNote[]) {
  return {
    REMSResponse: {
      ...echo,
      Response: {
        ResponseStatus: {
          Denied: {
            REMSCaseID: caseId,
            DeniedReasonCode: reasons.map((r) => r.code),
            REMSNote: reasons.map((r) => r.note),
          },
        },
      },
    },
  };
}

export function remsClosed(echo: Echo, reasons: readonly ScriptReasonNote[]) {
  return { REMSResponse: { ...echo, Response: { ResponseStatus: { Closed: closedNode(reasons) } } } };
}

/** Status 010: the message was accepted and acted on. */
export function statusBody(description: string) {
  return { Status: { Code: "010", Description: description } };
}

export function errorBody(code: string, description: string) {
  return { Error: { Code: code, Description: description } };
}
