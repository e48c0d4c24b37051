/**
 * Migration from an existing registry (lib/migration): a generated export of 300 patients with
 * dirty rows is reconciled exactly (read = written + already present + rejected per entity, each
 * dirty row rejected on its line with its reason), a second run adds nothing, a run stopped after
 * a checkpoint is continued by the next run, and a file that is not UTF-8 refuses the whole export.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../lib/audit/service";
import { dayOf } from "../../lib/calendar";
import { createPrismaClient, type Db, disconnectDb } from "../../lib/db";
import { closePGlite } from "../../lib/db/adapters";
import type { DatabaseConfig } from "../../lib/db/config";
import { applyMigrations } from "../../lib/db/migrations";
import { labResultDedupeKey } from "../../lib/labs/service";
import { REGISTRY_ENTITIES, type RegistryImportOutcome } from "../../lib/migration/schema";
import { importRegistry, reconciliationCsv } from "../../lib/migration/service";
import { ensureProgram } from "../factories/enrollment";
import { dropPostgresDatabase, recreatePostgresDatabase } from "../setup/postgres";
import { type GeneratedExport, generateRegistryExport, writeRegistryExport } from "../factories/registry-export";

const TODAY = "2026-06-15";
let root: string;
/**
 * The imports go into a database of their own: hundreds of enrolled patients with lab histories
 * in the shared test database would be picked up by other suites' registry-wide jobs (reminders).
 */
let client: Db;
let config: DatabaseConfig;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "registry-import-"));
  const shared = process.env.DATABASE_URL ?? "";
  if (shared.startsWith("pglite:") || !shared) {
    config = { kind: "pglite", dir: path.join(root, "pglite") };
  } else {
    const url = new URL(shared);
    url.pathname = `${url.pathname}_import`;
    config = { kind: "postgres", url: url.toString() };
    await recreatePostgresDatabase(config.url);
  }
  await applyMigrations(config);
  client = createPrismaClient(config);
  await ensureProgram(client);
}, 300_000);

afterAll(async () => {
  await client?.$disconnect();
  if (config?.kind === "pglite") await closePGlite(config.dir);
  else if (config) await dropPostgresDatabase(config.url);
  await rm(root, { recursive: true, force: true });
  await disconnectDb();
});

async function exportFolder(
  name: string,
  generated: GeneratedExport,
  latin1Line?: Parameters<typeof writeRegistryExport>[2],
) {
  const folder = path.join(root, name);
  await writeRegistryExport(folder, generated, latin1Line);
  return folder;
}

/** What the registry holds of this export: rows found by their natural keys. */
async function stored(generated: GeneratedExport) {
  const col = (entity: keyof GeneratedExport["lines"], i: number) => generated.lines[entity].map((r) => r[i] ?? "");
  const patientIds = col("patients", 0);
  return {
    prescribers: await client.prescriber.count({ where: { npi: { in: col("prescribers", 0) } } }),
    settings: await client.healthcareSetting.count({ where: { remsId: { in: col("settings", 0) } } }),
    pharmacies: await client.pharmacy.count({ where: { ncpdpId: { in: col("pharmacies", 1) } } }),
    patients: await client.patient.count({ where: { remsId: { in: patientIds } } }),
    certifications:
      (await client.enrollment.count({ where: { patient: { remsId: { in: patientIds } } } })) +
      (await client.enrollment.count({ where: { prescriber: { npi: { in: col("prescribers", 0) } } } })) +
      (await client.enrollment.count({ where: { healthcareSetting: { remsId: { in: col("settings", 0) } } } })) +
      (await client.enrollment.count({ where: { pharmacy: { ncpdpId: { in: col("pharmacies", 1) } } } })),
    labs: await client.labResult.count({ where: { patient: { remsId: { in: patientIds } } } }),
  };
}

function expectReconciled(outcome: RegistryImportOutcome, generated: GeneratedExport, firstRun: boolean) {
  expect(outcome.status).toBe("completed");
  for (const entity of REGISTRY_ENTITIES) {
    const c = outcome.counts[entity];
    const rejected = generated.rejections.filter((r) => r.entity === entity).length;
    expect(c, entity).toEqual({
      read: generated.lines[entity].length,
      written: firstRun ? generated.valid[entity] : 0,
      alreadyPresent: firstRun ? 0 : generated.valid[entity],
      rejected,
    });
    expect(c.read).toBe(c.written + c.alreadyPresent + c.rejected);
  }
  expect(outcome.rejected).toHaveLength(generated.rejections.length);
  for (const want of generated.rejections) {
    const got = outcome.rejected.find((r) => r.entity === want.entity && r.line === want.line);
    expect(got, `${want.entity} line ${want.line}`).toBeDefined();
    expect(got?.reasons.join("; ")).toContain(want.reason);
  }
}

describe("npm run import:registry", () => {
  it("reconciles a dirty export exactly, and a second run adds nothing", async () => {
    const generated = generateRegistryExport({ patients: 300, dirty: true });
    const folder = await exportFolder("dirty", generated);
    const first = await importRegistry(folder, { client, today: TODAY, batchSize: 250 });
    expectReconciled(first, generated, true);
    expect(first.resumed).toBe(false);
    expect(await stored(generated)).toEqual(generated.valid);

    const patient = await client.patient.findUniqueOrThrow({
      where: { remsId: generated.lines.patients[0]?.[0] ?? "" },
      select: { prescriber: { select: { npi: true } }, enrollments: { select: { status: true, certifiedAt: true } } },
    });
    expect(patient.prescriber?.npi).toBe(generated.lines.patients[0]?.[6]);
    expect(patient.enrollments).toEqual([{ status: "ENROLLED", certifiedAt: new Date("2024-01-01T00:00:00Z") }]);
    const prescriberCert = await client.enrollment.findFirstOrThrow({
      where: { prescriber: { npi: generated.lines.prescribers[0]?.[0] ?? "" } },
      select: { certificationNumber: true, status: true },
    });
    // The same dedupe key as the lab feed computes, so a later feed import of this result is a duplicate.
    const lab = await client.labResult.findFirstOrThrow({
      where: { patient: { remsId: generated.lines.patients[0]?.[0] ?? "" }, testCode: "CBC_DIFF" },
      select: { patientId: true, collectedOn: true, labId: true, dedupeKey: true, source: true },
    });
    expect(lab.dedupeKey).toBe(labResultDedupeKey(lab.patientId, "CBC_DIFF", dayOf(lab.collectedOn), lab.labId));
    expect(lab.source).toBe("migration");
    expect(prescriberCert).toEqual({
      certificationNumber: generated.lines.certifications[0]?.[4],
      status: "CERTIFIED",
    });

    const csv = reconciliationCsv(first);
    expect(csv.split("\r\n")[1]).toBe(
      `prescribers,prescribers.csv,,${generated.lines.prescribers.length},${generated.valid.prescribers},0,2,`,
    );
    const dateRejection = generated.rejections.find(
      (r) => r.reason === "is not a real date" && r.entity === "patients",
    );
    expect(csv).toContain(
      `patients,patients.csv,${dateRejection?.line},,,,,"date_of_birth ""2025-02-30"" is not a real date`,
    );

    const batches = await client.auditEvent.count({
      where: { entityId: first.runId, action: "registry_import.batch_written" },
    });
    const expectedBatches = REGISTRY_ENTITIES.reduce((sum, e) => sum + Math.ceil(generated.valid[e] / 250), 0);
    expect(batches).toBe(expectedBatches);

    const second = await importRegistry(folder, { client, today: TODAY, batchSize: 250 });
    expect(second.runId).not.toBe(first.runId);
    expectReconciled(second, generated, false);
    expect(await stored(generated)).toEqual(generated.valid);
    expect((await verifyAuditChain(client)).ok).toBe(true);
  });

  it("continues an import stopped after a checkpoint, writing each row once", async () => {
    const generated = generateRegistryExport({ patients: 300, dirty: true });
    const folder = await exportFolder("resume", generated);
    const stopped = await importRegistry(folder, { client, today: TODAY, batchSize: 100, stopAfterBatches: 5 });
    expect(stopped.status).toBe("interrupted");
    const run = await client.registryImport.findUniqueOrThrow({ where: { id: stopped.runId ?? "" } });
    expect(run.status).toBe("writing");
    const partial = await stored(generated);
    // 12 prescribers, 3 settings, 3 pharmacies fit in one batch each; then 2 batches of patients.
    expect(partial).toEqual({ ...generated.valid, patients: 200, certifications: 0, labs: 0 });
    expect(Object.fromEntries(REGISTRY_ENTITIES.map((e) => [e, stopped.counts[e].written]))).toEqual(partial);

    const resumed = await importRegistry(folder, { client, today: TODAY, batchSize: 100 });
    expect(resumed.runId).toBe(stopped.runId);
    expect(resumed.resumed).toBe(true);
    expectReconciled(resumed, generated, true);
    expect(await stored(generated)).toEqual(generated.valid);
    const done = await client.registryImport.findUniqueOrThrow({ where: { id: run.id } });
    expect(done.status).toBe("completed");
  });

  it("rejects a record the registry already holds with other values, and never overwrites it", async () => {
    const generated = generateRegistryExport({ patients: 20 });
    const first = await importRegistry(await exportFolder("conflict-1", generated), { client, today: TODAY });
    expectReconciled(first, generated, true);
    const [npi, firstName, lastName] = generated.lines.prescribers[0] ?? [];
    const changed = structuredClone(generated);
    (changed.lines.prescribers[0] as string[])[1] = "Renamed";
    const second = await importRegistry(await exportFolder("conflict-2", changed), { client, today: TODAY });
    expect(second.counts.prescribers).toEqual({
      read: generated.valid.prescribers,
      written: 0,
      alreadyPresent: generated.valid.prescribers - 1,
      rejected: 1,
    });
    expect(second.rejected).toEqual([
      {
        entity: "prescribers",
        file: "prescribers.csv",
        line: 2,
        reasons: [`NPI ${npi} is already in the registry as ${firstName} ${lastName}`],
      },
    ]);
    expect(second.counts.patients).toEqual({ read: 20, written: 0, alreadyPresent: 20, rejected: 0 });
    const stored = await client.prescriber.findUniqueOrThrow({ where: { npi }, select: { firstName: true } });
    expect(stored.firstName).toBe(firstName);
  });

  it("refuses an export with a line that is not UTF-8, naming the file and line, and writes nothing", async () => {
    const generated = generateRegistryExport({ patients: 20 });
    const folder = await exportFolder("latin1", generated, { latin1Line: { entity: "patients", line: 5 } });
    const before = await client.registryImport.count();
    const outcome = await importRegistry(folder, { client, today: TODAY });
    expect(outcome.status).toBe("refused");
    expect(outcome.error).toBe(
      "patients.csv line 5 is not UTF-8 text. Save every file of the export as UTF-8 and run again.",
    );
    expect(await client.registryImport.count()).toBe(before);
    expect(await stored(generated)).toEqual({
      prescribers: 0,
      settings: 0,
      pharmacies: 0,
      patients: 0,
      certifications: 0,
      labs: 0,
    });
    const bytes = await readFile(path.join(folder, "patients.csv"));
    expect(bytes.includes(Buffer.from("Zo\xe9", "latin1"))).toBe(true);
  });
});
