import { cache } from "react";
import { checkSession } from "./service";

/**
 * The session row's verdict on a token's claims, asked once per request: both the Auth.js session
 * callback (which also answers GET /api/auth/session) and `getActor()` need it, and within one
 * server render React's cache lets them share one database read.
 */
export const checkSessionClaims = cache((userId: string, sessionId: string, sessionVersion: number) =>
  checkSession({ userId, sessionId, sessionVersion }),
);
