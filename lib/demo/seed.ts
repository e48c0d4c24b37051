/**
 * The demo world: one programme (LEMTRADA), an administrator, two prescribers, a pharmacy and a
 * healthcare setting with their representatives. Idempotent: running it again changes nothing that
 * exists and fills in what is missing. Every row it writes is audited as the system.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { recordAudit } from "../audit/service";
import { type AuditActor, systemActor } from "../auth/actor";
import { hashPassword } from "../auth/password";
import type { Db, Tx } from "../db";
import type { EnrollmentStatus, Role, StakeholderKind } from "../generated/prisma/enums";
import { generateRemsId } from "../identifiers/rems-id";
import { certificationNumberPrefix } from "../enrollment/numbers";
import { listProgramDefinitions } from "../programs/registry";
import type { TProgramDefinition } from "../programs/schema";

export const DEMO_PASSWORD = "Demo-Pass-2026!";

export const DEMO = {
  programCode: "LEMTRADA",
  ndc: "58468-0200-01",
  accounts: {
    admin: "admin@demo.test",
    ada: "dr.ada@demo.test",
    ben: "dr.ben@demo.test",
    pharmacist: "pharmacist@demo.test",
    infusion: "infusion@demo.test",
  },
  prescribers: { ada: { npi: "1234567893" }, ben: { npi: "1000000004" } },
  pharmacy: { ncpdpId: "1234563", npi: "1000000012" },
  setting: { npi: "1000000020" },
} as const;

export interface DemoWorld {
  baseUrl: string;
  password: string;
  accounts: Record<keyof typeof DEMO.accounts, string>;
  programCode: string;
  ndc: string;
  prescribers: { ada: { npi: string }; ben: { npi: string } };
  pharmacy: { ncpdpId: string; npi: string; apiKey: string | null };
  setting: { id: string; npi: string };
  patients: { compliant: null; overdueLabs: null; betweenCourses: null; disenrolled: null };
}

async function ensureProgram(tx: Tx, actor: AuditActor, definition: TProgramDefinition) {
  const existing = await tx.program.findUnique({
    where: { code: definition.code },
    select: { id: true, definitionVersion: true },
  });
  const data = {
    name: definition.name,
    drugName: definition.drug.name,
    genericName: definition.drug.genericName,
    ndcs: [...definition.ndcs],
    definition: JSON.parse(JSON.stringify(definition)),
    definitionVersion: definition.version,
  };
  if (existing) {
    if (existing.definitionVersion === definition.version) return existing.id;
    await tx.program.update({ where: { id: existing.id }, data });
    await recordAudit(tx, actor, {
      action: "program.definition_updated",
      entityType: "Program",
      entityId: existing.id,
      after: { code: definition.code, version: definition.version },
    });
    return existing.id;
  }
  const created = await tx.program.create({ data: { code: definition.code, ...data }, select: { id: true } });
  await recordAudit(tx, actor, {
    action: "program.created",
    entityType: "Program",
    entityId: created.id,
    after: { code: definition.code, version: definition.version },
  });
  return created.id;
}

async function ensureUser(
  tx: Tx,
  actor: AuditActor,
  input: {
    email: string;
    name: string;
    role: Role;
    passwordHash: string;
    pharmacyId?: string;
    healthcareSettingId?: string;
  },
) {
  const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) return existing.id;
  const user = await tx.user.create({ data: input, select: { id: true, email: true, role: true } });
  await recordAudit(tx, actor, {
    action: "user.created_by_seed",
    entityType: "User",
    entityId: user.id,
    after: { email: user.email, role: user.role },
  });
  return user.id;
}

async function ensureEnrollment(
  tx: Tx,
  actor: AuditActor,
  input: {
    programId: string;
    kind: StakeholderKind;
    status: EnrollmentStatus;
    stakeholder: { prescriberId?: string; pharmacyId?: string; healthcareSettingId?: string };
    data: Record<string, unknown>;
  },
) {
  const where = input.stakeholder.prescriberId
    ? { programId_prescriberId: { programId: input.programId, prescriberId: input.stakeholder.prescriberId } }
    : input.stakeholder.pharmacyId
      ? { programId_pharmacyId: { programId: input.programId, pharmacyId: input.stakeholder.pharmacyId } }
      : {
          programId_healthcareSettingId: {
            programId: input.programId,
            healthcareSettingId: input.stakeholder.healthcareSettingId ?? "",
          },
        };
  const existing = await tx.enrollment.findUnique({ where, select: { id: true } });
  if (existing) return existing.id;
  const now = new Date();
  const certified = input.status === "CERTIFIED";
  const enrollment = await tx.enrollment.create({
    data: {
      programId: input.programId,
      kind: input.kind,
      status: input.status,
      ...input.stakeholder,
      data: JSON.parse(JSON.stringify(input.data)),
      submittedAt: now,
      certifiedAt: certified ? now : null,
      certificationNumber: certified ? generateRemsId(certificationNumberPrefix(input.kind)) : null,
      events: {
        create: [
          { toStatus: "SUBMITTED", reason: "Demo world: application submitted" },
          ...(certified
            ? [{ fromStatus: "SUBMITTED" as const, toStatus: "CERTIFIED" as const, reason: "Demo world: approved" }]
            : []),
        ],
      },
    },
    select: { id: true, status: true, certificationNumber: true },
  });
  await recordAudit(tx, actor, {
    action: "enrollment.created_by_seed",
    entityType: "Enrollment",
    entityId: enrollment.id,
    after: enrollment,
  });
  return enrollment.id;
}

/** Seeds the demo world and returns its manifest (also written to `.data/demo-world.json`). */
export async function seedDemoWorld(
  client: Db,
  options: { baseUrl: string; manifestPath?: string },
): Promise<DemoWorld> {
  const actor = systemActor("seed");
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  const settingId = await client.$transaction(async (tx) => {
    const programIds = new Map<string, string>();
    for (const definition of listProgramDefinitions())
      programIds.set(definition.code, await ensureProgram(tx, actor, definition));
    const programId = programIds.get(DEMO.programCode);
    if (!programId) throw new Error(`The ${DEMO.programCode} programme definition is missing`);

    let pharmacy = await tx.pharmacy.findUnique({ where: { ncpdpId: DEMO.pharmacy.ncpdpId }, select: { id: true } });
    if (!pharmacy) {
      pharmacy = await tx.pharmacy.create({
        data: {
          remsId: generateRemsId("PH"),
          name: "Demo Specialty Pharmacy",
          type: "SPECIALTY",
          ncpdpId: DEMO.pharmacy.ncpdpId,
          npi: DEMO.pharmacy.npi,
          addressLine1: "100 Main Street",
          city: "Springfield",
          state: "IL",
          postalCode: "62701",
          phone: "217-555-0100",
          contactName: "Pat Pharmacist",
          contactEmail: DEMO.accounts.pharmacist,
        },
        select: { id: true },
      });
      await recordAudit(tx, actor, {
        action: "pharmacy.created_by_seed",
        entityType: "Pharmacy",
        entityId: pharmacy.id,
      });
    }

    let setting = await tx.healthcareSetting.findUnique({ where: { npi: DEMO.setting.npi }, select: { id: true } });
    if (!setting) {
      setting = await tx.healthcareSetting.create({
        data: {
          remsId: generateRemsId("HS"),
          name: "Demo Infusion Center",
          type: "INFUSION_CENTER",
          npi: DEMO.setting.npi,
          addressLine1: "200 Clinic Road",
          city: "Springfield",
          state: "IL",
          postalCode: "62702",
          phone: "217-555-0200",
          contactName: "Ivy Infusion",
          contactEmail: DEMO.accounts.infusion,
        },
        select: { id: true },
      });
      await recordAudit(tx, actor, {
        action: "healthcare_setting.created_by_seed",
        entityType: "HealthcareSetting",
        entityId: setting.id,
      });
    }

    await ensureUser(tx, actor, { email: DEMO.accounts.admin, name: "Avery Admin", role: "ADMIN", passwordHash });
    const adaId = await ensureUser(tx, actor, {
      email: DEMO.accounts.ada,
      name: "Dr. Ada Lovelace",
      role: "PRESCRIBER",
      passwordHash,
    });
    const benId = await ensureUser(tx, actor, {
      email: DEMO.accounts.ben,
      name: "Dr. Ben Carson-Reed",
      role: "PRESCRIBER",
      passwordHash,
    });
    await ensureUser(tx, actor, {
      email: DEMO.accounts.pharmacist,
      name: "Pat Pharmacist",
      role: "PHARMACIST",
      passwordHash,
      pharmacyId: pharmacy.id,
    });
    await ensureUser(tx, actor, {
      email: DEMO.accounts.infusion,
      name: "Ivy Infusion",
      role: "SETTING_REP",
      passwordHash,
      healthcareSettingId: setting.id,
    });

    const prescribers = [
      {
        userId: adaId,
        npi: DEMO.prescribers.ada.npi,
        firstName: "Ada",
        lastName: "Lovelace",
        status: "CERTIFIED" as const,
      },
      {
        userId: benId,
        npi: DEMO.prescribers.ben.npi,
        firstName: "Ben",
        lastName: "Carson-Reed",
        status: "SUBMITTED" as const,
      },
    ];
    for (const p of prescribers) {
      let prescriber = await tx.prescriber.findUnique({ where: { npi: p.npi }, select: { id: true } });
      if (!prescriber) {
        prescriber = await tx.prescriber.create({
          data: {
            userId: p.userId,
            npi: p.npi,
            firstName: p.firstName,
            lastName: p.lastName,
            credentials: "MD",
            specialty: "Neurology",
            practiceName: "Springfield Neurology Associates",
            addressLine1: "300 Medical Plaza",
            city: "Springfield",
            state: "IL",
            postalCode: "62703",
            phone: "217-555-0300",
          },
          select: { id: true },
        });
        await recordAudit(tx, actor, {
          action: "prescriber.created_by_seed",
          entityType: "Prescriber",
          entityId: prescriber.id,
          after: { npi: p.npi },
        });
      }
      await ensureEnrollment(tx, actor, {
        programId,
        kind: "PRESCRIBER",
        status: p.status,
        stakeholder: { prescriberId: prescriber.id },
        data: { demo: true },
      });
    }
    await ensureEnrollment(tx, actor, {
      programId,
      kind: "PHARMACY",
      status: "CERTIFIED",
      stakeholder: { pharmacyId: pharmacy.id },
      data: { demo: true },
    });
    await ensureEnrollment(tx, actor, {
      programId,
      kind: "HEALTHCARE_SETTING",
      status: "CERTIFIED",
      stakeholder: { healthcareSettingId: setting.id },
      data: { demo: true },
    });
    return setting.id;
  });

  const setting = await client.healthcareSetting.findUniqueOrThrow({
    where: { id: settingId },
    select: { remsId: true },
  });
  const world: DemoWorld = {
    baseUrl: options.baseUrl,
    password: DEMO_PASSWORD,
    accounts: { ...DEMO.accounts },
    programCode: DEMO.programCode,
    ndc: DEMO.ndc,
    prescribers: { ada: { npi: DEMO.prescribers.ada.npi }, ben: { npi: DEMO.prescribers.ben.npi } },
    pharmacy: { ncpdpId: DEMO.pharmacy.ncpdpId, npi: DEMO.pharmacy.npi, apiKey: null },
    setting: { id: setting.remsId, npi: DEMO.setting.npi },
    patients: { compliant: null, overdueLabs: null, betweenCourses: null, disenrolled: null },
  };
  const manifestPath = options.manifestPath ?? path.resolve(".data/demo-world.json");
  await mkdir(path.dirname(manifestPath), { recursive: true });
  await writeFile(manifestPath, `${JSON.stringify(world, null, 2)}\n`);
  return world;
}
