/**
 * Every action the registry writes to the audit trail, in the groups the viewer's "Action" filter
 * shows them in. Writers take their `action` from this list (AuditInput), so a new kind of event
 * is added here first and the filter can never miss it or offer one the registry never writes.
 */
import { formatAuditAction } from "../format";

export const AUDIT_ACTION_GROUPS = [
  {
    label: "Accounts and sign-in",
    actions: [
      "auth.sign_in_failed",
      "auth.signed_in",
      "auth.signed_out",
      "auth.signed_out_everywhere",
      "auth.password_changed",
      "auth.password_reset_requested",
      "auth.password_reset",
      "auth.email_change_requested",
      "auth.email_changed",
      "mfa.enabled",
      "mfa.disabled",
      "mfa.recovery_code_used",
      "mfa.recovery_codes_regenerated",
      "mfa.reset_by_admin",
      "user.sign_up_requested",
      "user.signed_up",
      "user.admin_created",
      "user.created_by_invitation",
      "user.created_by_seed",
      "user.deactivated",
      "user.reactivated",
      "user.unlocked",
      "user.password_reset_forced",
      "user.session_ended",
      "user.sessions_ended",
      "administrator.requested",
      "administrator.request_approved",
      "administrator.request_declined",
      "invitation.created",
      "invitation.accepted",
      "invitation.revoked",
      "prescriber_delegate.linked",
      "patient.account_linked",
      "authorization.denied",
    ],
  },
  {
    label: "Enrollment and certification",
    actions: [
      "prescriber.created",
      "prescriber.updated",
      "pharmacy.created",
      "healthcare_setting.created",
      "enrollment.created",
      "enrollment.form_saved",
      "enrollment.training_acknowledged",
      "enrollment.training_unacknowledged",
      "enrollment.assessment_passed",
      "enrollment.assessment_failed",
      "enrollment.attestation_checked",
      "enrollment.attestation_unchecked",
      "enrollment.signed",
      "enrollment.progress_reset",
      "enrollment.claimed",
      "enrollment.claim_taken_over",
      "enrollment.claim_released",
      // The certification lifecycle's events (lib/certification/rules.ts CERTIFICATION_EVENTS).
      "enrollment.submit",
      "enrollment.approve",
      "enrollment.reject",
      "enrollment.request_changes",
      "enrollment.suspend",
      "enrollment.reinstate",
      "enrollment.decertify",
      "enrollment.expire",
      "enrollment.restart",
    ],
  },
  {
    label: "Patients and monitoring",
    actions: [
      "patient.enrolled",
      "patient.enrollment_signed",
      "patient.enrollment_cosigned",
      "patient.status_changed",
      "patient.transferred",
      "status_form.submitted",
      "adverse_event.reviewed",
      "lab_result.recorded",
      "lab_import.finished",
      "lab_import.interrupted",
    ],
  },
  {
    label: "Dispensing and infusions",
    actions: [
      "dispense.approved",
      "dispense.denied",
      "dispense.confirmed",
      "dispense.reversed",
      "dispense.revoked",
      "dispense.expired",
      "discretion.started",
      "discretion.ended",
      "discretion.followed_up",
      "infusion.record",
      "apikey.created",
      "apikey.revoked",
      "ncpdp.message_answered",
    ],
  },
  {
    label: "Non-compliance",
    actions: [
      "noncompliance.opened",
      // A case's steps (lib/noncompliance/rules.ts CASE_STEPS).
      "noncompliance.notice",
      "noncompliance.corrective_action",
      "noncompliance.suspend",
      "noncompliance.decertify",
      "noncompliance.reinstate",
      "noncompliance.close",
      "noncompliance.evidence_added",
      "noncompliance.evidence_downloaded",
    ],
  },
  {
    label: "Programme, imports and audit trail",
    actions: [
      "program.created",
      "program.definition_updated",
      "registry_import.batch_written",
      "registry_import.completed",
      "audit.verified",
      "audit.full_verification_requested",
      "audit.exported",
      "audit.retention_applied",
    ],
  },
] as const;

/** An action code the registry writes ("dispense.approved"). */
export type AuditAction = (typeof AUDIT_ACTION_GROUPS)[number]["actions"][number];

export const AUDIT_ACTIONS: readonly AuditAction[] = AUDIT_ACTION_GROUPS.flatMap((g) => g.actions);

const KNOWN: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

export function isAuditAction(value: string): value is AuditAction {
  return KNOWN.has(value);
}

export interface AuditActionChoice {
  value: AuditAction;
  label: string;
}

/** The filter's choices: each group in its order, its actions by their words. */
export const AUDIT_ACTION_CHOICES: readonly { label: string; choices: readonly AuditActionChoice[] }[] =
  AUDIT_ACTION_GROUPS.map((group) => ({
    label: group.label,
    choices: group.actions
      .map((value) => ({ value, label: formatAuditAction(value) }))
      .sort((a, b) => a.label.localeCompare(b.label, "en")),
  }));
