import type { Role } from "../generated/prisma/enums";

/** Who is acting: resolved on the server for every request, passed to every service. */
export interface Actor {
  userId: string;
  role: Role;
  email: string;
  name: string;
  pharmacyId: string | null;
  healthcareSettingId: string | null;
  sessionId: string | null;
  requestId: string;
}

/** Who an audit row names: a user, or the system (userId null) for jobs, the seed and CLI commands. */
/**
 * Who an audit row names. A pharmacy system calling with an API key has no account: `apiKeyId`
 * names the key (stored as actor "apiKey:<id>", role API_KEY, and shown as the key and its pharmacy).
 */
export type AuditActor = { userId: string | null; role: Role | null; requestId: string; apiKeyId?: string };

export function systemActor(requestId = `system-${Date.now()}`): AuditActor {
  return { userId: null, role: null, requestId };
}
