/**
 * Backups restore: on PostgreSQL a pg_dump taken while the registry keeps writing restores into a
 * fresh database with exactly the rows of the dump's snapshot and an audit chain that verifies and
 * ends where the dump's did; on the embedded database a copy of the stopped database's folder opens
 * with the same rows and chain. A restored chain that was tampered with is reported.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordAudit } from "../../lib/audit/service";
import { createPrismaClient } from "../../lib/db";
import { closePGlite } from "../../lib/db/adapters";
import type { DatabaseConfig } from "../../lib/db/config";
import { applyMigrations } from "../../lib/db/migrations";
import {
  auditChainHeads,
  checkRestored,
  copyPGliteFolder,
  dumpPostgres,
  restorePostgres,
  tableCounts,
} from "../../lib/ops/backup";
import { dropPostgresDatabase, recreatePostgresDatabase } from "../setup/postgres";

const ON_PGLITE = (process.env.DATABASE_URL ?? "").startsWith("pglite:");
const scratch: string[] = [];

afterAll(async () => {
  await closePGlite();
  for (const item of scratch) {
    if (item.startsWith("postgres")) await dropPostgresDatabase(item);
    else await rm(item, { recursive: true, force: true });
  }
});

/** A small registry: users and audited changes, through the app's own client. */
async function writeRegistry(config: DatabaseConfig, people: number) {
  const client = createPrismaClient(config);
  try {
    for (let i = 0; i < people; i++) {
      await client.$transaction(async (tx) => {
        const user = await tx.user.create({
          data: {
            email: `backup-${i}-${Date.now()}@test.local`,
            name: `Person ${i}`,
            passwordHash: "x",
            role: "PRESCRIBER",
          },
          select: { id: true },
        });
        // Spread over three of the trail's chains (each request's connection otherwise picks one).
        await tx.$executeRawUnsafe(`SELECT set_config('remsgate.audit_chain', '${i % 3}', true)`);
        await recordAudit(
          tx,
          { userId: null, role: null, requestId: `backup-${i}` },
          { action: "user.created_by_seed", entityType: "User", entityId: user.id, after: { name: `Person ${i}` } },
        );
      });
    }
  } finally {
    await client.$disconnect();
  }
}

function databaseUrl(suffix: string): string {
  const url = new URL(process.env.DATABASE_URL ?? "");
  url.pathname = `${url.pathname}_${suffix}`;
  return url.toString();
}

describe.runIf(!ON_PGLITE)("PostgreSQL: pg_dump and pg_restore", () => {
  it("restores exactly the dump's snapshot, and the chain verifies and ends where it did", async () => {
    const source = databaseUrl("backup_src");
    const target = databaseUrl("backup_dst");
    scratch.push(source, target);
    await recreatePostgresDatabase(source);
    await recreatePostgresDatabase(target);
    await applyMigrations({ kind: "postgres", url: source });
    await writeRegistry({ kind: "postgres", url: source }, 12);

    const dir = await mkdtemp(path.join(os.tmpdir(), "remsgate-backup-"));
    scratch.push(dir);
    const file = path.join(dir, "registry.dump");
    const manifest = await dumpPostgres(source, file);
    expect(manifest.counts.User).toBe(12);
    expect(manifest.counts.AuditEvent).toBeGreaterThanOrEqual(12);
    // The registry goes on after the dump: the restore holds the dump's snapshot, not these.
    await writeRegistry({ kind: "postgres", url: source }, 3);

    await restorePostgres(file, target);
    const check = await checkRestored({ kind: "postgres", url: target }, manifest);
    expect(check.differences).toEqual([]);
    expect(check.auditChain).toEqual({ ok: true, checked: manifest.counts.AuditEvent });
    // Every chain's last event, read in the dump's snapshot, is where the restored chain ends.
    expect(manifest.auditHeads?.length).toBeGreaterThan(1);
    expect(check.auditHeadDifferences).toEqual([]);
    expect(check.auditHeadMatches).toBe(true);
    expect(check.ok).toBe(true);

    // A manifest whose chain (not the newest event's) ended elsewhere: the restore does not match it.
    const newestChain = (manifest.auditHeads ?? []).reduce((a, b) => (BigInt(a.seq) > BigInt(b.seq) ? a : b));
    const other = (manifest.auditHeads ?? []).find((h) => h.chain !== newestChain.chain);
    expect(other).toBeDefined();
    const moved = {
      ...manifest,
      auditHeads: (manifest.auditHeads ?? []).map((h) =>
        h.chain === other?.chain ? { ...h, seq: String(BigInt(h.seq) - 1n) } : h,
      ),
    };
    const elsewhere = await checkRestored({ kind: "postgres", url: target }, moved);
    expect(elsewhere.auditHeadMatches).toBe(false);
    expect(elsewhere.ok).toBe(false);
    expect(elsewhere.auditHeadDifferences.map((d) => d.chain)).toEqual([other?.chain]);
    // A manifest written before chain heads were recorded is checked by its newest event.
    const older = await checkRestored(
      { kind: "postgres", url: target },
      { counts: manifest.counts, auditHead: manifest.auditHead },
    );
    expect(older.auditHeadMatches).toBe(true);
    expect(check.counts._prisma_migrations).toBeGreaterThan(10);

    // A restore whose trail was changed afterwards does not pass.
    const restored = createPrismaClient({ kind: "postgres", url: target });
    try {
      await restored.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
      await restored.$executeRawUnsafe(
        `UPDATE "AuditEvent" SET "action" = 'user.deleted' WHERE "seq" = (SELECT min("seq") FROM "AuditEvent")`,
      );
    } finally {
      await restored.$disconnect();
    }
    const tampered = await checkRestored({ kind: "postgres", url: target }, manifest);
    expect(tampered.ok).toBe(false);
    expect(tampered.auditChain).toMatchObject({ ok: false, reason: "content-hash-mismatch" });
  }, 120_000);
});

describe.runIf(ON_PGLITE)("embedded database: a copy of the stopped database's folder", () => {
  it("opens with the same rows and a chain that verifies", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "remsgate-pglite-backup-"));
    scratch.push(dir);
    const live: DatabaseConfig = { kind: "pglite", dir: path.join(dir, "live") };
    await applyMigrations(live);
    await writeRegistry(live, 8);
    const original = createPrismaClient(live);
    let counts: Record<string, number>;
    let head: { seq: bigint; hash: string } | null;
    let heads: Awaited<ReturnType<typeof auditChainHeads>>;
    try {
      counts = await tableCounts(original);
      head = await original.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
      heads = await auditChainHeads(original);
    } finally {
      await original.$disconnect();
    }
    const copy = path.join(dir, "copy");
    await copyPGliteFolder(live.dir, copy);
    const check = await checkRestored(
      { kind: "pglite", dir: copy },
      { counts, auditHead: head ? { seq: head.seq.toString(), hash: head.hash } : null, auditHeads: heads },
    );
    expect(heads.length).toBeGreaterThan(1);
    expect(check.auditHeadDifferences).toEqual([]);
    expect(check.differences).toEqual([]);
    expect(check.counts.User).toBe(8);
    expect(check.auditChain).toEqual({ ok: true, checked: counts.AuditEvent });
    expect(check.auditHeadMatches).toBe(true);
    expect(check.ok).toBe(true);
  }, 120_000);
});
