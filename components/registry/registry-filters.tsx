import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { CERTIFICATION_STATUS_LABELS, formatOrganisationType, formatStatus, PATIENT_STATUS_LABELS } from "@/lib/format";
import { REGISTRY_SORTS, type RegistryKind, type RegistrySort } from "@/lib/registry/rules";
import type { RegistryList } from "@/lib/registry/service";

const SORT_LABELS: Record<RegistrySort, string> = {
  name: "Name, A to Z",
  "name-desc": "Name, Z to A",
  newest: "Newest first",
  oldest: "Oldest first",
  identifier: "Identifier",
};

const CERTIFICATION_STATUSES = Object.keys(CERTIFICATION_STATUS_LABELS);
const PATIENT_STATUSES = Object.keys(PATIENT_STATUS_LABELS);
const TYPES: Partial<Record<RegistryKind, string[]>> = {
  pharmacies: ["SPECIALTY", "HOSPITAL", "RETAIL"],
  settings: ["INFUSION_CENTER", "HOSPITAL_OUTPATIENT", "PHYSICIAN_OFFICE"],
};

const SEARCH_HINTS: Record<RegistryKind, string> = {
  prescribers: "Start of the last or first name, NPI, certification number (RX-…) or e-mail address",
  patients: "Start of the last or first name, REMS id (PT-…) or e-mail address",
  pharmacies: "Part of the name or city, REMS id (PH-…), certification number (DP-…), NCPDP id, NPI or e-mail address",
  settings: "Part of the name or city, REMS id (HS-…), certification number (HC-…), NPI or e-mail address",
};

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="error">
      {message}
    </span>
  ) : null;
}

/** A filter typed as text, with its error under it (the patients' prescriber and setting). */
function TextFilter({ name, label, list }: { name: "prescriber" | "setting"; label: string; list: RegistryList }) {
  const error = list.fieldErrors[name];
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        maxLength={40}
        autoComplete="off"
        defaultValue={list.filters[name] ?? ""}
        aria-describedby={error ? `${name}-error` : undefined}
        aria-invalid={error ? true : undefined}
      />
      <FieldError id={`${name}-error`} message={error} />
    </div>
  );
}

/** A plain GET form: the filters live in the address, so a filtered list can be bookmarked. */
export function RegistryFilters({ list }: { list: RegistryList }) {
  const { kind, filters, fieldErrors } = list;
  const statuses = kind === "patients" ? PATIENT_STATUSES : CERTIFICATION_STATUSES;
  const types = TYPES[kind];
  return (
    <search aria-label="Search and filter">
      <form method="get" action={`/admin/registry/${kind}`} className="card">
        <div className={styles.filters}>
          <div className={`field ${styles.wide}`}>
            <label htmlFor="q">Search</label>
            <span id="q-hint" className="hint">
              {SEARCH_HINTS[kind]}
            </span>
            <input
              id="q"
              name="q"
              type="search"
              maxLength={100}
              defaultValue={filters.q ?? ""}
              aria-describedby={fieldErrors.q ? "q-hint q-error" : "q-hint"}
              aria-invalid={fieldErrors.q ? true : undefined}
            />
            <FieldError id="q-error" message={fieldErrors.q} />
          </div>
          <div className="field">
            <label htmlFor="program">Programme</label>
            <select id="program" name="program" defaultValue={filters.program ?? ""}>
              <option value="">Every programme</option>
              {list.programs.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="status">{kind === "patients" ? "Enrollment status" : "Certification status"}</label>
            <select id="status" name="status" defaultValue={filters.status ?? ""}>
              <option value="">Any status</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {formatStatus(s, kind === "patients" ? "patient" : "certification")}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="state">State</label>
            <input id="state" name="state" maxLength={2} autoComplete="off" defaultValue={filters.state ?? ""} />
          </div>
          {types ? (
            <div className="field">
              <label htmlFor="type">Type</label>
              <select id="type" name="type" defaultValue={filters.type ?? ""}>
                <option value="">Any type</option>
                {types.map((t) => (
                  <option key={t} value={t}>
                    {formatOrganisationType(t)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {kind === "patients" ? (
            <>
              <TextFilter name="prescriber" label="Prescriber's NPI" list={list} />
              <TextFilter name="setting" label="Healthcare setting's REMS id" list={list} />
            </>
          ) : null}
          <div className="field">
            <label htmlFor="sort">Sort by</label>
            <select id="sort" name="sort" defaultValue={filters.sort}>
              {REGISTRY_SORTS.map((s) => (
                <option key={s} value={s}>
                  {SORT_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" className="button">
          Search
        </button>{" "}
        <Link href={`/admin/registry/${kind}`}>Clear filters</Link>
      </form>
    </search>
  );
}
