import { formatDate } from "@/lib/format";
import type { OrganisationResult } from "@/lib/lookup/service";

const KIND_LABELS: Record<OrganisationResult["kind"], string> = {
  pharmacy: "Pharmacy",
  healthcareSetting: "Healthcare setting",
};

export function OrganisationResults({
  query,
  programName,
  results,
  truncated,
}: {
  query: string;
  programName: string;
  results: OrganisationResult[];
  truncated: boolean;
}) {
  if (results.length === 0) {
    return (
      <section className="card" aria-labelledby="org-results-heading">
        <h2 id="org-results-heading">Results</h2>
        <p>
          No pharmacy or healthcare setting in the registry matches “{query}”. An organisation that is not in the
          registry is not certified for {programName}.
        </p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="org-results-heading">
      <h2 id="org-results-heading">Results</h2>
      <table>
        <caption className="muted" style={{ textAlign: "left" }}>
          {results.length} {results.length === 1 ? "organisation matches" : "organisations match"} “{query}” —{" "}
          {programName}
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Location</th>
            <th scope="col">Identifiers</th>
            <th scope="col">Certification</th>
          </tr>
        </thead>
        <tbody>
          {results.map((r) => (
            <tr key={`${r.kind}-${r.id}`} data-kind={r.kind}>
              <th scope="row">{r.name}</th>
              <td>{KIND_LABELS[r.kind]}</td>
              <td>{[r.city, r.state].filter(Boolean).join(", ") || "—"}</td>
              <td>
                {r.remsId ? <div>REMS ID {r.remsId}</div> : null}
                {r.npi ? <div>NPI {r.npi}</div> : null}
                {r.ncpdpId ? <div>NCPDP {r.ncpdpId}</div> : null}
                {!r.remsId && !r.npi && !r.ncpdpId ? "—" : null}
              </td>
              <td data-certified={r.certified}>
                {r.certified ? (
                  <>
                    <strong>Certified</strong>
                    {r.certificationNumber ? <div className="muted">No. {r.certificationNumber}</div> : null}
                    {r.certifiedOn ? <div className="muted">Since {formatDate(r.certifiedOn)}</div> : null}
                    {r.expiresOn ? <div className="muted">Valid until {formatDate(r.expiresOn)}</div> : null}
                  </>
                ) : (
                  <strong>Not certified</strong>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {truncated ? (
        <p className="muted">Only the first {results.length} matches are shown. Add more of the name or the city.</p>
      ) : null}
    </section>
  );
}

export function PrescriberResult({
  npi,
  certified,
  programName,
}: {
  npi: string;
  certified: boolean;
  programName: string;
}) {
  return (
    <section className="card" aria-labelledby="rx-result-heading">
      <h2 id="rx-result-heading">Result for NPI {npi}</h2>
      <p className={`banner ${certified ? "ok" : "warn"}`} data-testid="prescriber-result">
        <strong>{certified ? "Certified" : "Not certified"}</strong>
        {certified
          ? ` — this prescriber is certified for ${programName}.`
          : ` — this NPI has no current certification for ${programName}.`}
      </p>
    </section>
  );
}
