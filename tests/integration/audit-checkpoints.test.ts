import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { chainHeadsRoot, checkpointMessage, deriveCheckpointKey } from "../../lib/audit/checkpoint-signature";
import { auditHash, canonicalJson } from "../../lib/audit/hash";
import {
  auditIntegrityStatus,
  checkpointHeads,
  checkpointVerifies,
  lastValidCheckpoint,
  requestFullVerification,
  runCheckpointJob,
  runQueuedFullVerifications,
  verifyAuditNow,
} from "../../lib/audit/integrity";
import type { AuditAction } from "../../lib/audit/action-codes";
import { recordAudit } from "../../lib/audit/service";
import { AUDIT_CSV_HEADER, exportAuditCsv, getAuditEvent, listAuditEvents } from "../../lib/audit/viewer";
import type { Actor } from "../../lib/auth/actor";
import { authSecret } from "../../lib/auth/auth-secret";
import { type Db, db, disconnectDb, type Tx } from "../../lib/db";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { apiError } from "../../lib/http/api";
import { startPgBossJobs } from "../../lib/jobs/scheduler";
import { createAdmin, createUser, signIn } from "../factories/users";
import { testAuditAction } from "../factories/audit-actions";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

const ENTITY = "AuditCheckpointTest";

async function adminActor(): Promise<Actor> {
  return (await signIn(await createAdmin())).actor;
}

/**
 * Sends the transaction's appends to `chain` (audit_append keeps the chain the transaction's first
 * append chose in this setting): the embedded database has one connection, so this is how its
 * trail gets several chains.
 */
async function chooseChain(tx: Tx, chain: number) {
  await tx.$executeRaw`SELECT set_config('remsgate.audit_chain', ${String(chain)}, true)`;
}

/** Writes `count` audit rows, one transaction each, as `actor`, taking turns in `chains`. */
async function writeRows(
  actor: Actor,
  count: number,
  entityId = randomUUID(),
  action: AuditAction = testAuditAction("test.step"),
  chains: number[] = [2, 5, 11],
) {
  const seqs: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const { seq } = await db().$transaction(async (tx) => {
      await chooseChain(tx, chains[i % chains.length] ?? 0);
      return recordAudit(tx, actor, {
        action,
        entityType: ENTITY,
        entityId,
        before: { step: i - 1 },
        after: { step: i },
      });
    });
    seqs.push(seq);
  }
  return { entityId, seqs };
}

/** The events of each chain after its head in `from` and up to its head in `to`, counted. */
async function countBetween(
  client: Tx | Db,
  from: { chain: number; seq: bigint }[],
  to: { chain: number; seq: bigint }[],
) {
  const after = new Map(from.map((h) => [h.chain, h.seq]));
  return client.auditEvent.count({
    where: { OR: to.map((h) => ({ chain: h.chain, seq: { gt: after.get(h.chain) ?? 0n, lte: h.seq } })) },
  });
}

class RolledBack extends Error {}

/**
 * Runs `work` in a transaction with the append-only triggers off (session_replication_role, as only
 * a database superuser could) and rolls it all back: the tampering is seen by the verification
 * inside and by nobody else, and the shared test database keeps an intact chain.
 */
async function tampered(work: (tx: Tx) => Promise<void>) {
  await db()
    .$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
        await work(tx);
        throw new RolledBack();
      },
      { timeout: 120_000, maxWait: 30_000 },
    )
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
}

/**
 * The real database, except that reading audit events fails after `batches` reads: a walk that
 * loses its connection part-way (the rows it did read were read from the database).
 */
function losingConnectionAfter(batches: number): Db {
  const real = db();
  let reads = 0;
  const events = new Proxy(real.auditEvent, {
    get(target, prop, receiver) {
      if (prop === "findMany") {
        return (args: Parameters<typeof real.auditEvent.findMany>[0]) => {
          reads++;
          if (reads > batches) return Promise.reject(new Error("connection lost"));
          return target.findMany(args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return new Proxy(real, {
    get(target, prop, receiver) {
      return prop === "auditEvent" ? events : Reflect.get(target, prop, receiver);
    },
  });
}

/** The next event of `chain` after `seq` as `client` sees it. */
async function nextSeq(client: Tx, chain: number, seq: bigint): Promise<bigint> {
  const row = await client.auditEvent.findFirstOrThrow({
    where: { chain, seq: { gt: seq } },
    orderBy: { seq: "asc" },
  });
  return row.seq;
}

describe("checkpoints", () => {
  it("verify now walks every chain to its head, signs the root of the heads and audits itself", async () => {
    const admin = await adminActor();
    const { seqs } = await writeRows(admin, 3);
    const verification = await verifyAuditNow(admin);
    expect(verification).toMatchObject({ kind: "INCREMENTAL", status: "VERIFIED", brokenAt: null });
    expect(verification.checkpointId).not.toBeNull();
    const checkpoint = await db().auditCheckpoint.findUniqueOrThrow({ where: { id: verification.checkpointId ?? 0n } });
    expect(checkpoint.seq).toBe(verification.toSeq);
    expect(checkpoint.writtenBy).toBe(`admin:${admin.userId}`);
    expect(checkpointVerifies(checkpoint)).toBe(true);
    // One head per chain, each the event it names, and the signed hash is their root.
    const heads = checkpointHeads(checkpoint);
    expect(heads.map((h) => h.chain)).toEqual([...new Set(heads.map((h) => h.chain))].sort((a, b) => a - b));
    for (const head of heads) {
      const row = await db().auditEvent.findFirstOrThrow({ where: { seq: head.seq } });
      expect(row).toMatchObject({ chain: head.chain, hash: head.hash });
      const newer = await db().auditEvent.findFirst({
        where: { chain: head.chain, seq: { gt: head.seq, lte: seqs[2] } },
      });
      expect(newer).toBeNull();
    }
    for (const chain of [2, 5, 11]) expect(heads.map((h) => h.chain)).toContain(chain);
    expect(checkpoint.hash).toBe(chainHeadsRoot(heads));
    expect(checkpoint.seq).toBe([...heads].sort((a, b) => (a.seq < b.seq ? 1 : -1))[0]?.seq);

    const audited = await db().auditEvent.findFirstOrThrow({
      where: { action: "audit.verified", entityId: verification.id },
    });
    expect(audited).toMatchObject({ actorId: admin.userId, actorRole: "ADMIN" });
    expect(audited.after).toMatchObject({ status: "VERIFIED", toSeq: checkpoint.seq.toString() });

    const status = await auditIntegrityStatus(admin);
    expect(status.broken).toBeNull();
    expect(status.forgedCheckpoints).toBe(0);
    expect(status.checkpoint?.seq).toBeGreaterThanOrEqual(checkpoint.seq);
  });

  it("counts exactly the events no checkpoint covers yet, in every chain", async () => {
    const admin = await adminActor();
    await verifyAuditNow(admin);
    // Seen in one snapshot, so writers elsewhere do not move the figures between the two reads.
    const figures = (tx: Tx) =>
      Promise.all([
        auditIntegrityStatus(admin, tx),
        lastValidCheckpoint(tx).then(({ checkpoint }) => {
          if (!checkpoint) throw new Error("verify now wrote no checkpoint");
          return checkpointHeads(checkpoint);
        }),
      ]);
    const snapshot = <T>(work: (tx: Tx) => Promise<T>) => db().$transaction(work, { isolationLevel: "RepeatableRead" });
    await writeRows(admin, 5);
    await snapshot(async (tx) => {
      const [status, heads] = await figures(tx);
      const uncovered = await tx.auditEvent.count({
        where: {
          OR: [
            ...heads.map((h) => ({ chain: h.chain, seq: { gt: h.seq } })),
            { chain: { notIn: heads.map((h) => h.chain) } },
          ],
        },
      });
      expect(status.unverified).toBe(BigInt(uncovered));
      expect(status.unverified).toBeGreaterThanOrEqual(5n);
    });
    await verifyAuditNow(admin);
    await snapshot(async (tx) => {
      const [status] = await figures(tx);
      // Only "verify now"'s own audit row, written after its checkpoint, in the same transaction.
      expect(status.unverified).toBeLessThanOrEqual(1n);
    });
  });

  it("the job continues from the last checkpoint and checks only the events written since", async () => {
    const admin = await adminActor();
    const before = await verifyAuditNow(admin);
    const { seqs } = await writeRows(admin, 4);
    const result = await runCheckpointJob();
    expect(result.status).toBe("VERIFIED");
    const run = await db().auditVerification.findFirstOrThrow({
      where: { requestedBy: "job" },
      orderBy: { requestedAt: "desc" },
    });
    expect(run.fromSeq).toBeGreaterThanOrEqual(before.toSeq ?? 0n);
    expect(run.toSeq).toBeGreaterThanOrEqual(seqs[3] ?? 0n);
    const checkpoint = await db().auditCheckpoint.findUniqueOrThrow({ where: { id: run.checkpointId ?? 0n } });
    expect(checkpoint).toMatchObject({ seq: run.toSeq, writtenBy: "job" });
    // Only what came after the previous checkpoint's heads, chain by chain: at least our four rows
    // (and "verify now"'s own audit row), far fewer than the whole trail.
    const previous = await db().auditCheckpoint.findFirstOrThrow({
      where: { id: { lt: checkpoint.id }, seq: run.fromSeq },
      orderBy: { id: "desc" },
    });
    expect(run.checked).toBeGreaterThanOrEqual(4);
    expect(run.checked).toBe(await countBetween(db(), checkpointHeads(previous), checkpointHeads(checkpoint)));
    expect(run.total).toBe(run.checked);
  });

  it("verify now finds a row edited after the last checkpoint and writes no checkpoint past it", async () => {
    const admin = await adminActor();
    await verifyAuditNow(admin);
    const { seqs } = await writeRows(admin, 3);
    const target = seqs[1] ?? 0n;
    await tampered(async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'test.rewritten' WHERE "seq" = $1`, target);
      const checkpointsBefore = await tx.auditCheckpoint.count();
      const verification = await verifyAuditNow(admin, tx);
      expect(verification).toMatchObject({
        status: "BROKEN",
        brokenAt: target,
        reason: "content-hash-mismatch",
        checkpointId: null,
      });
      expect(await tx.auditCheckpoint.count()).toBe(checkpointsBefore);
      const status = await auditIntegrityStatus(admin, tx);
      expect(status.broken).toMatchObject({ brokenAt: target, reason: "content-hash-mismatch", kind: "INCREMENTAL" });
      // The finding is audited, with who asked.
      const audited = await tx.auditEvent.findFirstOrThrow({
        where: { action: "audit.verified", entityId: verification.id },
      });
      expect(audited.after).toMatchObject({ status: "BROKEN", brokenAt: target.toString() });
    });
    // Rolled back: the real trail is intact.
    expect((await verifyAuditNow(admin)).status).toBe("VERIFIED");
  });

  it("notices when an event a checkpoint vouches for was changed, even if its hash was recomputed", async () => {
    const admin = await adminActor();
    await writeRows(admin, 3);
    await verifyAuditNow(admin);
    const { checkpoint } = await lastValidCheckpoint(db());
    if (!checkpoint) throw new Error("verify now wrote no checkpoint");
    // The head of the chain whose head is oldest: not the newest event, which the walk reads anyway.
    const [oldest] = checkpointHeads(checkpoint).sort((a, b) => (a.seq < b.seq ? -1 : 1));
    expect(oldest?.seq).toBeLessThan(checkpoint.seq);
    const seq = oldest?.seq ?? 0n;
    await tampered(async (tx) => {
      const row = await tx.auditEvent.findFirstOrThrow({ where: { seq } });
      const content = {
        at: row.at.toISOString(),
        actorId: row.actorId,
        actorRole: row.actorRole,
        action: "test.rewritten",
        entityType: row.entityType,
        entityId: row.entityId,
        before: row.before,
        after: row.after,
        requestId: row.requestId,
      };
      // A forger who rewrites the row and its hash (the chain after it no longer links, but the
      // checkpoint is where the walk starts): the checkpoint's own hash gives it away.
      const forgedHash = auditHash(row.prevHash, JSON.parse(canonicalJson(content)));
      await tx.$executeRawUnsafe(
        `UPDATE "AuditEvent" SET "action" = 'test.rewritten', "hash" = $1 WHERE "seq" = $2`,
        forgedHash,
        seq,
      );
      const verification = await verifyAuditNow(admin, tx);
      expect(verification).toMatchObject({ status: "BROKEN", brokenAt: seq, reason: "checkpoint-event-changed" });
    });
  });

  it("refuses a forged checkpoint: an inserted row or an edited seq or hash does not verify", async () => {
    const admin = await adminActor();
    await writeRows(admin, 2);
    const genuine = await verifyAuditNow(admin);
    const real = await db().auditCheckpoint.findUniqueOrThrow({ where: { id: genuine.checkpointId ?? 0n } });
    const { seqs } = await writeRows(admin, 3);
    const headRow = await db().auditEvent.findFirstOrThrow({ where: { seq: seqs[2] ?? 0n } });

    // Inserted: claims the head is verified, carrying the genuine checkpoint's signature.
    await tampered(async (tx) => {
      await tx.auditCheckpoint.create({
        data: {
          seq: headRow.seq,
          hash: headRow.hash,
          verifiedAt: real.verifiedAt,
          writtenBy: real.writtenBy,
          signature: real.signature,
        },
      });
      const found = await lastValidCheckpoint(tx);
      expect(found.checkpoint?.id).toBe(real.id);
      expect(found.forged).toHaveLength(1);
      expect((await auditIntegrityStatus(admin, tx)).forgedCheckpoints).toBe(1);
      const verification = await verifyAuditNow(admin, tx);
      expect(verification).toMatchObject({
        status: "BROKEN",
        reason: "checkpoint-signature-invalid",
        brokenAt: headRow.seq,
        checkpointId: null,
      });
    });

    // Edited: the genuine checkpoint moved forward (seq and hash of a later event).
    await tampered(async (tx) => {
      await tx.$executeRawUnsafe(
        `UPDATE "AuditCheckpoint" SET "seq" = $1, "hash" = $2 WHERE "id" = $3`,
        headRow.seq,
        headRow.hash,
        real.id,
      );
      const found = await lastValidCheckpoint(tx);
      expect(found.checkpoint?.id).not.toBe(real.id);
      expect(found.forged.map((c) => c.id)).toContain(real.id);
      expect((await verifyAuditNow(admin, tx)).reason).toBe("checkpoint-signature-invalid");
    });

    // Edited: one chain's head moved forward, the signed seq, root and signature left as they were.
    await tampered(async (tx) => {
      const heads = checkpointHeads(real).map((h) =>
        h.chain === headRow.chain
          ? { chain: h.chain, seq: headRow.seq.toString(), hash: headRow.hash }
          : { ...h, seq: h.seq.toString() },
      );
      await tx.$executeRawUnsafe(
        `UPDATE "AuditCheckpoint" SET "heads" = $1::jsonb WHERE "id" = $2`,
        JSON.stringify(heads),
        real.id,
      );
      const edited = await tx.auditCheckpoint.findUniqueOrThrow({ where: { id: real.id } });
      expect(checkpointVerifies(edited)).toBe(false);
      expect((await lastValidCheckpoint(tx)).forged.map((c) => c.id)).toContain(real.id);
    });
  });

  it("still starts from a checkpoint written before the trail had chains (chain 0's head)", async () => {
    const admin = await adminActor();
    const { seqs } = await writeRows(admin, 2, randomUUID(), testAuditAction("test.step"), [0]);
    const row = await db().auditEvent.findFirstOrThrow({ where: { seq: seqs[1] ?? 0n } });
    await tampered(async (tx) => {
      // As the application signed checkpoints then: v1, the seq and hash of the event itself, no heads.
      const fields = { seq: row.seq, hash: row.hash, verifiedAt: new Date(), writtenBy: "job" };
      const mac = createHmac("sha256", deriveCheckpointKey(authSecret()))
        .update(checkpointMessage(fields, "v1"), "utf8")
        .digest("hex");
      const legacy = await tx.auditCheckpoint.create({ data: { ...fields, signature: `v1:${mac}` } });
      expect(checkpointVerifies(legacy)).toBe(true);
      expect(checkpointHeads(legacy)).toEqual([{ chain: 0, seq: row.seq, hash: row.hash }]);
      // A v1 signature does not vouch for heads added to the row.
      const withHeads = { ...legacy, heads: [{ chain: 0, seq: row.seq.toString(), hash: row.hash }] };
      expect(checkpointVerifies(withHeads)).toBe(false);

      const verification = await verifyAuditNow(admin, tx);
      expect(verification).toMatchObject({ status: "VERIFIED", fromSeq: row.seq });
      const next = await tx.auditCheckpoint.findUniqueOrThrow({ where: { id: verification.checkpointId ?? 0n } });
      expect(checkpointHeads(next).find((h) => h.chain === 0)?.seq).toBeGreaterThanOrEqual(row.seq);
      expect(next.signature).toMatch(/^v2:/);
    });
  });

  it('the "AuditCheckpoint" table refuses UPDATE, DELETE and TRUNCATE', async () => {
    const admin = await adminActor();
    const { checkpointId } = await verifyAuditNow(admin);
    await expect(
      db().$executeRawUnsafe(`UPDATE "AuditCheckpoint" SET "seq" = "seq" + 1 WHERE "id" = $1`, checkpointId),
    ).rejects.toThrow(/append-only/);
    await expect(db().$executeRawUnsafe(`DELETE FROM "AuditCheckpoint" WHERE "id" = $1`, checkpointId)).rejects.toThrow(
      /append-only/,
    );
    await expect(db().$executeRawUnsafe(`TRUNCATE "AuditCheckpoint"`)).rejects.toThrow(/append-only/);
    expect(await db().auditCheckpoint.count({ where: { id: checkpointId ?? 0n } })).toBe(1);
  });
});

/** The chains the tampering tests write their rows in. */
const CHAIN = 4;
const OTHER_CHAIN = 9;

describe("full re-walk", () => {
  it("runs in the background from the start of the chain, storing its progress, and checkpoints the head", async () => {
    const admin = await adminActor();
    await writeRows(admin, 3);
    const { verification, created } = await requestFullVerification(admin);
    expect(created).toBe(true);
    expect(verification.status).toBe("QUEUED");
    // Asking again while it is queued returns the same walk.
    expect((await requestFullVerification(admin)).verification.id).toBe(verification.id);
    expect(
      await db().auditEvent.count({
        where: { action: "audit.full_verification_requested", entityId: verification.id },
      }),
    ).toBe(1);

    const [done] = await runQueuedFullVerifications(db(), 25);
    expect(done).toMatchObject({ id: verification.id, status: "VERIFIED", fromSeq: 0n });
    expect(done?.startedAt).toBeInstanceOf(Date);
    expect(done?.finishedAt).toBeInstanceOf(Date);
    const checkpoint = await db().auditCheckpoint.findUniqueOrThrow({ where: { id: done?.checkpointId ?? 0n } });
    expect(checkpoint.seq).toBe(done?.toSeq);
    expect(checkpointVerifies(checkpoint)).toBe(true);
    // Every event of every chain up to its head, counted from the start.
    expect(done?.checked).toBe(done?.total);
    expect(done?.total).toBe(await countBetween(db(), [], checkpointHeads(checkpoint)));
    const status = await auditIntegrityStatus(admin);
    expect(status.fullWalk).toMatchObject({ id: verification.id, status: "VERIFIED" });
  });

  it("stores its progress batch by batch, and a walk that stops part-way says so", async () => {
    const admin = await adminActor();
    await writeRows(admin, 60);
    const { verification } = await requestFullVerification(admin);
    // The database connection is lost after two batches of 20 rows.
    await expect(runQueuedFullVerifications(losingConnectionAfter(2), 20)).rejects.toThrow("connection lost");
    const row = await db().auditVerification.findUniqueOrThrow({ where: { id: verification.id } });
    expect(row).toMatchObject({ status: "FAILED", reason: "error", checked: 40, checkpointId: null });
    expect(row.total).toBeGreaterThan(60);
    expect((await auditIntegrityStatus(admin)).fullWalk).toMatchObject({ id: verification.id, status: "FAILED" });
  });

  it.each<[string, (tx: Tx, seqs: bigint[]) => Promise<bigint>]>([
    [
      "deleted",
      async (tx, seqs) => {
        const victim = seqs[1] ?? 0n;
        const after = await nextSeq(tx, CHAIN, victim);
        await tx.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = $1`, victim);
        return after;
      },
    ],
    [
      "inserted",
      async (tx, seqs) => {
        // A correctly hashed row slipped into the gap a rolled-back write left behind.
        const gap = seqs[1] ?? 0n;
        const previous = await tx.auditEvent.findFirstOrThrow({
          where: { chain: CHAIN, seq: { lt: gap } },
          orderBy: { seq: "desc" },
        });
        const after = await nextSeq(tx, CHAIN, gap);
        const content = {
          at: new Date().toISOString(),
          actorId: null,
          actorRole: null,
          action: "test.inserted",
          entityType: ENTITY,
          entityId: "inserted",
          before: null,
          after: null,
          requestId: null,
        };
        await tx.$executeRawUnsafe(
          `INSERT INTO "AuditEvent" ("seq", "chain", "at", "action", "entityType", "entityId", "prevHash", "hash")
           VALUES ($1, $2, $3::timestamptz, 'test.inserted', $4, 'inserted', $5, $6)`,
          gap,
          CHAIN,
          content.at,
          ENTITY,
          previous.hash,
          auditHash(previous.hash, content),
        );
        return after;
      },
    ],
    [
      "reordered",
      async (tx, seqs) => {
        const [a, b] = [seqs[0] ?? 0n, seqs[2] ?? 0n];
        await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = -1 WHERE "seq" = $1`, a);
        await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = $1 WHERE "seq" = $2`, a, b);
        await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "seq" = $1 WHERE "seq" = -1`, b);
        return a;
      },
    ],
    [
      "moved to another chain",
      async (tx, seqs) => {
        const moved = seqs[1] ?? 0n;
        await tx.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chain" = $1 WHERE "seq" = $2`, OTHER_CHAIN, moved);
        return moved;
      },
    ],
  ])("finds %s rows and writes no checkpoint", async (name, tamper) => {
    const admin = await adminActor();
    // Our rows are in CHAIN; rows of OTHER_CHAIN come between them in seq order.
    const first = await writeRows(admin, 1, randomUUID(), testAuditAction("test.step"), [CHAIN]);
    await writeRows(admin, 1, randomUUID(), testAuditAction("test.step"), [OTHER_CHAIN]);
    // A rolled-back write leaves a gap in seq between our rows (used by "inserted").
    let gapSeq = 0n;
    await db()
      .$transaction(async (tx) => {
        await chooseChain(tx, CHAIN);
        gapSeq = (await recordAudit(tx, admin, { action: testAuditAction("test.rolled_back"), entityType: ENTITY }))
          .seq;
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    const rest = await writeRows(admin, 4, randomUUID(), testAuditAction("test.step"), [CHAIN, OTHER_CHAIN]).then(
      ({ seqs }) => ({
        seqs: [seqs[0], seqs[2]],
      }),
    );
    const seqs = [first.seqs[0] ?? 0n, name === "inserted" ? gapSeq : (rest.seqs[0] ?? 0n), rest.seqs[1] ?? 0n];
    await tampered(async (tx) => {
      expect(await tx.auditEvent.count({ where: { seq: gapSeq } })).toBe(0);
      const expected = await tamper(tx, seqs);
      const checkpoints = await tx.auditCheckpoint.count();
      await requestFullVerification(admin, tx);
      const [done] = await runQueuedFullVerifications(tx, 100);
      expect(done).toMatchObject({
        status: "BROKEN",
        brokenAt: expected,
        reason: "prev-hash-mismatch",
        checkpointId: null,
      });
      expect(await tx.auditCheckpoint.count()).toBe(checkpoints);
      const status = await auditIntegrityStatus(admin, tx);
      expect(status.fullWalk).toMatchObject({ status: "BROKEN", brokenAt: expected });
      expect(status.broken).toMatchObject({ brokenAt: expected, kind: "FULL" });
      // Verifying on from the last checkpoint would pass over the break: it is reported again instead.
      const incremental = await verifyAuditNow(admin, tx);
      expect(incremental).toMatchObject({ status: "BROKEN", brokenAt: expected, checkpointId: null });
      expect(await tx.auditCheckpoint.count()).toBe(checkpoints);
    });
  });
});

describe("the audit trail viewer", () => {
  it("filters by record, actor, action and period, newest first", async () => {
    const admin = await adminActor();
    const other = await adminActor();
    const entityId = randomUUID();
    await writeRows(admin, 2, entityId, "program.definition_updated");
    await writeRows(other, 1, entityId, "registry_import.completed");

    const all = await listAuditEvents(admin, { entityType: ENTITY, entityId });
    expect(all.errors).toEqual({});
    expect(all.rows.map((r) => r.action)).toEqual([
      "registry_import.completed",
      "program.definition_updated",
      "program.definition_updated",
    ]);
    expect(all.rows[0]).toMatchObject({
      actorName: "Avery Lindqvist",
      roleLabel: "REMS administrator",
      actorEmail: other.email,
    });
    expect(all.rows[0]?.actionLabel).toBe("Registry import completed");

    const byActor = await listAuditEvents(admin, { entityId, actor: other.email.toUpperCase() });
    expect(byActor.rows.map((r) => r.actorEmail)).toEqual([other.email]);
    const byAction = await listAuditEvents(admin, { entityId, action: "program.definition_updated" });
    expect(byAction.errors).toEqual({});
    expect(byAction.rows.map((r) => r.actionLabel)).toEqual([
      "Programme definition updated",
      "Programme definition updated",
    ]);
    // An action the registry writes but this record never had: an empty page, not an error.
    const none = await listAuditEvents(admin, { entityId, action: "dispense.approved" });
    expect(none).toMatchObject({ errors: {}, rows: [] });

    const today = new Date().toISOString().slice(0, 10);
    expect((await listAuditEvents(admin, { entityId, from: today, to: today })).rows).toHaveLength(3);
    expect((await listAuditEvents(admin, { entityId, to: "2020-01-01" })).rows).toHaveLength(0);
    expect((await listAuditEvents(admin, { entityId, actor: `nobody-${randomUUID()}` })).rows).toHaveLength(0);
    expect((await listAuditEvents(admin, { entityId, entityType: "NoSuchType" })).rows).toHaveLength(0);
  });

  it("says so of an action no event has, keeping the other filters, and still finds an older link's action", async () => {
    const admin = await adminActor();
    const entityId = randomUUID();
    // An action the registry no longer writes but the trail holds (an earlier version's).
    const earlier = testAuditAction(`test.earlier_${randomUUID().slice(0, 8)}`);
    await writeRows(admin, 2, entityId, earlier);
    const old = await listAuditEvents(admin, { entityId, action: earlier });
    expect(old.errors).toEqual({});
    expect(old.rows).toHaveLength(2);

    const unknown = `test.never_${randomUUID().slice(0, 8)}`;
    const page = await listAuditEvents(admin, { entityId, action: unknown, from: "2026-01-01" });
    expect(page.errors).toEqual({
      action: [`No event in the audit trail has the action "${unknown}". Choose an action from the list.`],
    });
    expect(page.rows).toEqual([]);
    expect(page.query).toEqual({ entityId, action: unknown, from: "2026-01-01" });
    // Named alongside another filter's error, not instead of it.
    const both = await listAuditEvents(admin, { action: unknown, record: "nobody-here@example.test" });
    expect(Object.keys(both.errors).sort()).toEqual(["action", "record"]);
    // Text that cannot be an action at all, and the export: field errors, never a failure.
    expect((await listAuditEvents(admin, { action: "drop table" })).errors).toEqual({
      action: ["Choose an action from the list."],
    });
    const error = await appError(exportAuditCsv(admin, { action: unknown }, "/admin/audit/export.csv"));
    expect(error).toMatchObject({ code: "VALIDATION", details: { fields: { action: [expect.any(String)] } } });
  });

  it("pages by seq in both directions", async () => {
    const admin = await adminActor();
    const { entityId, seqs } = await writeRows(admin, 120);
    const newestFirst = [...seqs].reverse();
    const page1 = await listAuditEvents(admin, { entityId });
    expect(page1.rows.map((r) => r.seq)).toEqual(newestFirst.slice(0, 50));
    expect(page1.newer).toBeNull();
    const page2 = await listAuditEvents(admin, { entityId, before: String(page1.older) });
    expect(page2.rows.map((r) => r.seq)).toEqual(newestFirst.slice(50, 100));
    const page3 = await listAuditEvents(admin, { entityId, before: String(page2.older) });
    expect(page3.rows.map((r) => r.seq)).toEqual(newestFirst.slice(100));
    expect(page3.older).toBeNull();
    const back = await listAuditEvents(admin, { entityId, after: String(page2.newer) });
    expect(back.rows.map((r) => r.seq)).toEqual(newestFirst.slice(0, 50));
    expect(back.newer).toBeNull();
    expect(back.older).toBe(page1.older);
  });

  it("merges the events of every person an actor search matches, page by page", async () => {
    const tag = randomUUID().slice(0, 8);
    const people = await Promise.all(
      ["Quillon", "Quillan"].map(async (first) => (await signIn(await createUser({ name: `${first} ${tag}` }))).actor),
    );
    const entityId = randomUUID();
    const written: bigint[] = [];
    for (let i = 0; i < 30; i++) {
      for (const person of people) written.push(...(await writeRows(person, 1, entityId)).seqs);
    }
    const newestFirst = [...written].sort((a, b) => (a < b ? 1 : -1));
    const admin = await adminActor();
    const page1 = await listAuditEvents(admin, { actor: tag, entityId });
    expect(page1.rows.map((r) => r.seq)).toEqual(newestFirst.slice(0, 50));
    expect(new Set(page1.rows.map((r) => r.actorName))).toEqual(new Set([`Quillon ${tag}`, `Quillan ${tag}`]));
    const page2 = await listAuditEvents(admin, { actor: tag, entityId, before: String(page1.older) });
    expect(page2.rows.map((r) => r.seq)).toEqual(newestFirst.slice(50));
    expect(page2.older).toBeNull();
  });

  it("answers hostile filters with a field error or an empty page, never a failure", async () => {
    const admin = await adminActor();
    const cases: [Record<string, string | string[]>, string][] = [
      [{ actor: "x".repeat(100_000) }, "actor"],
      [{ actor: "nul\u0000byte" }, "actor"],
      [{ entityId: "lone\ud800surrogate" }, "entityId"],
      [{ entityType: "<script>alert(1)</script>" }, "entityType"],
      [{ entityId: "y".repeat(5000) }, "entityId"],
      [{ action: '\'; DROP TABLE "AuditEvent"; --' }, "action"],
      [{ from: "2026-02-30" }, "from"],
      [{ from: "yesterday" }, "from"],
      [{ to: "99999-01-01" }, "to"],
      [{ from: "2026-05-02", to: "2026-05-01" }, "to"],
    ];
    for (const [raw, field] of cases) {
      const page = await listAuditEvents(admin, raw);
      expect(page.errors[field], JSON.stringify(raw).slice(0, 80)).toBeDefined();
      expect(page.rows).toEqual([]);
    }
    const odd = await listAuditEvents(admin, { before: "not-a-number", after: "-5", entityId: ["a", "b"] });
    expect(odd.errors).toEqual({});
    expect(odd.query).toEqual({ entityId: "a" });
    await expect(exportAuditCsv(admin, { from: "2026-13-01" }, "/admin/audit/export.csv")).rejects.toMatchObject({
      code: "VALIDATION",
      details: { fields: { from: ["Enter a date as YYYY-MM-DD."] } },
    });
  });

  it("shows one event with its before and after values", async () => {
    const admin = await adminActor();
    const { seqs } = await writeRows(admin, 2);
    const event = await getAuditEvent(admin, String(seqs[1]));
    expect(event).toMatchObject({ before: { step: 0 }, after: { step: 1 }, actorEmail: admin.email });
    expect((await appError(getAuditEvent(admin, "12abc"))).code).toBe("NOT_FOUND");
    expect((await appError(getAuditEvent(admin, "999999999999999999"))).code).toBe("NOT_FOUND");
  });
});

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    chunks.push(value);
  }
}

const GOLDEN = path.resolve(__dirname, "../fixtures/audit-export.csv");

describe("the CSV export", () => {
  it("matches the golden file: quoting, formula cells neutralised, UTF-8 with a BOM when asked", async () => {
    const admin = await adminActor();
    const tag = randomUUID();
    const entityId = `=HYPERLINK("http://x.example/${tag}","open")`;
    const asker: Actor = { ...admin, requestId: `@request, "quoted"\r\n${tag}` };
    const writes = [
      { action: testAuditAction("test.export_created"), after: { name: "Zoë Ünal", note: '+1 555, "call"' } },
      {
        action: testAuditAction("test.export_changed"),
        before: { name: "Zoë Ünal" },
        after: { name: "-Zoë", formula: "=1+1" },
      },
    ];
    for (const w of writes) {
      // Each event in a millisecond of its own: the golden file names the two times apart.
      const started = Date.now();
      while (Date.now() === started) await new Promise((resolve) => setTimeout(resolve, 1));
      await db().$transaction((tx) => recordAudit(tx, asker, { ...w, entityType: ENTITY, entityId }));
    }
    const stored = await db().auditEvent.findMany({ where: { entityId }, orderBy: { seq: "desc" } });
    expect(stored).toHaveLength(2);

    const bytes = await readStream(await exportAuditCsv(admin, { entityId, bom: "1" }, "/admin/audit/export.csv"));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    let text = bytes.toString("utf8");
    // Stable placeholders for what differs run to run.
    stored.forEach((row, i) => {
      text = text
        .replaceAll(row.hash, `{hash${i}}`)
        .replaceAll(row.at.toISOString(), `{time${i}}`)
        .replace(new RegExp(`^(\\uFEFF)?${row.seq},`, "m"), `$1{seq${i}},`);
    });
    // The record's words cut its made-up id to a short reference: the tag's first 10 characters.
    text = text
      .replaceAll(tag, "{tag}")
      .replaceAll(`${tag.slice(0, 10)}…`, "{tag, cut}…")
      .replaceAll(admin.email, "{email}");
    if (process.env.UPDATE_GOLDEN === "1") await writeFile(GOLDEN, text);
    expect(text).toBe(await readFile(GOLDEN, "utf8"));
    expect(text.split("\r\n")[0]).toBe(`\uFEFF${AUDIT_CSV_HEADER.join(",")}`);

    const plain = await readStream(await exportAuditCsv(admin, { entityId }, "/admin/audit/export.csv"));
    expect(plain.subarray(0, 3).toString("utf8")).toBe("seq");
    expect(
      await db().auditEvent.count({ where: { action: "audit.exported", actorId: admin.userId } }),
    ).toBeGreaterThanOrEqual(2);
  });
});

describe("who may", () => {
  it("refuses everyone but administrators (403), and audits each refusal", async () => {
    const { actor: prescriber } = await signIn(await createUser({ role: "PRESCRIBER" }));
    const calls: [string, () => Promise<unknown>][] = [
      ["list", () => listAuditEvents(prescriber, {})],
      ["detail", () => getAuditEvent(prescriber, "1")],
      ["export", () => exportAuditCsv(prescriber, {}, "/admin/audit/export.csv")],
      ["status", () => auditIntegrityStatus(prescriber)],
      ["verify now", () => verifyAuditNow(prescriber)],
      ["full re-walk", () => requestFullVerification(prescriber)],
    ];
    for (const [name, call] of calls) {
      const error = await appError(call());
      expect(error.code, name).toBe("FORBIDDEN");
      expect(apiError(error, "test").status, name).toBe(403);
    }
    const denied = await db().auditEvent.findMany({
      where: { actorId: prescriber.userId, action: "authorization.denied" },
      orderBy: { seq: "asc" },
    });
    expect(denied.map((d) => d.entityId)).toEqual([
      "/admin/audit",
      "/admin/audit/1",
      "/admin/audit/export.csv",
      "audit:integrity",
      "audit:verify-now",
      "audit:full-verification",
    ]);
    expect(await db().auditVerification.count({ where: { requestedBy: `admin:${prescriber.userId}` } })).toBe(0);
  });
});

describe.runIf(resolveDatabaseConfig().kind === "postgres")("the jobs through pg-boss on PostgreSQL", () => {
  it("runs a requested full re-walk and the checkpoint job from the queue", async () => {
    const config = resolveDatabaseConfig();
    if (config.kind !== "postgres") return;
    const admin = await adminActor();
    const { verification } = await requestFullVerification(admin);
    const checkpointsBefore = await db().auditCheckpoint.count({ where: { writtenBy: "job" } });
    const runner = await startPgBossJobs(config.url, ["audit-full-verification", "audit-checkpoint"]);
    try {
      await runner.trigger("audit-full-verification");
      await runner.trigger("audit-checkpoint");
      const finished = async () =>
        (await db().auditVerification.findUniqueOrThrow({ where: { id: verification.id } })).finishedAt !== null &&
        (await db().auditCheckpoint.count({ where: { writtenBy: "job" } })) > checkpointsBefore;
      for (let i = 0; i < 80 && !(await finished()); i++) await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await runner.stop();
    }
    const done = await db().auditVerification.findUniqueOrThrow({ where: { id: verification.id } });
    expect(done).toMatchObject({ status: "VERIFIED" });
    expect(done.checked).toBe(done.total);
    expect(await db().auditCheckpoint.count({ where: { writtenBy: "job" } })).toBeGreaterThan(checkpointsBefore);
  }, 60_000);
});
