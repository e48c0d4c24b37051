import type { RegistryKind } from "@/lib/registry/rules";

/**
 * Where a stakeholder's non-compliance cases go on its registry page (issue 11, point 4). It renders
 * nothing until the non-compliance module lands; that module fills it in here, with the same props.
 */
export function NonComplianceSlot(_props: { kind: RegistryKind; stakeholderId: string }) {
  return null;
}
