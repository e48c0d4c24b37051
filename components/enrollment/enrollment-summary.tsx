import Link from "next/link";

type Row = {
  id: string;
  status: string;
  certificationNumber: string | null;
  program: { code: string; name: string };
};

const STATUS_TEXT: Record<string, string> = {
  DRAFT: "Enrollment started, not yet submitted",
  SUBMITTED: "Submitted, awaiting administrator review",
  CHANGES_REQUESTED: "Changes requested by the administrator",
  CERTIFIED: "Certified",
  REJECTED: "Rejected",
  SUSPENDED: "Suspended",
  DECERTIFIED: "Decertified",
  EXPIRED: "Certification expired",
};

export function EnrollmentSummary({ rows, who }: { rows: Row[]; who: string }) {
  if (rows.length === 0) {
    return (
      <div className="card">
        <h2>Certification</h2>
        <p>{who} is not enrolled in any programme yet.</p>
        <Link className="button" href="/sign-up">
          Learn how to enroll
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
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{r.program.name}</td>
              <td data-status={r.status}>{STATUS_TEXT[r.status] ?? r.status}</td>
              <td>{r.certificationNumber ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
