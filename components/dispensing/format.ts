import type { TDispenseStatus } from "@/lib/dispensing/schema";
import { DISPENSE_DECISION_LABELS, DISPENSE_STATUS_LABELS } from "@/lib/format";

/** The dispense statuses and decisions as people read them (one table, lib/format.ts). */
export const STATUS_LABELS: Record<TDispenseStatus, string> = DISPENSE_STATUS_LABELS;

export const DECISION_LABELS = DISPENSE_DECISION_LABELS;

export function authorizationPath(id: string): string {
  return `/pharmacy/authorizations/${id}`;
}

export function slipPath(id: string): string {
  return `/documents/dispense-authorizations/${id}/slip.pdf`;
}
