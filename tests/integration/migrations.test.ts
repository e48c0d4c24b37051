import { randomInt, randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { applyMigrations, diffSchemaAgainstMigrations } from "../../lib/db/migrations";

afterAll(async () => {
  await disconnectDb();
});

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join("");

async function migrationFolders(): Promise<string[]> {
  const entries = await readdir(path.resolve("prisma/migrations"), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Just enough rows for an enrollment to point at; every identifier is unique to this call. */
async function stakeholders() {
  const tag = randomUUID().slice(0, 8);
  const program = await db().program.create({
    data: {
      code: `TEST-${tag}`,
      name: "Test programme",
      drugName: "Testamab",
      genericName: "testamab",
      ndcs: [],
      definition: {},
    },
    select: { id: true },
  });
  const prescriber = await db().prescriber.create({
    data: { npi: digits(10), firstName: "Noor", lastName: "Haddad" },
    select: { id: true },
  });
  const pharmacy = await db().pharmacy.create({
    data: { remsId: `PH-${tag}`, name: "Test Pharmacy", ncpdpId: digits(7) },
    select: { id: true },
  });
  return { programId: program.id, prescriberId: prescriber.id, pharmacyId: pharmacy.id };
}

describe("migrations", () => {
  it("are idempotent: applying them to the migrated test database applies nothing", async () => {
    expect(await applyMigrations(resolveDatabaseConfig(process.env.DATABASE_URL))).toEqual([]);
  });

  it("are all recorded as finished in _prisma_migrations", async () => {
    const folders = await migrationFolders();
    expect(folders.length).toBeGreaterThanOrEqual(2);
    const rows = await db().$queryRawUnsafe<{ migration_name: string; finished: boolean; rolled_back: boolean }[]>(
      `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
         FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const row of rows) expect(row, row.migration_name).toMatchObject({ finished: true, rolled_back: false });
  });

  // The wasm schema engine replays every migration into a shadow database: tens of seconds on a
  // busy 2-core machine, so this one test gets more than the default 30 s.
  it("agree with schema.prisma (no pending schema change)", { timeout: 120_000 }, async () => {
    expect(await diffSchemaAgainstMigrations()).toBe("");
  });
});

describe("constraints added by the migrations", () => {
  it("reject an enrollment that names a stakeholder other than its kind", async () => {
    const { programId, prescriberId, pharmacyId } = await stakeholders();
    await expect(
      db().enrollment.create({ data: { programId, kind: "PRESCRIBER", prescriberId, pharmacyId } }),
    ).rejects.toThrow(/violates check constraint "Enrollment_stakeholder_matches_kind"/);
    await expect(db().enrollment.create({ data: { programId, kind: "PRESCRIBER", pharmacyId } })).rejects.toThrow(
      /violates check constraint "Enrollment_stakeholder_matches_kind"/,
    );
    await expect(db().enrollment.create({ data: { programId, kind: "PHARMACY", prescriberId } })).rejects.toThrow(
      /violates check constraint "Enrollment_stakeholder_matches_kind"/,
    );
    expect(await db().enrollment.count({ where: { programId } })).toBe(0);

    // The matching shapes are accepted.
    await db().enrollment.create({ data: { programId, kind: "PRESCRIBER", prescriberId } });
    await db().enrollment.create({ data: { programId, kind: "PHARMACY", pharmacyId } });
    expect(await db().enrollment.count({ where: { programId } })).toBe(2);
  });

  it("reject an upper-case e-mail address stored directly", async () => {
    const local = `Upper-${randomUUID()}`;
    await expect(
      db().user.create({
        data: { email: `${local}@x.test`, name: "Upper Case", passwordHash: "x", role: "PRESCRIBER" },
      }),
    ).rejects.toThrow(/violates check constraint "User_email_lowercase"/);
    expect(await db().user.count({ where: { email: { equals: `${local}@x.test`, mode: "insensitive" } } })).toBe(0);
  });

  it("reject the literal Upper@x.test", async () => {
    await expect(
      db().user.create({ data: { email: "Upper@x.test", name: "Upper Case", passwordHash: "x", role: "PRESCRIBER" } }),
    ).rejects.toThrow(/violates check constraint "User_email_lowercase"/);
  });
});
