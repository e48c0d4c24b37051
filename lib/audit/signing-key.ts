import { authSecret } from "../auth/auth-secret";
import { deriveCheckpointKey } from "./checkpoint-signature";

let cachedKey: { secret: string; key: Buffer } | null = null;

/** The key that signs audit checkpoints and retention anchors, derived from AUTH_SECRET once per secret. */
export function checkpointKey(): Buffer {
  const secret = authSecret();
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: deriveCheckpointKey(secret) };
  return cachedKey.key;
}
