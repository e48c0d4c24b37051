import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { OpenCaseForm } from "@/components/noncompliance/open-case-form";
import { requirePagePermission } from "@/lib/auth/session";
import { findStakeholders, getStakeholderForNewCase } from "@/lib/noncompliance/service";

export const metadata: Metadata = { title: "Open a non-compliance case" };

type Search = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.slice(0, 100) ?? "";
}

export default async function NewCasePage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("noncompliance:manage:any", "/admin/non-compliance/new");
  const query = await searchParams;
  const q = first(query.q);
  const chosen = first(query.enrollmentId);
  const [results, stakeholder] = await Promise.all([
    q ? findStakeholders(actor, q) : Promise.resolve([]),
    chosen ? getStakeholderForNewCase(actor, chosen) : Promise.resolve(null),
  ]);
  return (
    <>
      <p>
        <Link href="/admin/non-compliance">Non-compliance cases</Link>
      </p>
      <h1>Open a non-compliance case</h1>
      {stakeholder ? (
        <section className="card" aria-labelledby="case-stakeholder-title">
          <h2 id="case-stakeholder-title">{stakeholder.name}</h2>
          <p className="muted">
            {stakeholder.kindLabel} · {stakeholder.programName}
            {stakeholder.identifiers.length
              ? ` · ${stakeholder.identifiers.map((i) => `${i.label} ${i.value}`).join(", ")}`
              : ""}
          </p>
          {stakeholder.caseTypes.length === 0 ? (
            <p>The programme defines no non-compliance case for this kind of stakeholder.</p>
          ) : (
            <OpenCaseForm enrollmentId={stakeholder.enrollmentId} caseTypes={stakeholder.caseTypes} />
          )}
        </section>
      ) : (
        <>
          <form method="get" className={styles.filters} aria-label="Find the stakeholder">
            <div className="field">
              <label htmlFor="stakeholder-q">Name, NPI, REMS id or certification number</label>
              <input id="stakeholder-q" name="q" type="search" maxLength={100} defaultValue={q} required />
            </div>
            <button type="submit" className="button">
              Find
            </button>
          </form>
          {chosen ? <p role="alert">There is no such stakeholder. Search again.</p> : null}
          {q ? (
            <p role="status" data-testid="stakeholder-count">
              {results.length === 0
                ? "No stakeholder matches."
                : `${results.length} stakeholder${results.length === 1 ? "" : "s"} found.`}
            </p>
          ) : null}
          {results.length ? (
            <div className={styles.tableWrap}>
              <table>
                <caption className="muted" style={{ textAlign: "left" }}>
                  Stakeholders matching “{q}”
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Identifiers</th>
                    <th scope="col">Programme</th>
                    <th scope="col">Status</th>
                    <th scope="col">Case</th>
                  </tr>
                </thead>
                <tbody>
                  {results.map((r) => (
                    <tr key={r.enrollmentId}>
                      <td>{r.name}</td>
                      <td>{r.kindLabel}</td>
                      <td>{r.identifiers.map((i) => `${i.label} ${i.value}`).join(", ") || "—"}</td>
                      <td>{r.programName}</td>
                      <td>{r.statusLabel}</td>
                      <td>
                        <Link href={`/admin/non-compliance/new?enrollmentId=${r.enrollmentId}`}>
                          Open a case against {r.name}
                        </Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      )}
    </>
  );
}
