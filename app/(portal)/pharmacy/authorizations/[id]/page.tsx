import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDateTime } from "@/lib/format";
import { ConfirmDispenseForm, ReverseDispenseForm } from "@/components/dispensing/confirm-dispense-form";
import { DiscretionBanner } from "@/components/dispensing/discretion-banner";
import styles from "@/components/dispensing/dispensing.module.css";
import { DECISION_LABELS, slipPath } from "@/components/dispensing/format";
import { pageCaller } from "@/components/dispensing/page-caller";
import { ReasonGroups } from "@/components/dispensing/reasons";
import { DispenseStatusBadge } from "@/components/dispensing/status-badge";
import { FactsSummary } from "@/components/dispensing/facts-summary";
import { FormBanner } from "@/components/ui/field";
import { requirePagePermission } from "@/lib/auth/session";
import { getDispenseAuthorizationDetails } from "@/lib/dispensing/service";
import { isAppError } from "@/lib/errors";
import { getProgramDefinition } from "@/lib/programs/registry";

export const metadata: Metadata = { title: "Dispense authorization" };

export default async function AuthorizationPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { confirmed } = await searchParams;
  const actor = await requirePagePermission("dispense:read:org", `/pharmacy/authorizations/${id}`);
  const { caller, message } = pageCaller(actor);
  if (!caller) return <FormBanner kind="warn">{message}</FormBanner>;
  const details = await getDispenseAuthorizationDetails(caller, id).catch((error: unknown) => {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const a = details.view;
  const program = getProgramDefinition(a.programCode);
  const unit = program?.drug.dispenseUnit ?? "unit";
  const now = new Date();
  const usable = a.status === "APPROVED" && a.expiresAt !== null && new Date(a.expiresAt) > now;
  return (
    <div className={styles.printable}>
      <p className={styles.noPrint}>
        <Link href="/pharmacy/authorizations">Dispense authorizations</Link>
      </p>
      <h1>
        {a.authorizationNumber ? (
          <>
            Authorization <span className={styles.mono}>{a.authorizationNumber}</span>
          </>
        ) : (
          `Denied request for prescription ${a.prescriptionId}`
        )}
      </h1>
      <div className={styles.noPrint}>
        <DiscretionBanner />
      </div>
      {confirmed === "1" && a.status === "DISPENSED" ? (
        <div className={styles.noPrint} data-testid="dispense-confirmed">
          <FormBanner kind="ok">
            <strong>Dispense confirmed.</strong> {a.dispensedQuantity ?? a.quantity} {unit}
            {(a.dispensedQuantity ?? a.quantity) === 1 ? "" : "s"}, lot {a.lotNumber ?? "—"}, dispensed{" "}
            {formatDateTime(a.dispensedAt)}. Authorization {a.authorizationNumber} is now used and cannot be used again.
          </FormBanner>
        </div>
      ) : null}
      <section className="card" aria-labelledby="decision-heading">
        <h2 id="decision-heading">Decision</h2>
        <p>
          <strong className={a.decision === "DENIED" ? styles.denied : undefined}>{DECISION_LABELS[a.decision]}</strong>{" "}
          on {formatDateTime(a.requestedAt)} · <DispenseStatusBadge status={a.status} />
        </p>
        {a.status === "REVOKED" && a.revocationReason ? (
          <FormBanner kind="error">
            <strong>Revoked{a.revokedAt ? ` on ${formatDateTime(a.revokedAt)}` : ""} — do not dispense.</strong>{" "}
            <span data-testid="revocation-reason">{a.revocationReason.message}</span>
          </FormBanner>
        ) : null}
        {a.enforcementDiscretion ? (
          <FormBanner kind="warn">
            <strong>Approved under enforcement discretion.</strong> The warnings below would normally have denied this
            dispense; they still have to be resolved, and the REMS administrator follows up on this authorization.
          </FormBanner>
        ) : null}
        {a.reasons.length ? (
          <>
            <h3>Why it was denied</h3>
            <ReasonGroups reasons={a.reasons} headingLevel={4} testId="reasons" />
          </>
        ) : null}
        {a.warnings.length ? (
          <>
            <h3>Warnings</h3>
            <ReasonGroups reasons={a.warnings} headingLevel={4} testId="warnings" />
          </>
        ) : null}
        {a.decision === "APPROVED" && a.status !== "REVOKED" ? (
          <p className={styles.noPrint}>
            <a href={slipPath(a.id)}>Print / download slip (PDF)</a>
          </p>
        ) : null}
      </section>
      <section className="card" aria-labelledby="facts-heading">
        <h2 id="facts-heading">Request</h2>
        <dl className={styles.details}>
          <dt>Programme</dt>
          <dd>{program?.name ?? a.programCode}</dd>
          <dt>Prescription number</dt>
          <dd>{a.prescriptionId}</dd>
          <dt>Patient REMS ID</dt>
          <dd>{a.patientRemsId}</dd>
          <dt>Prescriber NPI</dt>
          <dd>{a.prescriberNpi}</dd>
          <dt>Healthcare setting</dt>
          <dd>{a.healthcareSettingId}</dd>
          <dt>NDC</dt>
          <dd>{a.ndc}</dd>
          <dt>Quantity</dt>
          <dd>
            {a.quantity} {unit}
            {a.quantity === 1 ? "" : "s"}
          </dd>
          <dt>Requested</dt>
          <dd>{formatDateTime(a.requestedAt)}</dd>
          {a.expiresAt ? (
            <>
              <dt>Valid until</dt>
              <dd>{formatDateTime(a.expiresAt)}</dd>
            </>
          ) : null}
          {a.dispensedAt ? (
            <>
              <dt>Dispensed</dt>
              <dd>
                {formatDateTime(a.dispensedAt)}: {a.dispensedQuantity ?? "—"} {unit}
                {a.dispensedQuantity === 1 ? "" : "s"}, lot {a.lotNumber ?? "—"}
              </dd>
            </>
          ) : null}
          {a.reversedAt ? (
            <>
              <dt>Reversed</dt>
              <dd>
                {formatDateTime(a.reversedAt)}: {a.reversalReason ?? "—"}
              </dd>
            </>
          ) : null}
          {a.duplicateOfId ? (
            <>
              <dt>Earlier authorization</dt>
              <dd>
                <Link href={`/pharmacy/authorizations/${a.duplicateOfId}`} data-testid="duplicate-of">
                  {a.duplicateOfNumber ?? "Open the approved authorization"}
                </Link>
              </dd>
            </>
          ) : null}
        </dl>
      </section>
      <section className="card" aria-labelledby="checked-heading">
        <h2 id="checked-heading">What was checked</h2>
        <p className="muted">
          The registry&apos;s records when the request was decided
          {details.apiKeyId ? ", asked by your pharmacy system (API key)" : ""}.
        </p>
        <FactsSummary facts={details.facts} />
      </section>
      {usable ? (
        <section className={`card ${styles.noPrint}`} aria-labelledby="confirm-heading">
          <h2 id="confirm-heading">Confirm the dispense</h2>
          <p className="muted">Once the product has left the pharmacy, record what was sent.</p>
          <ConfirmDispenseForm
            authorizationId={a.id}
            quantity={a.quantity}
            unit={unit}
            nowUtc={now.toISOString().slice(0, 16)}
          />
        </section>
      ) : null}
      {a.status === "DISPENSED" ? (
        <section className={`card ${styles.noPrint}`} aria-labelledby="reverse-heading">
          <h2 id="reverse-heading">Reverse the dispense</h2>
          <p className="muted">If the product was not picked up or was returned, reverse the dispense.</p>
          <ReverseDispenseForm authorizationId={a.id} />
        </section>
      ) : null}
    </div>
  );
}
