import { createHmac, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointMessage, deriveCheckpointKey } from "../../lib/audit/checkpoint-signature";
import { type AuditContent, auditHash, canonicalJson, GENESIS_HASH } from "../../lib/audit/hash";
import { checkpointHeads, checkpointVerifies, verifySinceCheckpoint } from "../../lib/audit/integrity";
import { recordAudit, verifyAuditChain } from "../../lib/audit/service";
import { systemActor } from "../../lib/auth/actor";
import { authSecret } from "../../lib/auth/auth-secret";
import { createPrismaClient, disconnectDb } from "../../lib/db";
import { closePGlite, openPGlite } from "../../lib/db/adapters";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { listMigrations } from "../../lib/db/migrations";
import { testAuditAction } from "../factories/audit-actions";

afterAll(async () => {
  await disconnectDb();
});

const CHAINS_MIGRATION = "20261130090116_audit_chains";

/**
 * A trail written before chains existed, then the chains migration: run once, on an embedded
 * database of its own (the migrations are the same SQL on PostgreSQL).
 */
describe.runIf(resolveDatabaseConfig().kind === "pglite")("upgrading a one-chain trail to chains", () => {
  it("keeps every existing row and hash as chain 0, and verification goes on from the old checkpoint", async () => {
    const dir = `memory://audit-upgrade-${randomUUID()}`;
    const pg = await openPGlite(dir);
    const { migrationDirectories } = await listMigrations();
    const before = migrationDirectories.filter((m) => m.path < CHAINS_MIGRATION);
    const chains = migrationDirectories.find((m) => m.path === CHAINS_MIGRATION);
    if (chains?.migrationFile.content.tag !== "ok") throw new Error("the chains migration is missing");
    const later = migrationDirectories.filter((m) => m.path > CHAINS_MIGRATION);
    for (const m of before) {
      if (m.migrationFile.content.tag !== "ok") throw new Error(`cannot read ${m.path}`);
      await pg.exec(m.migrationFile.content.value);
    }

    // Three events through the one-chain audit_append, as the application wrote them then.
    for (let i = 0; i < 3; i++) {
      const content: AuditContent = {
        at: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
        actorId: null,
        actorRole: null,
        action: `test.before_chains_${i}`,
        entityType: "UpgradeTest",
        entityId: null,
        before: null,
        after: { i },
        requestId: null,
      };
      await pg.query(
        `SELECT * FROM audit_append(4242001, $1::timestamptz, null, null, $2, $3, null, null, $4::jsonb, null, $5)`,
        [content.at, content.action, content.entityType, JSON.stringify(content.after), canonicalJson(content)],
      );
    }
    const old = (
      await pg.query<{ seq: number; prevHash: string; hash: string }>(
        `SELECT "seq"::int AS "seq", "prevHash", "hash" FROM "AuditEvent" ORDER BY "seq"`,
      )
    ).rows;
    expect(old).toHaveLength(3);
    expect(old[0]?.prevHash).toBe(GENESIS_HASH);
    const head = old[2] as { seq: number; hash: string };
    // A checkpoint as the application signed them then (v1: the head's own seq and hash).
    const fields = { seq: BigInt(head.seq), hash: head.hash, verifiedAt: new Date(), writtenBy: "job" };
    const mac = createHmac("sha256", deriveCheckpointKey(authSecret()))
      .update(checkpointMessage(fields, "v1"), "utf8")
      .digest("hex");
    await pg.query(
      `INSERT INTO "AuditCheckpoint" ("seq", "hash", "verifiedAt", "writtenBy", "signature") VALUES ($1, $2, $3, $4, $5)`,
      [head.seq, head.hash, fields.verifiedAt.toISOString(), fields.writtenBy, `v1:${mac}`],
    );

    // The migration: the trigger that refuses UPDATE stays on, and nothing is rewritten. The later
    // ones (the trail partitioned by month among them) follow, as on an upgrade.
    await pg.exec(chains.migrationFile.content.value);
    for (const m of later) {
      if (m.migrationFile.content.tag !== "ok") throw new Error(`cannot read ${m.path}`);
      await pg.exec(m.migrationFile.content.value);
    }
    const client = createPrismaClient({ kind: "pglite", dir });
    try {
      const after = await client.auditEvent.findMany({ orderBy: { seq: "asc" } });
      expect(after.map((r) => ({ seq: Number(r.seq), prevHash: r.prevHash, hash: r.hash }))).toEqual(old);
      expect(after.map((r) => r.chain)).toEqual([0, 0, 0]);
      expect(await verifyAuditChain(client)).toEqual({ ok: true, checked: 3 });
      await expect(client.$executeRawUnsafe(`UPDATE "AuditEvent" SET "chain" = 1`)).rejects.toThrow(/append-only/);

      // New appends: chain 0 carries on from the old head; another chain starts from its own genesis.
      const onChain = async (chain: number) =>
        client.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT set_config('remsgate.audit_chain', ${String(chain)}, true)`;
          return recordAudit(tx, systemActor(), {
            action: testAuditAction("test.after_chains"),
            entityType: "UpgradeTest",
          });
        });
      const zero = await onChain(0);
      const five = await onChain(5);
      const rows = await client.auditEvent.findMany({ where: { seq: { in: [zero.seq, five.seq] } } });
      const bySeq = new Map(rows.map((r) => [r.seq, r]));
      expect(bySeq.get(zero.seq)).toMatchObject({ chain: 0, prevHash: head.hash });
      expect(bySeq.get(five.seq)).toMatchObject({ chain: 5, prevHash: `${"0".repeat(63)}5` });
      expect(bySeq.get(five.seq)?.hash).toBe(
        auditHash(`${"0".repeat(63)}5`, {
          at: bySeq.get(five.seq)?.at.toISOString() ?? "",
          actorId: null,
          actorRole: null,
          action: "test.after_chains",
          entityType: "UpgradeTest",
          entityId: null,
          before: null,
          after: null,
          requestId: bySeq.get(five.seq)?.requestId ?? null,
        }),
      );

      // The old checkpoint still anchors chain 0: the verification walks only the two new rows.
      const legacy = await client.auditCheckpoint.findFirstOrThrow();
      expect(checkpointVerifies(legacy)).toBe(true);
      const verification = await verifySinceCheckpoint(client, { writtenBy: "job" });
      expect(verification).toMatchObject({ status: "VERIFIED", fromSeq: BigInt(head.seq), checked: 2 });
      const next = await client.auditCheckpoint.findUniqueOrThrow({ where: { id: verification.checkpointId ?? 0n } });
      expect(checkpointHeads(next)).toEqual([
        { chain: 0, seq: zero.seq, hash: zero.hash },
        { chain: 5, seq: five.seq, hash: five.hash },
      ]);
    } finally {
      await client.$disconnect();
      await closePGlite(dir);
    }
  });
});
