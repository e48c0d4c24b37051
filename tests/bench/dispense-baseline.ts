/**
 * The dispense-gate benchmark's baseline: the same request, the same decision and the same durable
 * writes as POST /api/v1/dispense-authorizations, on a bare node:http server with raw SQL through
 * `pg` — no Next.js, no Prisma. It answers the question "what does the framework cost?".
 *
 * Per request it does what the app does (lib/dispensing/http.ts, api-keys.ts, service.ts,
 * lib/http/rate-limit.ts, lib/audit/service.ts), statement for statement:
 *   SELECT the API key by its SHA-256 (lastUsedAt written at most once a minute, like the app);
 *   the rate-limit hit (same SQL function);
 *   BEGIN; the per-prescription and per-patient advisory locks; the one facts query (same SQL as loadFacts, with the
 *   Idempotency-Key check);
 *   decideDispense (the same pure function); INSERT the authorization (facts, reasons, warnings);
 *   the audit append (one call to the migration's audit_append: chooses a chain, takes its lock,
 *   reads its head, inserts); COMMIT, queued behind the append without waiting for its answer, as
 *   the app does.
 * The rate-limit hit is the migration's rate_limit_hit, like the app's.
 * The body and the Idempotency-Key are parsed with the same zod schemas. Left out: the proxy's
 * request id (made here), the session fallback, the retry on a unique violation (never hit: every
 * benchmark request has its own prescription and key), enforcement discretion (none is active;
 * the facts query still looks for it).
 *
 * BASELINE_AUDIT says what becomes of the audit append, so one run can price the chain:
 *   "chains" (default) as the app does it; "off" leaves it out (the gate without its audit trail,
 *   which the app may never do); "one-chain" sends every append to chain 0, the single chain every
 *   audited write queued on before the trail had several (the same statement after a
 *   transaction-local setting sent with BEGIN, no extra round trip).
 *
 * `node --import tsx tests/bench/dispense-baseline.ts` with BENCH_DATABASE_URL and PORT (3242).
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import pg from "pg";
import { canonicalJson, toJson } from "../../lib/audit/hash";
import type { DispenseFacts } from "../../lib/dispensing/facts";
import { apiKeyBarredMessage } from "../../lib/dispensing/revocation";
import { decideDispense, relevantTestCodes } from "../../lib/dispensing/rules";
import { type TDispenseRequest, ZDispenseRequest, ZIdempotencyKey } from "../../lib/dispensing/schema";
import { generateRemsId, normalizeRemsId } from "../../lib/identifiers/rems-id";
import { getProgramDefinition } from "../../lib/programs/registry";

const url = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/remsgate_bench";
const port = Number(process.env.PORT ?? 3242);
const rateLimit = Number(process.env.DISPENSE_RATE_LIMIT_PER_MINUTE ?? 600);
/** Same pool size as the app's PrismaPg adapter (lib/db/adapters.ts: max 10). */
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BASELINE_POOL_SIZE ?? 10) });

const AUDIT_MODES = ["chains", "off", "one-chain"] as const;
const auditMode = (process.env.BASELINE_AUDIT ?? "chains") as (typeof AUDIT_MODES)[number];
if (!AUDIT_MODES.includes(auditMode)) throw new Error(`BASELINE_AUDIT must be one of ${AUDIT_MODES.join(", ")}`);
/** audit_append keeps a transaction's chain in this setting: setting it first chooses chain 0. */
const BEGIN = auditMode === "one-chain" ? "BEGIN; SELECT set_config('remsgate.audit_chain', '0', true)" : "BEGIN";
const LAST_USED_RESOLUTION_MS = 60_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  extra: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    "x-request-id": requestId,
    ...extra,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function authenticate(authorization: string | undefined): Promise<{ id: string; pharmacyId: string }> {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match?.[1]) throw new HttpError(401, "UNAUTHENTICATED", "Send your pharmacy's API key");
  const keyHash = createHash("sha256").update(match[1], "utf8").digest("hex");
  const { rows } = await pool.query<{
    id: string;
    pharmacyId: string;
    revokedAt: Date | null;
    lastUsedAt: Date | null;
    standing: { status: string; programName: string }[] | null;
  }>(
    `SELECT k."id", k."pharmacyId", k."revokedAt", k."lastUsedAt",
            (SELECT json_agg(json_build_object('status', e."status"::text, 'programName', p."name"))
               FROM "Enrollment" e JOIN "Program" p ON p."id" = e."programId"
              WHERE e."pharmacyId" = k."pharmacyId") AS "standing"
       FROM "PharmacyApiKey" k WHERE k."keyHash" = $1`,
    [keyHash],
  );
  const row = rows[0];
  if (!row || row.revokedAt) throw new HttpError(401, "UNAUTHENTICATED", "This API key is not valid.");
  const barred = apiKeyBarredMessage(row.standing ?? []);
  if (barred) throw new HttpError(403, "FORBIDDEN", barred);
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await pool.query(
      `UPDATE "PharmacyApiKey" SET "lastUsedAt" = $2 WHERE "id" = $1 AND ("lastUsedAt" IS NULL OR "lastUsedAt" < $3)`,
      [row.id, new Date(now), new Date(now - LAST_USED_RESOLUTION_MS)],
    );
  }
  return row;
}

async function hitRateLimit(key: string, now: Date): Promise<{ allowed: boolean; remaining: number }> {
  const windowMs = 60_000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const { rows } = await pool.query<{ count: number }>("SELECT rate_limit_hit($1, $2::timestamptz) AS count", [
    key,
    windowStart,
  ]);
  const count = Number(rows[0]?.count ?? 1);
  return { allowed: count <= rateLimit, remaining: Math.max(0, rateLimit - count) };
}

/** The same statement as loadFacts in lib/dispensing/facts-query.ts (bounded facts, decision 007). */
const FACTS_SQL = `
SELECT
  (SELECT e."status"::text FROM "Enrollment" e
    WHERE e."programId" = $1::uuid AND e."pharmacyId" = $2::uuid) AS pharmacy_status,
  (SELECT json_build_object('id', p."id", 'status', e."status"::text)
     FROM "Prescriber" p
     LEFT JOIN "Enrollment" e ON e."prescriberId" = p."id" AND e."programId" = $1::uuid
    WHERE p."npi" = $3) AS prescriber,
  (SELECT json_build_object('id', s."id", 'status', e."status"::text)
     FROM "HealthcareSetting" s
     LEFT JOIN "Enrollment" e ON e."healthcareSettingId" = s."id" AND e."programId" = $1::uuid
    WHERE s."remsId" = $4 OR s."npi" = $4
       OR s."id" = (SELECT c."healthcareSettingId" FROM "Enrollment" c WHERE c."certificationNumber" = $4)
    LIMIT 1) AS setting,
  (SELECT json_build_object(
      'id', pt."id",
      'prescriberId', pt."prescriberId",
      'healthcareSettingId', pt."healthcareSettingId",
      'status', e."status"::text,
      'enrolledOn', to_char(COALESCE(e."certifiedAt", e."createdAt") AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
      'doseDates', (SELECT COALESCE(json_agg(to_char(i."infusedOn", 'YYYY-MM-DD') ORDER BY i."infusedOn"), '[]'::json)
                      FROM "Infusion" i WHERE i."patientId" = pt."id" AND i."programId" = $1::uuid),
      'results', (SELECT COALESCE(json_agg(json_build_object('testCode', c.code, 'collectedOn', to_char(r.day, 'YYYY-MM-DD'))
                                            ORDER BY c.n, r.day), '[]'::json)
                    FROM unnest($10::text[]) WITH ORDINALITY AS c(code, n)
                    CROSS JOIN LATERAL (
                      SELECT (SELECT max(l."collectedOn") FROM "LabResult" l
                               WHERE l."patientId" = pt."id" AND l."programId" = $1::uuid
                                 AND l."testCode" = c.code AND l."collectedOn" <= $11::date) AS by_today,
                             (SELECT max(l."collectedOn") FROM "LabResult" l
                               WHERE l."patientId" = pt."id" AND l."programId" = $1::uuid
                                 AND l."testCode" = c.code) AS latest) m
                    CROSS JOIN LATERAL (SELECT DISTINCT v.day FROM (VALUES (m.by_today), (m.latest)) v(day)
                                         WHERE v.day IS NOT NULL) r),
      'statusFormDates', (SELECT COALESCE(json_agg(to_char(f."submittedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD')), '[]'::json)
                            FROM (SELECT f."submittedAt" FROM "StatusFormSubmission" f
                                   WHERE f."patientId" = pt."id" AND f."programId" = $1::uuid
                                   ORDER BY f."submittedAt" DESC LIMIT 1) f),
      'committedUnits', (SELECT COALESCE(json_agg(json_build_object(
                            'on', to_char(d."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                            'units', COALESCE(d."dispensedQuantity", d."quantity"),
                            'authorizationNumber', d."authorizationNumber") ORDER BY d."createdAt"), '[]'::json)
                           FROM "DispenseAuthorization" d
                          WHERE d."patientId" = pt."id" AND d."programId" = $1::uuid
                            AND (d."status" = 'DISPENSED' OR (d."status" = 'APPROVED' AND d."expiresAt" > $8))
                            AND d."createdAt" >= COALESCE(
                              ((SELECT max(i."infusedOn") FROM "Infusion" i
                                 WHERE i."patientId" = pt."id" AND i."programId" = $1::uuid
                                   AND i."infusedOn" < (SELECT max(s."infusedOn") FROM "Infusion" s
                                                         WHERE s."patientId" = pt."id" AND s."programId" = $1::uuid
                                                           AND NOT EXISTS (SELECT 1 FROM "Infusion" b
                                                                            WHERE b."patientId" = pt."id"
                                                                              AND b."programId" = $1::uuid
                                                                              AND b."infusedOn" = s."infusedOn" - 1)))
                                + 1)::timestamp AT TIME ZONE 'UTC',
                              '-infinity'::timestamptz)))
     FROM "Patient" pt
     LEFT JOIN "Enrollment" e ON e."patientId" = pt."id" AND e."programId" = $1::uuid
    WHERE pt."remsId" = $5) AS patient,
  (SELECT json_build_object('id', d."id", 'number', d."authorizationNumber", 'expiresAt', d."expiresAt",
                            'createdAt', d."createdAt")
     FROM "DispenseAuthorizationClaim" c
     JOIN "DispenseAuthorization" d ON d."id" = c."id" AND d."createdAt" = c."createdAt"
    WHERE c."pharmacyId" = $2::uuid AND c."programCode" = $6
      AND c."prescriptionId" = $7 AND c."openApproval"
    LIMIT 1) AS duplicate,
  (SELECT x."id"::text FROM "EnforcementDiscretion" x
    WHERE x."programId" = $1::uuid AND x."startsAt" <= $8 AND x."endsAt" > $8
      AND x."endedAt" IS NULL
    ORDER BY x."startsAt" DESC LIMIT 1) AS discretion_id,
  EXISTS (SELECT 1 FROM "DispenseAuthorizationClaim" k
           WHERE k."pharmacyId" = $2::uuid AND k."idempotencyKey" = $9) AS seen`;

interface FactsRow {
  seen: boolean;
  pharmacy_status: string | null;
  prescriber: { id: string; status: string | null } | null;
  setting: { id: string; status: string | null } | null;
  patient: {
    id: string;
    prescriberId: string | null;
    healthcareSettingId: string | null;
    status: string | null;
    enrolledOn: string | null;
    doseDates: string[];
    results: { testCode: string; collectedOn: string }[];
    statusFormDates: string[];
    committedUnits: { on: string; units: number; authorizationNumber: string | null }[];
  } | null;
  duplicate: { id: string; expiresAt: string } | null;
  discretion_id: string | null;
}

const programIds = new Map<string, string>();

async function programId(code: string): Promise<string | null> {
  const cached = programIds.get(code);
  if (cached) return cached;
  const { rows } = await pool.query<{ id: string }>(`SELECT "id" FROM "Program" WHERE "code" = $1`, [code]);
  if (rows[0]) programIds.set(code, rows[0].id);
  return rows[0]?.id ?? null;
}

function requestHashOf(r: TDispenseRequest): string {
  const canonical = JSON.stringify([
    r.programCode,
    r.prescriberNpi,
    r.patientRemsId,
    r.healthcareSettingId,
    r.ndc,
    r.quantity,
    r.prescriptionId,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

type Answer =
  | { id: string; decision: "APPROVED"; authorizationNumber: string; expiresAt: string; warnings: unknown[] }
  | { id: string; decision: "DENIED"; reasons: unknown[]; warnings: unknown[] };

async function dispense(
  caller: { id: string; pharmacyId: string },
  idempotencyKey: string,
  request: TDispenseRequest,
  requestId: string,
): Promise<Answer> {
  const now = new Date();
  const program = getProgramDefinition(request.programCode);
  const requestHash = requestHashOf(request);
  const progId = program ? await programId(program.code) : null;
  if (!program || !progId) throw new HttpError(422, "VALIDATION", "Unknown programme (not part of the baseline).");
  const patientRemsId = normalizeRemsId(request.patientRemsId) ?? request.patientRemsId.toUpperCase();
  // Canonical already (ZDispenseRequest): a REMS ID (HS-…), a certification number (HC-…) or an NPI.
  const settingRef = request.healthcareSettingId;

  const client = await pool.connect();
  try {
    // BEGIN, the locks and the facts are queued back to back, as the app does (lib/db/sql.ts).
    const begun = client.query(BEGIN);
    begun.catch(() => undefined);
    const lockKey = `dispense:${caller.pharmacyId}:${program.code}:${request.prescriptionId}`;
    const locked = client.query(
      "SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0)), pg_advisory_xact_lock(hashtextextended($3, 0))",
      [`dispense-gate:${progId}`, lockKey, `dispense-patient:${program.code}:${patientRemsId}`],
    );
    locked.catch(() => undefined);
    const { rows } = await client.query<FactsRow>(FACTS_SQL, [
      progId,
      caller.pharmacyId,
      request.prescriberNpi,
      settingRef,
      patientRemsId,
      program.code,
      request.prescriptionId,
      now,
      idempotencyKey,
      relevantTestCodes(program),
      now.toISOString().slice(0, 10),
    ]);
    await begun;
    await locked;
    const row = rows[0];
    if (!row) throw new Error("the facts query returned no row");
    if (row.seen) throw new HttpError(409, "CONFLICT", "Replays are not part of the benchmark baseline.");
    if (row.duplicate) throw new HttpError(409, "CONFLICT", "Duplicates are not part of the benchmark baseline.");
    const p = row.patient;
    const facts: DispenseFacts = {
      programCode: program.code,
      ndc: request.ndc,
      quantity: request.quantity,
      pharmacy: { certificationStatus: row.pharmacy_status as never },
      prescriber: row.prescriber
        ? { id: row.prescriber.id, certificationStatus: row.prescriber.status as never }
        : null,
      patient: p
        ? {
            id: p.id,
            enrollmentStatus: p.status as never,
            prescriberId: p.prescriberId,
            healthcareSettingId: p.healthcareSettingId,
            doseDates: p.doseDates,
            results: p.results,
            statusFormDates: p.statusFormDates,
            enrolledOn: p.enrolledOn ?? now.toISOString().slice(0, 10),
            committedUnits: p.committedUnits.map((c) => ({ ...c, authorizationNumber: c.authorizationNumber ?? "" })),
          }
        : null,
      setting: row.setting ? { id: row.setting.id, certificationStatus: row.setting.status as never } : null,
      duplicate: null,
    };
    const decision = decideDispense(facts, program, now);
    const approved = decision.decision === "APPROVED";
    const id = randomUUID();
    const authorizationNumber = approved ? generateRemsId("DA") : null;
    const expiresAt = approved && decision.expiresOn ? new Date(`${decision.expiresOn}T23:59:59.999Z`) : null;
    // The insert, the audit append and the commit are queued back to back, as the app does.
    const inserted = client.query(
      `INSERT INTO "DispenseAuthorization" ("id", "authorizationNumber", "pharmacyId", "programId", "programCode",
         "prescriptionId", "prescriberNpi", "patientRemsId", "healthcareSettingRef", "ndc", "quantity", "prescriberId",
         "patientId", "healthcareSettingId", "decision", "status", "reasons", "warnings", "facts", "enforcementDiscretion",
         "expiresOn", "expiresAt", "idempotencyKey", "requestHash", "apiKeyId", "requestId")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, false, $20, $21,
         $22, $23, $24, $25)
       RETURNING "id", "createdAt"`,
      [
        id,
        authorizationNumber,
        caller.pharmacyId,
        progId,
        request.programCode,
        request.prescriptionId,
        request.prescriberNpi,
        patientRemsId,
        request.healthcareSettingId,
        request.ndc,
        request.quantity,
        row.prescriber?.id ?? null,
        p?.id ?? null,
        row.setting?.id ?? null,
        decision.decision,
        approved ? "APPROVED" : "DENIED",
        JSON.stringify(decision.reasons),
        JSON.stringify(decision.warnings),
        JSON.stringify(facts),
        approved ? decision.expiresOn : null,
        expiresAt,
        idempotencyKey,
        requestHash,
        caller.id,
        requestId,
      ],
    );
    inserted.catch(() => undefined);

    // The audit chain, as lib/audit/service.ts recordAudit writes it (content, hash and append);
    // COMMIT is queued right behind the append, as the app does (lib/db/sql.ts, thenCommit).
    let appended: Promise<unknown> = Promise.resolve();
    if (auditMode !== "off") {
      const after = toJson({
        by: `apiKey:${caller.id}`,
        pharmacyId: caller.pharmacyId,
        programCode: request.programCode,
        prescriptionId: request.prescriptionId,
        patientRemsId,
        decision: decision.decision,
        authorizationNumber,
        reasons: decision.reasons.map((r) => r.code),
        warnings: decision.warnings.map((r) => r.code),
        enforcementDiscretion: false,
        duplicateOfId: null,
      });
      const content = {
        at: new Date().toISOString(),
        actorId: null,
        actorRole: null,
        action: approved ? "dispense.approved" : "dispense.denied",
        entityType: "DispenseAuthorization",
        entityId: id,
        before: null,
        after,
        requestId,
      };
      appended = client.query(
        "SELECT seq, hash FROM audit_append($1, NULL, NULL, $2, $3, $4, NULL, $5::jsonb, $6, $7)",
        [
          new Date(content.at),
          content.action,
          content.entityType,
          content.entityId,
          JSON.stringify(after),
          requestId,
          canonicalJson(content),
        ],
      );
      appended.catch(() => undefined);
    }
    const committed = client.query("COMMIT");
    committed.catch(() => undefined);
    await inserted;
    await appended;
    await committed;
    return approved
      ? {
          id,
          decision: "APPROVED",
          authorizationNumber: authorizationNumber ?? "",
          expiresAt: (expiresAt ?? new Date(0)).toISOString(),
          warnings: decision.warnings,
        }
      : { id, decision: "DENIED", reasons: decision.reasons, warnings: decision.warnings };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = String(req.headers["x-request-id"] ?? randomUUID());
  try {
    if (req.url === "/api/health") {
      await pool.query("SELECT 1");
      send(res, 200, { status: "ok" }, requestId);
      return;
    }
    if (req.method !== "POST" || req.url !== "/api/v1/dispense-authorizations") {
      throw new HttpError(404, "NOT_FOUND", "Not found");
    }
    const caller = await authenticate(req.headers.authorization);
    const limit = await hitRateLimit(`dispense:key:${caller.id}`, new Date());
    const headers = { "ratelimit-limit": String(rateLimit), "ratelimit-remaining": String(limit.remaining) };
    if (!limit.allowed) throw new HttpError(429, "RATE_LIMITED", "Too many dispense requests from this API key.");
    const key = ZIdempotencyKey.safeParse(req.headers["idempotency-key"]);
    if (!key.success) throw new HttpError(400, "BAD_REQUEST", "Send an Idempotency-Key header");
    if (!/^application\/json\b/i.test(String(req.headers["content-type"] ?? ""))) {
      throw new HttpError(400, "BAD_REQUEST", "Send the body as JSON");
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      throw new HttpError(400, "BAD_REQUEST", "The body is not valid JSON");
    }
    const parsed = ZDispenseRequest.safeParse(body);
    if (!parsed.success) throw new HttpError(422, "VALIDATION", "Check the dispense request");
    const program = getProgramDefinition(parsed.data.programCode);
    const ndcDigits = parsed.data.ndc.replace(/-/g, "");
    const ndc = program?.ndcs.find((n) => n.replace(/-/g, "") === ndcDigits) ?? parsed.data.ndc;
    const answer = await dispense(caller, key.data, { ...parsed.data, ndc }, requestId);
    send(res, 200, answer, requestId, { ...headers, location: `/api/v1/dispense-authorizations/${answer.id}` });
  } catch (error) {
    if (error instanceof HttpError) {
      send(res, error.status, { error: { code: error.code, message: error.message } }, requestId);
      return;
    }
    console.error(error);
    send(res, 500, { error: { code: "INTERNAL", message: "Something went wrong" } }, requestId);
  }
}

const server = createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.log(`baseline listening on http://127.0.0.1:${port}`));

function stop() {
  server.close();
  void pool.end().finally(() => process.exit(0));
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
