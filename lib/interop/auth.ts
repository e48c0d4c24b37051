/**
 * Who is calling a CDS Hooks service or the FHIR operation.
 *
 * - An EHR sends a CDS Hooks JWT (CDS Hooks 2.0 "Trusting CDS Clients"): signed by a configured
 *   issuer's key (CDS_HOOKS_ISSUERS: issuer → JWKS URL or inline JWKS), `aud` = the endpoint called
 *   (or the service base), `exp` at most five minutes after `iat`, and a `jti` never seen before
 *   (kept until the token expires, in the database, so every app instance refuses a replay).
 * - On the FHIR operation a pharmacy system may instead send its dispense-API key as the bearer;
 *   the pharmacy's own certification is then checked too.
 * - CDS_HOOKS_ALLOW_UNAUTHENTICATED (development, the demo) lets a call without Authorization in.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { type Db, db } from "../db";
import { authenticateApiKey } from "../dispensing/api-keys";
import { env, type TIssuerKeys } from "../env";
import { AppError } from "../errors";

export type InteropCaller =
  | { kind: "ehr"; issuer: string; subject: string | null }
  | { kind: "pharmacy"; pharmacyId: string; apiKeyId: string }
  | { kind: "unauthenticated" };

/** Algorithms CDS Hooks clients sign with; never "none" nor a shared secret. */
const ALGORITHMS = ["RS384", "ES384", "RS256", "ES256", "RS512", "ES512", "PS256", "PS384", "PS512"];
/** The longest life a token may have (exp − iat) and the clock skew tolerated. */
export const MAX_TOKEN_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;
/** Longer than any token's life (MAX_TOKEN_SECONDS + 2 × tolerance): see the jti check. */
const JTI_BUCKET_SECONDS = 600;

const keySets = new Map<string, JWTVerifyGetKey>();

function keySetFor(issuer: string, keys: TIssuerKeys): JWTVerifyGetKey {
  const cacheKey = `${issuer}\n${"jwksUrl" in keys ? keys.jwksUrl : JSON.stringify(keys.jwks)}`;
  let set = keySets.get(cacheKey);
  if (!set) {
    set =
      "jwksUrl" in keys
        ? createRemoteJWKSet(new URL(keys.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 })
        : createLocalJWKSet(keys.jwks as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(cacheKey, set);
  }
  return set;
}

function unauthenticated(message: string): AppError {
  return new AppError("UNAUTHENTICATED", message);
}

function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/** Verifies a CDS Hooks JWT; throws UNAUTHENTICATED saying what is wrong with it. */
export async function verifyEhrToken(
  token: string,
  audiences: readonly string[],
  options: { client?: Db; now?: Date } = {},
): Promise<InteropCaller> {
  let issuer: string;
  try {
    issuer = String(decodeJwt(token).iss ?? "");
  } catch {
    throw unauthenticated("The bearer token is not a readable JWT.");
  }
  const keys = env().CDS_HOOKS_ISSUERS[issuer];
  if (!issuer || !keys)
    throw unauthenticated(`The token's issuer${issuer ? ` "${issuer}"` : ""} is not configured here.`);
  const now = options.now ?? new Date();
  let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
  try {
    ({ payload } = await jwtVerify(token, keySetFor(issuer, keys), {
      issuer,
      audience: [...audiences],
      algorithms: ALGORITHMS,
      requiredClaims: ["iat", "exp", "jti"],
      maxTokenAge: MAX_TOKEN_SECONDS + CLOCK_TOLERANCE_SECONDS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw unauthenticated(tokenProblem(error));
    throw error;
  }
  const exp = payload.exp ?? 0;
  const iat = payload.iat ?? 0;
  if (exp - iat > MAX_TOKEN_SECONDS) {
    throw unauthenticated(`The token lives too long: exp must be at most ${MAX_TOKEN_SECONDS} seconds after iat.`);
  }
  const jti = String(payload.jti);
  if (jti.length > 256) throw unauthenticated("The token's jti is longer than 256 characters.");
  // A jti is used once. Each use is counted in a ten-minute bucket (rate_limit_hit, shared by every
  // instance); a token lives at most MAX_TOKEN_SECONDS plus the tolerance, so any earlier use of the
  // same jti is in this bucket or the one before.
  const key = `jwt-jti:${issuer}:${jti}`;
  const bucketMs = JTI_BUCKET_SECONDS * 1000;
  const bucket = new Date(Math.floor(now.getTime() / bucketMs) * bucketMs);
  const previous = new Date(bucket.getTime() - bucketMs);
  const rows = await (options.client ?? db()).$queryRaw<{ count: number; earlier: boolean }[]>`
    SELECT rate_limit_hit(${key}, ${bucket}::timestamptz) AS "count",
           EXISTS (SELECT 1 FROM "RateLimitBucket" b
                    WHERE b."key" = ${key} AND b."windowStart" = ${previous}::timestamptz) AS "earlier"`;
  const row = rows[0];
  if (Number(row?.count ?? 1) > 1 || row?.earlier === true) {
    throw unauthenticated("This token was already used (jti replayed); sign a new one.");
  }
  return { kind: "ehr", issuer, subject: typeof payload.sub === "string" ? payload.sub : null };
}

function tokenProblem(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return "The token has expired.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return "The token's aud is not this endpoint's URL.";
    return `The token's ${error.claim} claim is not acceptable (${error.reason}).`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "The token's signature does not verify.";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "No key of the issuer's JWKS matches the token's kid.";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "The token's signing algorithm is not accepted.";
  return "The token could not be verified.";
}

/**
 * The caller of an interop endpoint from its Authorization header. `audiences`: the URLs a token's
 * `aud` may name. `allowApiKey`: a non-JWT bearer is a pharmacy's dispense-API key (FHIR only).
 */
export async function authenticateInteropCaller(
  request: Request,
  requestId: string,
  input: { audiences: readonly string[]; allowApiKey: boolean; client?: Db; now?: Date },
): Promise<InteropCaller> {
  const authorization = request.headers.get("authorization");
  if (authorization === null) {
    if (env().CDS_HOOKS_ALLOW_UNAUTHENTICATED) return { kind: "unauthenticated" };
    throw unauthenticated(
      input.allowApiKey
        ? "Send a CDS Hooks JWT signed by a configured issuer, or your pharmacy's API key, as Authorization: Bearer <token>."
        : "Send a CDS Hooks JWT signed by a configured issuer as Authorization: Bearer <token>.",
    );
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (!token) throw unauthenticated("The Authorization header must be: Bearer <token>.");
  if (looksLikeJwt(token)) return verifyEhrToken(token, input.audiences, input);
  if (!input.allowApiKey) throw unauthenticated("The bearer token is not a JWT.");
  const caller = await authenticateApiKey(authorization, requestId, input.client);
  if (caller.kind !== "apiKey") throw unauthenticated("The bearer token is not valid.");
  return { kind: "pharmacy", pharmacyId: caller.pharmacyId, apiKeyId: caller.apiKeyId };
}

/** The URLs a token's aud may name for an endpoint: the endpoint itself and its service base. */
export function audiencesFor(pathname: string, base: string): string[] {
  const appUrl = env().APP_URL.replace(/\/+$/, "");
  let path = pathname;
  try {
    // "$rems-etasu" may arrive as "%24rems-etasu"; the token names the operation as written.
    path = decodeURIComponent(pathname);
  } catch {
    // Not valid percent-encoding: handleApi has refused the request already.
  }
  return [...new Set([`${appUrl}${pathname}`, `${appUrl}${path}`, `${appUrl}${base}`])];
}
