import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { DisableMfaForm, EnrolTotpForm, RegenerateRecoveryCodesForm } from "@/components/auth/mfa-forms";
import { FormBanner } from "@/components/ui/field";
import { formatDateTime } from "@/lib/format";
import { getMfaState, MFA_SETUP_PATH, startTotpEnrolment } from "@/lib/auth/mfa";
import { RECOVERY_CODE_COUNT } from "@/lib/auth/mfa-rules";
import { ROLE_HOME } from "@/lib/auth/permissions";
import { getSignedInActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Account security" };

/**
 * Two-step sign-in for the signed-in person. Reached with the plain signed-in check (not the
 * enrolment gate), because a person whose role requires a factor is sent here to set one up.
 */
export default async function AccountSecurityPage({
  searchParams,
}: {
  searchParams: Promise<{ required?: string | string[] }>;
}) {
  const actor = await getSignedInActor();
  if (!actor) redirect(`/sign-in?next=${encodeURIComponent(MFA_SETUP_PATH)}`);
  const { required } = await searchParams;
  const state = await getMfaState(actor);
  const enrolment = state.enabled ? null : await startTotpEnrolment(actor);
  const home = ROLE_HOME[actor.role];
  return (
    <div className="narrow">
      <p>
        <Link href="/account">Your account</Link>
      </p>
      <h1>Account security</h1>
      {required === "1" && !state.enabled ? (
        <FormBanner kind="warn" id="mfa-required">
          {state.requiredByRole
            ? "Your role requires two-step sign-in. Set up an authenticator app below before you continue to the registry."
            : "Signing in this programme requires two-step sign-in. Set up an authenticator app below, then go back and sign."}
        </FormBanner>
      ) : null}
      {enrolment ? (
        <EnrolTotpForm qrSvg={enrolment.qrSvg} secret={enrolment.secret} continueHref={home} />
      ) : (
        <section className="card" aria-labelledby="mfa-on-heading">
          <h2 id="mfa-on-heading">Two-step sign-in is on</h2>
          <dl>
            <dt>Authenticator app</dt>
            <dd>Set up {state.enabledAt ? formatDateTime(state.enabledAt) : ""}</dd>
            <dt>Recovery codes left</dt>
            <dd data-testid="recovery-codes-left">
              {state.recoveryCodesLeft} of {RECOVERY_CODE_COUNT}
            </dd>
          </dl>
          {state.recoveryCodesLeft <= 3 ? (
            <FormBanner kind="warn">Few recovery codes are left: make new ones and keep them safe.</FormBanner>
          ) : null}
          <RegenerateRecoveryCodesForm continueHref={MFA_SETUP_PATH} />
          {state.requiredByRole ? (
            <p className="muted">Your role requires two-step sign-in, so it cannot be turned off.</p>
          ) : (
            <DisableMfaForm />
          )}
        </section>
      )}
    </div>
  );
}
