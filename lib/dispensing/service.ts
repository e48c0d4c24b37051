import { addDays } from "../calendar";
import { type Db, db } from "../db";
import { env } from "../env";
import { AppError, fieldErrorsFromZod } from "../errors";
import type { Prisma } from "../generated/prisma/client";
import { rateLimited } from "../http/api";
import { hitRateLimit } from "../http/rate-limit";
import { normalizeRemsId } from "../identifiers/rems-id";
import type { DispenseFacts, DispenseReason } from "./facts";
import { isUuid } from "../identifiers/uuid";
import {
  type TDispenseAuthorizationPage,
  type TDispenseAuthorizationView,
  ZListDispenseAuthorizations,
} from "./schema";
import { type DispenseCaller, type ServiceOptions, notFound, requireReader } from "./caller";
import { factsForPharmacy, viewSelect, withDuplicateNumbers, toView } from "./view";
import { byKey, keyOfId } from "./keys";

const detailSelect = {
  ...viewSelect,
  facts: true,
  pharmacy: { select: { name: true, ncpdpId: true, npi: true } },
  dispenseRecordedBy: true,
  reversedBy: true,
  apiKeyId: true,
  requestedByUserId: true,
} as const;

/** One of the caller's pharmacy's authorizations, read in its month's partition; NOT_FOUND otherwise. */
async function findOwn(client: Db, caller: DispenseCaller, id: string) {
  requireReader(caller);
  if (!isUuid(id)) throw notFound();
  const key = await keyOfId(client, id);
  const found = key
    ? await client.dispenseAuthorization.findFirst({
        where: { ...byKey(key).id_createdAt, pharmacyId: caller.pharmacyId },
        select: detailSelect,
      })
    : null;
  if (!found) throw notFound();
  return found;
}

export async function getDispenseAuthorization(
  caller: DispenseCaller,
  id: string,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationView> {
  return (await getDispenseAuthorizationDetails(caller, id, options)).view;
}

/** The stored facts and who asked, for the pharmacist's detail page and the slip. */
export async function getDispenseAuthorizationDetails(
  caller: DispenseCaller,
  id: string,
  options: ServiceOptions = {},
) {
  const client = options.client ?? db();
  const { facts, pharmacy, dispenseRecordedBy, reversedBy, apiKeyId, requestedByUserId, ...found } = await findOwn(
    client,
    caller,
    id,
  );
  const [row] = await withDuplicateNumbers(client, [found]);
  const view = toView(row ?? found, options.now ?? new Date());
  return {
    view,
    facts: factsForPharmacy(facts as unknown as DispenseFacts | null, found.reasons as unknown as DispenseReason[]),
    pharmacy,
    dispenseRecordedBy,
    reversedBy,
    apiKeyId,
    requestedByUserId,
  };
}

export async function listDispenseAuthorizations(
  caller: DispenseCaller,
  query: unknown,
  options: ServiceOptions = {},
): Promise<TDispenseAuthorizationPage> {
  requireReader(caller);
  const client = options.client ?? db();
  const now = options.now ?? new Date();
  const parsed = ZListDispenseAuthorizations.safeParse(query ?? {});
  if (!parsed.success) {
    throw new AppError("VALIDATION", "Check the filters.", { fields: fieldErrorsFromZod(parsed.error) });
  }
  const q = parsed.data;
  const where: Prisma.DispenseAuthorizationWhereInput = { pharmacyId: caller.pharmacyId };
  if (q.decision) where.decision = q.decision;
  if (q.status === "APPROVED") Object.assign(where, { status: "APPROVED", expiresAt: { gt: now } });
  else if (q.status === "EXPIRED") {
    where.OR = [{ status: "EXPIRED" }, { status: "APPROVED", expiresAt: { lte: now } }];
  } else if (q.status) where.status = q.status;
  if (q.patientRemsId) where.patientRemsId = normalizeRemsId(q.patientRemsId) ?? q.patientRemsId.toUpperCase();
  if (q.prescriptionId) where.prescriptionId = q.prescriptionId;
  if (q.from || q.to) {
    where.createdAt = {
      ...(q.from ? { gte: new Date(`${q.from}T00:00:00.000Z`) } : {}),
      ...(q.to ? { lt: new Date(`${addDays(q.to, 1)}T00:00:00.000Z`) } : {}),
    };
  }
  const [total, rows] = await Promise.all([
    client.dispenseAuthorization.count({ where }),
    client.dispenseAuthorization.findMany({
      where,
      select: viewSelect,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
    }),
  ]);
  const items = (await withDuplicateNumbers(client, rows)).map((r) => toView(r, now));
  return { items, page: q.page, pageSize: q.pageSize, total };
}

export function dispenseRateLimitPerMinute(): number {
  return env().DISPENSE_RATE_LIMIT_PER_MINUTE;
}

/** Per-caller limit (DISPENSE_RATE_LIMIT_PER_MINUTE); throws RATE_LIMITED with retryAfterSeconds. */
export async function enforceDispenseRateLimit(
  caller: DispenseCaller,
  options: ServiceOptions = {},
): Promise<{ limit: number; remaining: number }> {
  const limit = dispenseRateLimitPerMinute();
  const who = caller.kind === "apiKey" ? `key:${caller.apiKeyId}` : `user:${caller.actor.userId}`;
  const result = await hitRateLimit(options.client ?? db(), `dispense:${who}`, limit, 60, options.now);
  if (!result.allowed) {
    throw rateLimited(
      `Too many dispense requests from this ${caller.kind === "apiKey" ? "API key" : "account"}. Try again in ${result.retryAfterSeconds} seconds.`,
      result.retryAfterSeconds,
    );
  }
  return { limit, remaining: result.remaining };
}
