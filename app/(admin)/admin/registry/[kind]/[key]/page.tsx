import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/components/admin/admin.module.css";
import { HistorySection } from "@/components/registry/history-section";
import { NonComplianceSlot } from "@/components/registry/non-compliance-slot";
import { RegistryNav } from "@/components/registry/registry-nav";
import { requirePagePermission } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import {
  formatDate,
  formatDateTime,
  formatDenialReason,
  formatEnrollmentStatus,
  formatMailDelivery,
  formatRole,
  formatStatus,
  formatTestName,
  REGISTRY_LIST_LABELS,
} from "@/lib/format";
import { getProgramDefinition } from "@/lib/programs/registry";
import { isRegistryKind, REGISTRY_KIND_STAKEHOLDER } from "@/lib/registry/rules";
import { DETAIL_SECTIONS, type DetailSection } from "@/lib/registry/schema";
import { getStakeholderDetail } from "@/lib/registry/service";

export const metadata: Metadata = { title: "Stakeholder" };

type Props = {
  params: Promise<{ kind: string; key: string }>;
  searchParams: Promise<{ more?: string | string[] }>;
};

/** A path segment as typed; a malformed %-escape names no one (and must not fail the page). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}

function testName(programCode: string, code: string): string {
  return formatTestName(code, getProgramDefinition(programCode)?.monitoring?.testTypes ?? []);
}

export default async function StakeholderHistoryPage({ params, searchParams }: Props) {
  const { kind, key: rawKey } = await params;
  const key = safeDecode(rawKey);
  const path = `/admin/registry/${kind}/${encodeURIComponent(key)}`;
  const actor = await requirePagePermission("enrollment:read:any", path);
  if (!isRegistryKind(kind)) notFound();
  const { more: moreParam } = await searchParams;
  const more = DETAIL_SECTIONS.find((s) => s === moreParam) as DetailSection | undefined;
  const detail = await getStakeholderDetail(actor, kind, key, { more }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { stakeholder: s } = detail;
  const stakeholderKind = REGISTRY_KIND_STAKEHOLDER[kind];
  const common = { path, open: more };
  return (
    <>
      <p>
        <Link href="/admin/registry">Registry</Link> ›{" "}
        <Link href={`/admin/registry/${kind}`}>{REGISTRY_LIST_LABELS[kind]}</Link>
      </p>
      <h1>{s.name}</h1>
      <RegistryNav current={kind} />
      <section aria-labelledby="section-profile" className="card">
        <h2 id="section-profile">Profile</h2>
        <dl className={styles.details}>
          {[...s.identifiers, ...s.details].map((d) => (
            <div key={d.label} style={{ display: "contents" }}>
              <dt>{d.label}</dt>
              <dd>{d.value}</dd>
            </div>
          ))}
          {s.links.map((l) => (
            <div key={l.label} style={{ display: "contents" }}>
              <dt>{l.label}</dt>
              <dd>
                <Link href={`/admin/registry/${l.kind}/${encodeURIComponent(l.key)}`}>{l.name}</Link>
              </dd>
            </div>
          ))}
          <dt>Accounts</dt>
          <dd>
            {s.accounts.length
              ? s.accounts.map((a, i) => (
                  <span key={a.id}>
                    {i > 0 ? "; " : ""}
                    <Link href={`/admin/users/${a.id}`}>{a.name}</Link> ({a.email})
                  </span>
                ))
              : "No account"}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="section-enrollments">
        <h2 id="section-enrollments">Enrollments</h2>
        {detail.enrollments.length === 0 ? (
          <p className="muted">Not enrolled in any programme.</p>
        ) : (
          <div className={styles.tableWrap}>
            <table>
              <caption className="muted" style={{ textAlign: "left" }}>
                Enrollments by programme
              </caption>
              <thead>
                <tr>
                  <th scope="col">Programme</th>
                  <th scope="col">Status</th>
                  <th scope="col">Certification number</th>
                  <th scope="col">Submitted</th>
                  <th scope="col">Certified or enrolled</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Review and actions</th>
                </tr>
              </thead>
              <tbody>
                {detail.enrollments.map((e) => (
                  <tr key={e.id}>
                    <td>{e.program.name}</td>
                    <td>
                      {formatEnrollmentStatus(e.status, stakeholderKind)}
                      {e.statusReason ? ` — ${e.statusReason}` : ""}
                    </td>
                    <td>{e.certificationNumber ?? "—"}</td>
                    <td>{formatDate(e.submittedAt)}</td>
                    <td>{formatDate(e.certifiedAt)}</td>
                    <td>{formatDate(e.expiresAt)}</td>
                    <td>
                      {stakeholderKind === "PATIENT" ? (
                        "—"
                      ) : (
                        <Link href={`/admin/stakeholders/${e.id}`}>
                          Open the {e.program.code} certification (suspend, reinstate)
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <NonComplianceSlot kind={kind} stakeholderId={s.id} />

      <HistorySection
        {...common}
        id="events"
        title="Status changes"
        section={detail.events}
        empty="No status changes recorded."
        headers={["When", "Programme", "From", "To", "Reason", "By"]}
      >
        {detail.events.rows.map((e) => (
          <tr key={e.id}>
            <td>{formatDateTime(e.at)}</td>
            <td>{e.programCode}</td>
            <td>{e.fromStatus ? formatEnrollmentStatus(e.fromStatus, stakeholderKind) : "—"}</td>
            <td>{formatEnrollmentStatus(e.toStatus, stakeholderKind)}</td>
            <td>{e.reason ?? "—"}</td>
            <td>{e.actor ? `${e.actor.name} (${formatRole(e.actor.role)})` : "The registry"}</td>
          </tr>
        ))}
      </HistorySection>

      <HistorySection
        {...common}
        id="signatures"
        title="Signatures"
        section={detail.signatures}
        empty="No electronic signatures."
        headers={["Signed", "Printed name", "Meaning", "On"]}
      >
        {detail.signatures.rows.map((sig) => (
          <tr key={sig.id}>
            <td>{formatDateTime(sig.signedAt)}</td>
            <td>{sig.printedName}</td>
            <td>{sig.meaning}</td>
            <td>{sig.entityType === "StatusFormSubmission" ? "Patient Status Form" : "Enrollment form"}</td>
          </tr>
        ))}
      </HistorySection>

      <HistorySection
        {...common}
        id="authorizations"
        title="Dispense authorizations"
        section={detail.authorizations}
        empty="No dispense requests."
        headers={["Requested", "Authorization", "Status", "Pharmacy", "Patient", "Prescriber NPI", "Reasons"]}
      >
        {detail.authorizations.rows.map((a) => (
          <tr key={a.id}>
            <td>{formatDateTime(a.createdAt)}</td>
            <td>{a.authorizationNumber ?? `Denied request (prescription ${a.prescriptionId})`}</td>
            <td>
              {formatStatus(a.status, "dispense")}
              {a.enforcementDiscretion ? " (under enforcement discretion)" : ""}
            </td>
            <td>{a.pharmacy.name}</td>
            <td>{a.patientRemsId}</td>
            <td>{a.prescriberNpi}</td>
            <td>{a.reasonCodes.length ? a.reasonCodes.map(formatDenialReason).join("; ") : "—"}</td>
          </tr>
        ))}
      </HistorySection>

      {detail.infusions ? (
        <HistorySection
          {...common}
          id="infusions"
          title="Infusions"
          section={detail.infusions}
          empty="No infusions recorded."
          headers={["Day", "Course and day", "Dose", "Patient", "Healthcare setting", "Reaction"]}
        >
          {detail.infusions.rows.map((i) => (
            <tr key={i.id}>
              <td>{formatDate(i.infusedOn)}</td>
              <td>
                Course {i.courseNumber}, day {i.dayInCourse}
              </td>
              <td>{i.doseMg.toString()} mg</td>
              <td>{i.patient.remsId}</td>
              <td>{i.healthcareSetting.name}</td>
              <td>{i.reaction ? `Yes${i.reactionSeverity ? ` (${i.reactionSeverity})` : ""}` : "No"}</td>
            </tr>
          ))}
        </HistorySection>
      ) : null}

      {detail.labs ? (
        <HistorySection
          {...common}
          id="labs"
          title="Lab results"
          section={detail.labs}
          empty="No lab results recorded."
          headers={["Collected", "Test", "Result", "Source"]}
        >
          {detail.labs.rows.map((l) => (
            <tr key={l.id}>
              <td>{formatDate(l.collectedOn)}</td>
              <td>{testName(l.programCode, l.testCode)}</td>
              <td>{l.abnormal ? "Abnormal" : "Normal"}</td>
              <td>{l.source}</td>
            </tr>
          ))}
        </HistorySection>
      ) : null}

      <HistorySection
        {...common}
        id="emails"
        title="E-mails sent"
        section={detail.emails}
        empty={s.emails.length ? "No e-mail has been sent." : "No e-mail address on file."}
        headers={["Written", "To", "Subject", "Delivery"]}
      >
        {detail.emails.rows.map((m) => (
          <tr key={m.id}>
            <td>{formatDateTime(m.createdAt)}</td>
            <td>{m.to}</td>
            <td>{m.subject}</td>
            <td>{formatMailDelivery(m)}</td>
          </tr>
        ))}
      </HistorySection>
    </>
  );
}
