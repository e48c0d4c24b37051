/**
 * Dispense authorizations partitioned by month of createdAt (migration
 * 20261130150000_dispense_partitions): each request lands in its month's partition (or DEFAULT),
 * what must be unique across months holds through the claims (pharmacy + Idempotency-Key, the DA-
 * number, one open approval per prescription), the gate finds earlier months' requests through
 * them, the claimed columns never change, an existing table upgrades in place, and creating a
 * month moves its rows out of DEFAULT with their claims untouched. Structural changes run on a
 * database of their own.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayOf } from "../../lib/calendar";
import { type Db, db, disconnectDb } from "../../lib/db";
import { ensureMonthlyPartitions } from "../../lib/db/partitions";
import { requestDispenseAuthorization } from "../../lib/dispensing/request";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { ensureProgram } from "../factories/certified";
import { createDispenseAuthorization, createDispenseWorld, createPharmacy } from "../factories/dispense";
import { closeScratchDatabases, migratedScratch, type Scratch, scratchBefore } from "../setup/scratch-database";

const MIGRATION = "20261130150000_dispense_partitions";

beforeAll(async () => {
  await ensureProgram();
});

afterAll(async () => {
  await closeScratchDatabases();
  await disconnectDb();
});

const monthName = (at: Date) => `DispenseAuthorization_${at.toISOString().slice(0, 7).replace("-", "_")}`;
const monthsAgo = (n: number) => {
  const at = new Date();
  at.setUTCDate(10);
  at.setUTCMonth(at.getUTCMonth() - n);
  return at;
};

async function partitionOf(client: Db, id: string): Promise<string> {
  const [row] = await client.$queryRawUnsafe<{ part: string }[]>(
    `SELECT tableoid::regclass::text AS "part" FROM "DispenseAuthorization" WHERE "id" = $1::uuid`,
    id,
  );
  return row?.part ?? "(none)";
}

async function claimOf(client: Db, id: string) {
  return client.dispenseAuthorizationClaim.findUnique({ where: { id } });
}

/** The message of a rejected promise (fails the test when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected the database to refuse this write");
}

describe("dispense authorizations by month", () => {
  it("stores a request in its month's partition (an unpartitioned month in DEFAULT) with its claim", async () => {
    const { id: pharmacyId } = await createPharmacy();
    const now = await createDispenseAuthorization({ patient: null, pharmacyId, status: "APPROVED" });
    const old = await createDispenseAuthorization({
      patient: null,
      pharmacyId,
      status: "DENIED",
      createdAt: monthsAgo(8),
    });

    expect(await partitionOf(db(), now.id)).toBe(`dispense_partitions."${monthName(new Date())}"`);
    expect(await partitionOf(db(), old.id)).toBe('dispense_partitions."DispenseAuthorization_default"');
    expect(await claimOf(db(), now.id)).toEqual({
      id: now.id,
      createdAt: now.createdAt,
      pharmacyId,
      idempotencyKey: now.idempotencyKey,
      authorizationNumber: now.authorizationNumber,
      programCode: "LEMTRADA",
      prescriptionId: now.prescriptionId,
      openApproval: true,
    });
    expect(await claimOf(db(), old.id)).toMatchObject({ authorizationNumber: null, openApproval: false });
  });

  it("keeps an Idempotency-Key, a DA- number and an open approval unique across months", async () => {
    const { id: pharmacyId } = await createPharmacy();
    const first = await createDispenseAuthorization({
      patient: null,
      pharmacyId,
      status: "APPROVED",
      createdAt: monthsAgo(8),
    });

    // The same key at the same pharmacy, another month.
    expect(
      await refusal(
        createDispenseAuthorization({
          patient: null,
          pharmacyId,
          status: "DENIED",
          idempotencyKey: first.idempotencyKey,
        }),
      ),
    ).toMatch(/unique|DispenseAuthorizationClaim_pharmacyId_idempotencyKey_key/i);
    // The same number, another pharmacy and month.
    expect(
      await refusal(
        createDispenseAuthorization({
          patient: null,
          status: "DISPENSED",
          authorizationNumber: first.authorizationNumber ?? "",
        }),
      ),
    ).toMatch(/unique|DispenseAuthorizationClaim_authorizationNumber_key/i);
    // A second open approval for the same prescription, another month.
    const second = () =>
      createDispenseAuthorization({
        patient: null,
        pharmacyId,
        status: "APPROVED",
        prescriptionId: first.prescriptionId,
      });
    expect(await refusal(second())).toMatch(/unique|one_approved_per_prescription/i);
    // Nothing was written by the refused requests.
    expect(await db().dispenseAuthorization.count({ where: { pharmacyId } })).toBe(1);
    expect(await db().dispenseAuthorizationClaim.count({ where: { pharmacyId } })).toBe(1);

    // Once the first is used, the prescription may be approved again; the first cannot reopen.
    await db().dispenseAuthorization.updateMany({ where: { id: first.id }, data: { status: "DISPENSED" } });
    expect(await claimOf(db(), first.id)).toMatchObject({ openApproval: false });
    const again = await second();
    expect(await claimOf(db(), again.id)).toMatchObject({ openApproval: true });
    expect(
      await refusal(db().dispenseAuthorization.updateMany({ where: { id: first.id }, data: { status: "APPROVED" } })),
    ).toMatch(/unique|one_approved_per_prescription/i);
    expect(await db().dispenseAuthorization.findFirst({ where: { id: first.id }, select: { status: true } })).toEqual({
      status: "DISPENSED",
    });
  });

  it("refuses to change what the claim holds, and removes the claim with its authorization", async () => {
    const row = await createDispenseAuthorization({ patient: null, status: "APPROVED" });
    for (const data of [
      { createdAt: monthsAgo(3) },
      { authorizationNumber: generateRemsId("DA") },
      { idempotencyKey: randomUUID() },
      { prescriptionId: `RX-${randomUUID()}` },
    ]) {
      expect(
        await refusal(db().dispenseAuthorization.updateMany({ where: { id: row.id }, data })),
        JSON.stringify(data),
      ).toMatch(/cannot change/);
    }
    expect(await db().dispenseAuthorization.findFirst({ where: { id: row.id } })).toMatchObject({
      createdAt: row.createdAt,
      authorizationNumber: row.authorizationNumber,
      idempotencyKey: row.idempotencyKey,
      prescriptionId: row.prescriptionId,
    });
    await db().dispenseAuthorization.deleteMany({ where: { id: row.id } });
    expect(await claimOf(db(), row.id)).toBeNull();
  });

  it("the gate replays an earlier month's request and expires an earlier month's unused approval", async () => {
    const earlier = new Date(monthsAgo(5).getTime());
    const w = await createDispenseWorld({ today: dayOf(earlier), baselineDaysAgo: 10 });
    const key = randomUUID();
    const body = w.body();
    const first = await requestDispenseAuthorization(w.pharmacy.caller, key, body, { now: earlier });
    expect(first.answer.decision).toBe("APPROVED");
    expect(await partitionOf(db(), first.authorization.id)).toBe('dispense_partitions."DispenseAuthorization_default"');

    // The same key today: the stored answer, found through the claim, nothing new written — with
    // what became of the approval since (it ran out unused months ago).
    const replayed = await requestDispenseAuthorization(w.pharmacy.caller, key, body);
    expect(replayed.replayed).toBe(true);
    expect(replayed.answer).toEqual({ ...first.answer, status: "EXPIRED" });

    // A new request for the prescription today: the earlier approval ran out unused, so it is
    // marked EXPIRED in its own partition and no longer stands in the way.
    const later = await requestDispenseAuthorization(w.pharmacy.caller, randomUUID(), body);
    expect(later.replayed).toBe(false);
    expect(later.authorization.reasons.map((r) => r.code)).not.toContain("DUPLICATE_REQUEST");
    expect(
      await db().dispenseAuthorization.findFirst({ where: { id: first.authorization.id }, select: { status: true } }),
    ).toEqual({ status: "EXPIRED" });
    expect(await claimOf(db(), first.authorization.id)).toMatchObject({ openApproval: false });
    expect(await partitionOf(db(), later.authorization.id)).toBe(`dispense_partitions."${monthName(new Date())}"`);
  });
});

describe("an existing table of authorizations", () => {
  it("upgrades in place: every row and column kept, each in its month, with its claim", async () => {
    const { scratch, migration } = await scratchBefore(MIGRATION);
    const client = scratch.client;
    await ensureProgram(client);
    const { id: pharmacyId } = await createPharmacy(client);
    const made = [
      await createDispenseAuthorization({
        client,
        patient: null,
        pharmacyId,
        status: "DENIED",
        createdAt: new Date(Date.UTC(2026, 7, 3)),
      }),
      await createDispenseAuthorization({
        client,
        patient: null,
        pharmacyId,
        status: "DISPENSED",
        createdAt: new Date(Date.UTC(2026, 8, 14)),
      }),
      await createDispenseAuthorization({ client, patient: null, pharmacyId, status: "APPROVED" }),
    ];
    const rows = `SELECT row_to_json(d)::text AS "row" FROM "DispenseAuthorization" d ORDER BY "id"`;
    const before = await client.$queryRawUnsafe<{ row: string }[]>(rows);

    await scratch.exec(migration);

    // Every column of every row, as text, unchanged (the new table lists the columns in the same order).
    expect(await client.$queryRawUnsafe<{ row: string }[]>(rows)).toEqual(before);
    expect(await partitionOf(client, made[0]?.id ?? "")).toBe('dispense_partitions."DispenseAuthorization_2026_08"');
    expect(await partitionOf(client, made[1]?.id ?? "")).toBe('dispense_partitions."DispenseAuthorization_2026_09"');
    expect(await partitionOf(client, made[2]?.id ?? "")).toBe(`dispense_partitions."${monthName(new Date())}"`);
    const claims = await client.dispenseAuthorizationClaim.findMany({ orderBy: { createdAt: "asc" } });
    expect(claims.map((c) => [c.id, c.authorizationNumber, c.openApproval])).toEqual(
      made.map((m) => [m.id, m.authorizationNumber, m.status === "APPROVED"]),
    );
    // The infusions' link now points at the claims.
    const [fk] = await client.$queryRawUnsafe<{ target: string }[]>(
      `SELECT confrelid::regclass::text AS "target" FROM pg_constraint WHERE conname = 'Infusion_dispenseAuthorizationId_fkey'`,
    );
    expect(fk?.target).toBe('"DispenseAuthorizationClaim"');
  }, 120_000);
});

describe("months without a partition", () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await migratedScratch();
    await ensureProgram(scratch.client);
  }, 120_000);

  it("take their requests into DEFAULT; creating the month later moves them, claims unchanged", async () => {
    const client = scratch.client;
    const { id: pharmacyId } = await createPharmacy(client);
    const dates = [new Date(Date.UTC(2031, 4, 10)), new Date(Date.UTC(2031, 4, 20)), new Date(Date.UTC(2031, 6, 1))];
    const made = [];
    for (const createdAt of dates) {
      made.push(
        await createDispenseAuthorization({ client, patient: null, pharmacyId, status: "APPROVED", createdAt }),
      );
    }
    for (const m of made)
      expect(await partitionOf(client, m.id)).toBe('dispense_partitions."DispenseAuthorization_default"');
    const rows = `SELECT row_to_json(d)::text AS "row" FROM "DispenseAuthorization" d ORDER BY "id"`;
    const before = await client.$queryRawUnsafe<{ row: string }[]>(rows);
    const claimsBefore = await client.dispenseAuthorizationClaim.findMany({ orderBy: { id: "asc" } });

    const [created] = await client.$queryRawUnsafe<{ created: boolean }[]>(
      `SELECT dispense_create_partition('2031-05-01') AS "created"`,
    );
    expect(created?.created).toBe(true);
    expect(await partitionOf(client, made[0]?.id ?? "")).toBe('dispense_partitions."DispenseAuthorization_2031_05"');
    expect(await partitionOf(client, made[1]?.id ?? "")).toBe('dispense_partitions."DispenseAuthorization_2031_05"');
    expect(await partitionOf(client, made[2]?.id ?? "")).toBe('dispense_partitions."DispenseAuthorization_default"');
    expect(await client.$queryRawUnsafe<{ row: string }[]>(rows)).toEqual(before);
    expect(await client.dispenseAuthorizationClaim.findMany({ orderBy: { id: "asc" } })).toEqual(claimsBefore);
    // The moved rows' keys are still claimed.
    expect(
      await refusal(
        createDispenseAuthorization({
          client,
          patient: null,
          pharmacyId,
          status: "DENIED",
          idempotencyKey: made[0]?.idempotencyKey ?? "",
        }),
      ),
    ).toMatch(/unique|idempotencyKey/i);
    // Creating it again changes nothing.
    const [again] = await client.$queryRawUnsafe<{ created: boolean }[]>(
      `SELECT dispense_create_partition('2031-05-01') AS "created"`,
    );
    expect(again?.created).toBe(false);
  });

  it("the daily job creates the coming months once", async () => {
    // The migration created the current month and the next three.
    expect(await ensureMonthlyPartitions(scratch.client, "dispense", 5)).toBe(2);
    expect(await ensureMonthlyPartitions(scratch.client, "dispense", 5)).toBe(0);
  });
});
