import Link from "next/link";
import styles from "./enrollment.module.css";
import { formatStatus } from "@/lib/format";

type Row = {
  id: string;
  status: string;
  certificationNumber: string | null;
  program: { code: string; name: string };
};

function nextAction(row: Row): { href: string; label: string } {
  if (row.status === "DRAFT") return { href: `/enroll/${row.program.code}`, label: "Continue enrollment" };
  if (row.status === "CHANGES_REQUESTED") {
    return { href: `/enroll/${row.program.code}`, label: "Make the requested changes" };
  }
  return { href: `/enrollment/${row.id}`, label: "View enrollment status" };
}

/** The dashboard's certification card: each enrollment's status and the next thing to do. */
export function EnrollmentSummary({ rows, who }: { rows: Row[]; who: string }) {
  if (rows.length === 0) {
    return (
      <div className="card">
        <h2>Certification</h2>
        <p>{who} is not enrolled in any programme yet.</p>
        <Link className="button" href="/enroll">
          Start enrollment
        </Link>
      </div>
    );
  }
  return (
    <div className="card">
      <h2>Certification</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Programme</th>
            <th scope="col">Status</th>
            <th scope="col">Certification number</th>
            <th scope="col">Next step</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const action = nextAction(r);
            return (
              <tr key={r.id}>
                <td>{r.program.name}</td>
                <td data-status={r.status}>{formatStatus(r.status)}</td>
                <td>{r.certificationNumber ?? "—"}</td>
                <td>
                  <Link href={action.href}>
                    {action.label}
                    <span className={styles.visuallyHidden}> for {r.program.name}</span>
                  </Link>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        <Link href="/enrollment">Enrollment details and history</Link>
      </p>
    </div>
  );
}
