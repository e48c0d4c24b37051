/**
 * Auth.js (next-auth v5): Credentials sign-in, JWT sessions. The token only carries who and which
 * session; `getActor()` re-checks that session in the database on every request.
 */
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { env } from "../env";
import { isAppError } from "../errors";
import { clientIp } from "../http/client-ip";
import { authSecret } from "./auth-secret";
import { isMfaCodeRequired } from "./mfa";
import { authenticate, newRequestId } from "./service";
import { checkSessionClaims } from "./session-check";

/** What the sign-in action answers when the password was right and the account's code is needed. */
export const MFA_CODE_REQUIRED = "MFA_CODE_REQUIRED";

/** Carries our specific, user-safe message through Auth.js to the sign-in action. */
export class SignInRefused extends CredentialsSignin {
  constructor(
    override readonly code: string,
    readonly userMessage: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(userMessage);
  }
}

// A lazy configuration: the secret is checked when the first request needs it, not at build time.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: authSecret(),
  trustHost: true,
  session: { strategy: "jwt", maxAge: env().SESSION_MAX_HOURS * 3600 },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" }, code: { type: "text" } },
      async authorize(credentials, request) {
        try {
          const result = await authenticate(
            { email: credentials.email, password: credentials.password, code: credentials.code || undefined },
            {
              ip: clientIp(request.headers),
              userAgent: request.headers.get("user-agent"),
              requestId: request.headers.get("x-request-id") ?? newRequestId(),
            },
          );
          return {
            id: result.user.id,
            email: result.user.email,
            name: result.user.name,
            role: result.user.role,
            sessionId: result.sessionId,
            sessionVersion: result.user.sessionVersion,
          };
        } catch (error) {
          if (isAppError(error)) {
            const code = isMfaCodeRequired(error) ? MFA_CODE_REQUIRED : error.code;
            throw new SignInRefused(code, error.message, error.details?.fields);
          }
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        const u = user as typeof user & { role: string; sessionId: string; sessionVersion: number };
        token.uid = u.id;
        token.role = u.role;
        token.sid = u.sessionId;
        token.sv = u.sessionVersion;
      }
      return token;
    },
    /**
     * Also answers GET /api/auth/session: a token whose session row is gone, revoked, idle, expired
     * or signed out everywhere gets `null`, the signed-out answer, not the name and role it carries.
     */
    async session({ session, token }) {
      // Auth.js types the callback as always returning a session; `null` is what it answers signed out.
      const signedOut = null as unknown as typeof session;
      if (!token.uid || !token.sid) return signedOut;
      try {
        const check = await checkSessionClaims(String(token.uid), String(token.sid), Number(token.sv ?? -1));
        if (!check.ok) return signedOut;
      } catch {
        // The database cannot be asked: answer what the token claims, so that getActor(), which
        // re-checks through the same cached call, raises the outage rather than a silent sign-out.
      }
      return {
        ...session,
        user: {
          ...session.user,
          id: String(token.uid ?? ""),
          role: String(token.role ?? ""),
          sessionId: String(token.sid ?? ""),
          sessionVersion: Number(token.sv ?? -1),
        },
      };
    },
  },
  logger: {
    // A refused sign-in is an expected outcome (already audited), not a server error.
    error(error: Error) {
      if (error instanceof CredentialsSignin) return;
      console.error(error);
    },
  },
}));
