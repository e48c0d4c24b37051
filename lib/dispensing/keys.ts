/**
 * Dispense authorizations are partitioned by month of createdAt (migration
 * 20261130150000_dispense_partitions, docs/scaling.md). An authorization is found in one partition
 * by its key — id and createdAt — and its claim (DispenseAuthorizationClaim, one unpartitioned row
 * per authorization, kept by a trigger) gives the key from the id, the DA- number or the
 * (pharmacy, Idempotency-Key). Reading by id alone works too, but probes every month's index.
 */
import type { DbOrTx } from "../db";

export interface AuthorizationKey {
  id: string;
  createdAt: Date;
}

/** Prisma's unique selector for one authorization. */
export function byKey(key: AuthorizationKey) {
  return { id_createdAt: { id: key.id, createdAt: key.createdAt } };
}

const keySelect = { id: true, createdAt: true } as const;

/** The key of the authorization with this id, or null when there is none. */
export function keyOfId(client: DbOrTx, id: string): Promise<AuthorizationKey | null> {
  return client.dispenseAuthorizationClaim.findUnique({ where: { id }, select: keySelect });
}

/** The key of the authorization with this number (DA-…), or null. */
export function keyOfNumber(client: DbOrTx, authorizationNumber: string): Promise<AuthorizationKey | null> {
  return client.dispenseAuthorizationClaim.findUnique({ where: { authorizationNumber }, select: keySelect });
}

/** The key of the request a pharmacy sent with this Idempotency-Key, or null. */
export function keyOfIdempotencyKey(
  client: DbOrTx,
  pharmacyId: string,
  idempotencyKey: string,
): Promise<AuthorizationKey | null> {
  return client.dispenseAuthorizationClaim.findUnique({
    where: { pharmacyId_idempotencyKey: { pharmacyId, idempotencyKey } },
    select: keySelect,
  });
}
