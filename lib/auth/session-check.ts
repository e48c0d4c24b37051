import { cache } from "react";
import { checkSession, type SessionCheck } from "./service";

/** Per request: the verdict of the last session check, kept so a refusal can say why. */
const verdictSlot = cache((): { check: SessionCheck | null } => ({ check: null }));

/**
 * The session row's verdict on a token's claims, asked once per request: both the Auth.js session
 * callback (which also answers GET /api/auth/session) and `getActor()` need it, and within one
 * server render React's cache lets them share one database read.
 */
export const checkSessionClaims = cache(async (userId: string, sessionId: string, sessionVersion: number) => {
  const check = await checkSession({ userId, sessionId, sessionVersion });
  verdictSlot().check = check;
  return check;
});

/**
 * Why this request's session was refused, when the session callback refused it (it then answers
 * like a signed-out request, so the reason is not in the session it returns). Null otherwise.
 */
export function lastSessionVerdict(): SessionCheck | null {
  return verdictSlot().check;
}
