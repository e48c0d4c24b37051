import { ProgramField } from "./program-field";

type Programs = { code: string; name: string }[];

/**
 * Plain GET forms: the lookup works without JavaScript, and a result page can be bookmarked or
 * shared ("is this pharmacy certified?" is often asked by someone else).
 */
export function OrganisationSearchForm(props: { programs: Programs; program?: string; q?: string; error?: string }) {
  return (
    <form method="get" action="/lookup" className="card" aria-labelledby="org-search-heading">
      <h2 id="org-search-heading">Pharmacies and healthcare settings</h2>
      <ProgramField id="org-program" programs={props.programs} selected={props.program} />
      <div className="field">
        <label htmlFor="q">Name, city, NPI or NCPDP provider ID</label>
        <span id="q-hint" className="hint">
          For example “Main Street Pharmacy”, “Springfield”, a 10-digit NPI, a 7-digit NCPDP ID, or a REMS ID or
          certification number shown here (PH-…, HS-…, DP-…, HC-…).
        </span>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={props.q}
          maxLength={100}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? "q-hint q-error" : "q-hint"}
        />
        {props.error ? (
          <span id="q-error" className="error">
            {props.error}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button">
        Search organisations
      </button>
    </form>
  );
}

export function PrescriberSearchForm(props: { programs: Programs; program?: string; npi?: string; error?: string }) {
  return (
    <form method="get" action="/lookup" className="card" aria-labelledby="rx-search-heading">
      <h2 id="rx-search-heading">Prescribers</h2>
      <ProgramField id="rx-program" programs={props.programs} selected={props.program} />
      <div className="field">
        <label htmlFor="npi">Prescriber NPI</label>
        <span id="npi-hint" className="hint">
          The answer is only whether the prescriber is certified.
        </span>
        <input
          id="npi"
          name="npi"
          inputMode="numeric"
          autoComplete="off"
          defaultValue={props.npi}
          maxLength={14}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={props.error ? "npi-hint npi-error" : "npi-hint"}
        />
        {props.error ? (
          <span id="npi-error" className="error">
            {props.error}
          </span>
        ) : null}
      </div>
      <button type="submit" className="button">
        Check prescriber
      </button>
    </form>
  );
}
