import { createAdapterFactory } from "./db/adapters";
import { type DatabaseConfig, resolveDatabaseConfig } from "./db/config";
import { PrismaClient } from "./generated/prisma/client";

export type Db = PrismaClient;
/** The client inside `db().$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
/** Either the client or a transaction client: what read helpers accept. */
export type DbOrTx = PrismaClient | Tx;

const globalForPrisma = globalThis as unknown as { __remsgatePrisma?: PrismaClient };

export function createPrismaClient(config: DatabaseConfig = resolveDatabaseConfig()): PrismaClient {
  return new PrismaClient({
    adapter: createAdapterFactory(config),
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
  });
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
