import "server-only";
import type { Actor } from "../auth/actor";
import { can, type Permission } from "../auth/permissions";
import { recordAuthorizationFailure } from "../auth/service";
import { getActor } from "../auth/session";
import { AppError } from "../errors";
import { apiJson, handleApi } from "../http/api";

/**
 * The actor of an administration route handler: without a session a browser is sent to sign in
 * and other clients get 401; a signed-in person without the permission is audited and gets 403.
 * Returns a Response to answer with instead when access is refused by redirect.
 */
export async function adminRouteActor(request: Request, permission: Permission): Promise<Actor | Response> {
  const actor = await getActor();
  const url = new URL(request.url);
  if (!actor) {
    if (request.headers.get("accept")?.includes("text/html")) {
      const next = encodeURIComponent(`${url.pathname}${url.search}`);
      return new Response(null, { status: 303, headers: { location: `/sign-in?next=${next}` } });
    }
    throw new AppError("UNAUTHENTICATED", "Sign in to continue.");
  }
  if (!can(actor, permission)) {
    await recordAuthorizationFailure(actor, permission, url.pathname);
    throw new AppError("FORBIDDEN", "You do not have permission to do that.", { permission });
  }
  return actor;
}

/** A GET route handler answering JSON to administrators only (the live views poll these). */
export function adminJson(
  request: Request,
  permission: Permission,
  build: (actor: Actor, url: URL) => Promise<unknown>,
): Promise<Response> {
  return handleApi(request, async (requestId) => {
    const actor = await adminRouteActor(request, permission);
    if (actor instanceof Response) return actor;
    return apiJson(await build(actor, new URL(request.url)), { requestId });
  });
}
