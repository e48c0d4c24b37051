import { createAdapterFactory, sqlDriverFor } from "./db/adapters";
import { type DatabaseConfig, resolveDatabaseConfig } from "./db/config";
import type { SqlDriver } from "./db/sql";
import { PrismaClient } from "./generated/prisma/client";

export type Db = PrismaClient;
/** The client inside `db().$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
/** Either the client or a transaction client: what read helpers accept. */
export type DbOrTx = PrismaClient | Tx;

const globalForPrisma = globalThis as unknown as {
  __remsgatePrisma?: PrismaClient;
  __remsgateSql?: WeakMap<PrismaClient, SqlDriver>;
};

/**
 * Per process, not per module copy: Next bundles this module into each of its server layers (route
 * handlers, server actions, pages), and they share one client (db()).
 */
globalForPrisma.__remsgateSql ??= new WeakMap<PrismaClient, SqlDriver>();
const sqlDrivers = globalForPrisma.__remsgateSql;

export function createPrismaClient(config: DatabaseConfig = resolveDatabaseConfig()): PrismaClient {
  const adapter = createAdapterFactory(config);
  const client = new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 20_000 } });
  sqlDrivers.set(
    client,
    sqlDriverFor(adapter, () => client.$connect()),
  );
  return client;
}

/** Plain SQL (lib/db/sql.ts) on `client`'s connections, for the hot paths that skip the Prisma runtime. */
export function sqlOf(client: PrismaClient): SqlDriver {
  const driver = sqlDrivers.get(client);
  if (!driver) throw new Error("plain SQL needs a client made by createPrismaClient");
  return driver;
}

/** The process-wide client (one per process; survives hot reload in development). */
export function db(): PrismaClient {
  globalForPrisma.__remsgatePrisma ??= createPrismaClient();
  return globalForPrisma.__remsgatePrisma;
}

/** Closes the process-wide client (scripts and tests). */
export async function disconnectDb(): Promise<void> {
  const client = globalForPrisma.__remsgatePrisma;
  globalForPrisma.__remsgatePrisma = undefined;
  if (client) await client.$disconnect();
  const { disconnectReplica } = await import("./db/replica");
  await disconnectReplica();
  const { closePGlite } = await import("./db/adapters");
  await closePGlite();
}
