import type { TDispenseStatus } from "@/lib/dispensing/schema";

export const STATUS_LABELS: Record<TDispenseStatus, string> = {
  APPROVED: "Approved, not yet dispensed",
  DENIED: "Denied",
  DISPENSED: "Dispensed",
  REVERSED: "Dispense reversed",
  EXPIRED: "Expired unused",
  REVOKED: "Revoked — do not dispense",
};

export const DECISION_LABELS = { APPROVED: "Approved", DENIED: "Denied" } as const;

export function authorizationPath(id: string): string {
  return `/pharmacy/authorizations/${id}`;
}

export function slipPath(id: string): string {
  return `/documents/dispense-authorizations/${id}/slip.pdf`;
}
