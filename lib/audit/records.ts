/**
 * The records audit events are about, both ways: a page of events named by what people quote (one
 * query per kind of record on the page, however many rows), and what an administrator typed in the
 * "Record" filter turned into the (entityType, entityId) pairs the trail is indexed by.
 */
import type { Db } from "../db";
import { formatDate, formatTestName } from "../format";
import { isUuid } from "../identifiers/uuid";
import { isValidNpi } from "../identifiers/npi";
import { isValidNcpdpId } from "../identifiers/ncpdp";
import { isValidRemsId } from "../identifiers/rems-id";
import { keyOfNumber } from "../dispensing/keys";
import { getProgramDefinition } from "../programs/registry";
import {
  classifyRecordQuery,
  dispenseAuthorizationLabel,
  enrollmentLabel,
  infusionLabel,
  invitationLabel,
  labResultLabel,
  missingRecordLabel,
  patientLabel,
  pharmacyLabel,
  prescriberLabel,
  RECORD_QUERY_HINT,
  settingLabel,
  shortReference,
  statusFormLabel,
  userLabel,
} from "./record-labels";

export interface RecordRef {
  entityType: string;
  entityId: string;
}

const key = (entityType: string, entityId: string) => `${entityType}\u0000${entityId}`;

const PERSON = { firstName: true, lastName: true, credentials: true, npi: true } as const;
const PHARMACY = { name: true, ncpdpId: true } as const;
const SETTING = { name: true, remsId: true } as const;

type Labeller = (ids: string[], client: Db) => Promise<[string, string][]>;

/** One batched read per kind of record: each returns [id, label] for the rows that exist. */
const LABELLERS: Record<string, Labeller> = {
  async DispenseAuthorization(ids, client) {
    const rows = await client.dispenseAuthorization.findMany({
      where: { id: { in: ids } },
      select: { id: true, authorizationNumber: true, prescriptionId: true, pharmacy: { select: PHARMACY } },
    });
    return rows.map((r) => [r.id, dispenseAuthorizationLabel(r)]);
  },
  async Enrollment(ids, client) {
    const rows = await client.enrollment.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        kind: true,
        certificationNumber: true,
        program: { select: { code: true } },
        prescriber: { select: PERSON },
        pharmacy: { select: PHARMACY },
        healthcareSetting: { select: SETTING },
        patient: { select: { remsId: true } },
      },
    });
    return rows.map((r) => [r.id, enrollmentLabel({ ...r, programCode: r.program.code })]);
  },
  async Patient(ids, client) {
    const rows = await client.patient.findMany({ where: { id: { in: ids } }, select: { id: true, remsId: true } });
    return rows.map((r) => [r.id, patientLabel(r)]);
  },
  async Prescriber(ids, client) {
    const rows = await client.prescriber.findMany({ where: { id: { in: ids } }, select: { id: true, ...PERSON } });
    return rows.map((r) => [r.id, prescriberLabel(r)]);
  },
  async Pharmacy(ids, client) {
    const rows = await client.pharmacy.findMany({ where: { id: { in: ids } }, select: { id: true, ...PHARMACY } });
    return rows.map((r) => [r.id, pharmacyLabel(r)]);
  },
  async HealthcareSetting(ids, client) {
    const rows = await client.healthcareSetting.findMany({
      where: { id: { in: ids } },
      select: { id: true, ...SETTING },
    });
    return rows.map((r) => [r.id, settingLabel(r)]);
  },
  async NonComplianceCase(ids, client) {
    const rows = await client.nonComplianceCase.findMany({
      where: { id: { in: ids } },
      select: { id: true, caseNumber: true },
    });
    return rows.map((r) => [r.id, r.caseNumber]);
  },
  async Infusion(ids, client) {
    const rows = await client.infusion.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        infusedOn: true,
        courseNumber: true,
        dayInCourse: true,
        patient: { select: { remsId: true } },
        healthcareSetting: { select: { name: true } },
      },
    });
    return rows.map((r) => [r.id, infusionLabel(r)]);
  },
  async LabResult(ids, client) {
    const rows = await client.labResult.findMany({
      where: { id: { in: ids } },
      select: { id: true, testCode: true, collectedOn: true, programId: true, patient: { select: { remsId: true } } },
    });
    const programIds = [...new Set(rows.map((r) => r.programId))];
    const programs = programIds.length
      ? await client.program.findMany({ where: { id: { in: programIds } }, select: { id: true, code: true } })
      : [];
    const codeOf = new Map(programs.map((p) => [p.id, p.code]));
    return rows.map((r) => {
      const testTypes = getProgramDefinition(codeOf.get(r.programId) ?? "")?.monitoring?.testTypes ?? [];
      return [r.id, labResultLabel({ ...r, testName: formatTestName(r.testCode, testTypes) })];
    });
  },
  async LabImport(ids, client) {
    const rows = await client.labImport.findMany({
      where: { id: { in: ids } },
      select: { id: true, fileName: true, createdAt: true },
    });
    return rows.map((r) => [r.id, `"${r.fileName}" uploaded ${formatDate(r.createdAt)}`]);
  },
  async StatusFormSubmission(ids, client) {
    const rows = await client.statusFormSubmission.findMany({
      where: { id: { in: ids } },
      select: { id: true, submittedAt: true, patient: { select: { remsId: true } } },
    });
    return rows.map((r) => [r.id, statusFormLabel(r)]);
  },
  async Invitation(ids, client) {
    const rows = await client.invitation.findMany({
      where: { id: { in: ids } },
      select: { id: true, email: true, role: true },
    });
    return rows.map((r) => [r.id, invitationLabel(r)]);
  },
  async AdministratorRequest(ids, client) {
    const rows = await client.administratorRequest.findMany({
      where: { id: { in: ids } },
      select: { id: true, name: true, email: true },
    });
    return rows.map((r) => [r.id, `for ${userLabel(r)}`]);
  },
  async PharmacyApiKey(ids, client) {
    const rows = await client.pharmacyApiKey.findMany({
      where: { id: { in: ids } },
      select: { id: true, name: true, prefix: true, pharmacy: { select: PHARMACY } },
    });
    return rows.map((r) => [r.id, `"${r.name}" (${r.prefix}…) of ${pharmacyLabel(r.pharmacy)}`]);
  },
  async PrescriberDelegate(ids, client) {
    const rows = await client.prescriberDelegate.findMany({
      where: { id: { in: ids } },
      select: { id: true, user: { select: { email: true } }, prescriber: { select: PERSON } },
    });
    return rows.map((r) => [r.id, `${r.user.email} for ${prescriberLabel(r.prescriber)}`]);
  },
  async Program(ids, client) {
    const rows = await client.program.findMany({ where: { id: { in: ids } }, select: { id: true, code: true } });
    return rows.map((r) => [r.id, r.code]);
  },
  async EnforcementDiscretion(ids, client) {
    const rows = await client.enforcementDiscretion.findMany({
      where: { id: { in: ids } },
      select: { id: true, programId: true, startsAt: true, endsAt: true },
    });
    const programs = await client.program.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.programId))] } },
      select: { id: true, code: true },
    });
    const codeOf = new Map(programs.map((p) => [p.id, p.code]));
    return rows.map((r) => [
      r.id,
      `${codeOf.get(r.programId) ?? "programme"}, ${formatDate(r.startsAt)} to ${formatDate(r.endsAt)}`,
    ]);
  },
  async NcpdpMessage(ids, client) {
    const rows = await client.ncpdpMessage.findMany({
      where: { id: { in: ids } },
      select: { id: true, messageType: true, messageId: true, pharmacy: { select: PHARMACY } },
    });
    return rows.map((r) => [r.id, `${r.messageType} ${r.messageId} from ${pharmacyLabel(r.pharmacy)}`]);
  },
  async RegistryImport(ids, client) {
    const rows = await client.registryImport.findMany({
      where: { id: { in: ids } },
      select: { id: true, folder: true, startedAt: true },
    });
    return rows.map((r) => [r.id, `of ${r.folder}, started ${formatDate(r.startedAt)}`]);
  },
  async AuditVerification(ids, client) {
    const rows = await client.auditVerification.findMany({
      where: { id: { in: ids } },
      select: { id: true, kind: true, requestedAt: true },
    });
    const words = (kind: string) => (kind === "FULL" ? "full re-walk" : "check from the last checkpoint");
    return rows.map((r) => [r.id, `${words(r.kind)} requested ${formatDate(r.requestedAt)}`]);
  },
};

/** Records whose id is not a row id: the id is already what a person reads (a page address). */
const SELF_NAMED = new Set(["Route"]);

/**
 * The label of each record of a page of events, keyed by recordKey(). Users come from `users` (the
 * caller reads them with the actors); every other kind is one query per kind on the page.
 */
export async function labelRecords(
  refs: RecordRef[],
  users: Map<string, { name: string; email: string }>,
  client: Db,
): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  const idsByType = new Map<string, Set<string>>();
  for (const { entityType, entityId } of refs) {
    if (SELF_NAMED.has(entityType)) {
      labels.set(key(entityType, entityId), entityId);
      continue;
    }
    if (entityType === "User") {
      const user = users.get(entityId);
      labels.set(key(entityType, entityId), user ? userLabel(user) : missingRecordLabel(entityId));
      continue;
    }
    // An id no row can have (a test's made-up type, a malformed id) is shown as a short reference.
    if (!Object.hasOwn(LABELLERS, entityType) || !isUuid(entityId)) {
      labels.set(key(entityType, entityId), `reference ${shortReference(entityId)}`);
      continue;
    }
    const ids = idsByType.get(entityType) ?? new Set<string>();
    ids.add(entityId);
    idsByType.set(entityType, ids);
  }
  const found = await Promise.all(
    [...idsByType].map(async ([entityType, ids]) => {
      const labeller = LABELLERS[entityType] as Labeller;
      return { entityType, ids, rows: await labeller([...ids], client) };
    }),
  );
  for (const { entityType, ids, rows } of found) {
    const byId = new Map(rows);
    for (const id of ids) labels.set(key(entityType, id), byId.get(id) ?? missingRecordLabel(id));
  }
  return labels;
}

export function recordKey(ref: RecordRef): string {
  return key(ref.entityType, ref.entityId);
}

/** More records than this for one value (an e-mail address with many invitations): the newest are kept. */
const MAX_RECORDS = 50;

/** The records a stakeholder's events are about: the stakeholder and its enrollments. */
async function withEnrollments(
  client: Db,
  entityType: "Prescriber" | "Pharmacy" | "HealthcareSetting" | "Patient",
  ids: string[],
): Promise<RecordRef[]> {
  if (ids.length === 0) return [];
  const column = {
    Prescriber: "prescriberId",
    Pharmacy: "pharmacyId",
    HealthcareSetting: "healthcareSettingId",
    Patient: "patientId",
  }[entityType];
  const enrollments = await client.enrollment.findMany({
    where: { [column]: { in: ids } },
    select: { id: true },
    take: MAX_RECORDS,
  });
  return [
    ...ids.map((entityId) => ({ entityType, entityId })),
    ...enrollments.map((e) => ({ entityType: "Enrollment", entityId: e.id })),
  ];
}

export type RecordResolution =
  | { ok: true; records: RecordRef[] }
  /** An internal id (quoted from an event's page): matched against the events' own id column. */
  | { ok: true; entityId: string }
  | { ok: false; message: string };

/**
 * The records the "Record" filter names. A number or e-mail address nothing in the registry has,
 * or text that cannot be any of them, is a message for the field, never an empty list.
 */
export async function resolveRecordQuery(text: string, client: Db): Promise<RecordResolution> {
  const q = classifyRecordQuery(text);
  const none = (what: string): RecordResolution => ({ ok: false, message: `Nothing in the registry has ${what}.` });
  switch (q.kind) {
    case "id":
      return { ok: true, entityId: q.value };
    case "case": {
      const c = await client.nonComplianceCase.findUnique({ where: { caseNumber: q.value }, select: { id: true } });
      return c
        ? { ok: true, records: [{ entityType: "NonComplianceCase", entityId: c.id }] }
        : none(`the case number ${q.value}`);
    }
    case "email": {
      const [user, invitations, requests] = await Promise.all([
        client.user.findUnique({ where: { email: q.value }, select: { id: true } }),
        client.invitation.findMany({
          where: { email: q.value },
          select: { id: true },
          orderBy: { createdAt: "desc" },
          take: MAX_RECORDS,
        }),
        client.administratorRequest.findMany({
          where: { email: q.value },
          select: { id: true },
          orderBy: { createdAt: "desc" },
          take: MAX_RECORDS,
        }),
      ]);
      const records: RecordRef[] = [
        ...(user ? [{ entityType: "User", entityId: user.id }] : []),
        ...invitations.map((i) => ({ entityType: "Invitation", entityId: i.id })),
        ...requests.map((r) => ({ entityType: "AdministratorRequest", entityId: r.id })),
      ];
      return records.length ? { ok: true, records } : none(`the e-mail address ${q.value}`);
    }
    case "npi": {
      if (!isValidNpi(q.value)) return { ok: false, message: `${q.value} is not a valid NPI: check the digits.` };
      const [prescriber, pharmacy, setting] = await Promise.all([
        client.prescriber.findUnique({ where: { npi: q.value }, select: { id: true } }),
        client.pharmacy.findUnique({ where: { npi: q.value }, select: { id: true } }),
        client.healthcareSetting.findUnique({ where: { npi: q.value }, select: { id: true } }),
      ]);
      const records = [
        ...(await withEnrollments(client, "Prescriber", prescriber ? [prescriber.id] : [])),
        ...(await withEnrollments(client, "Pharmacy", pharmacy ? [pharmacy.id] : [])),
        ...(await withEnrollments(client, "HealthcareSetting", setting ? [setting.id] : [])),
      ];
      return records.length ? { ok: true, records } : none(`the NPI ${q.value}`);
    }
    case "ncpdp": {
      if (!isValidNcpdpId(q.value)) {
        return { ok: false, message: `${q.value} is not a valid NCPDP number: check the digits.` };
      }
      const pharmacy = await client.pharmacy.findUnique({ where: { ncpdpId: q.value }, select: { id: true } });
      const records = await withEnrollments(client, "Pharmacy", pharmacy ? [pharmacy.id] : []);
      return records.length ? { ok: true, records } : none(`the NCPDP number ${q.value}`);
    }
    case "remsId": {
      if (!isValidRemsId(q.value)) {
        return { ok: false, message: `${q.value} is not a valid REMS id or number: check the characters.` };
      }
      const [authorization, patient, pharmacy, setting, enrollment] = await Promise.all([
        keyOfNumber(client, q.value),
        client.patient.findUnique({ where: { remsId: q.value }, select: { id: true } }),
        client.pharmacy.findUnique({ where: { remsId: q.value }, select: { id: true } }),
        client.healthcareSetting.findUnique({ where: { remsId: q.value }, select: { id: true } }),
        client.enrollment.findUnique({ where: { certificationNumber: q.value }, select: { id: true } }),
      ]);
      const records: RecordRef[] = [
        ...(authorization ? [{ entityType: "DispenseAuthorization", entityId: authorization.id }] : []),
        ...(await withEnrollments(client, "Patient", patient ? [patient.id] : [])),
        ...(await withEnrollments(client, "Pharmacy", pharmacy ? [pharmacy.id] : [])),
        ...(await withEnrollments(client, "HealthcareSetting", setting ? [setting.id] : [])),
        ...(enrollment ? [{ entityType: "Enrollment", entityId: enrollment.id }] : []),
      ];
      const unique = [...new Map(records.map((r) => [recordKey(r), r])).values()];
      return unique.length ? { ok: true, records: unique } : none(`the number ${q.value}`);
    }
    case "unknown":
      return {
        ok: false,
        message: `"${shortReference(text.trim())}" is not a number or address the registry uses. ${RECORD_QUERY_HINT}`,
      };
  }
}
