import type { AuditAction } from "../../lib/audit/action-codes";

/**
 * An action the registry never writes, for the tests of the trail's storage (chains, hashes,
 * partitions, export quoting) that tell their own rows apart by it: the trail stores any text, and
 * only the registry's writers are held to the catalogue (lib/audit/action-codes.ts).
 */
export function testAuditAction(name: `test.${string}`): AuditAction {
  return name as AuditAction;
}
