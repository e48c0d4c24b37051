import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { formatOrganisationType, formatStatus } from "@/lib/format";
import { REGISTRY_SORTS, type RegistryKind, type RegistrySort } from "@/lib/registry/rules";
import type { RegistryList } from "@/lib/registry/service";

const SORT_LABELS: Record<RegistrySort, string> = {
  name: "Name, A to Z",
  "name-desc": "Name, Z to A",
  newest: "Newest first",
  oldest: "Oldest first",
  identifier: "Identifier",
};

const CERTIFICATION_STATUSES = [
  "DRAFT",
  "SUBMITTED",
  "CHANGES_REQUESTED",
  "CERTIFIED",
  "REJECTED",
  "SUSPENDED",
  "DECERTIFIED",
  "EXPIRED",
];
const PATIENT_STATUSES = ["DRAFT", "ENROLLED", "NOT_AUTHORIZED", "DISENROLLED"];
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

/** A plain GET form: the filters live in the address, so a filtered list can be bookmarked. */
export function RegistryFilters({ list }: { list: RegistryList }) {
  const { kind, filters, fieldErrors } = list;
  const statuses = kind === "patients" ? PATIENT_STATUSES : CERTIFICATION_STATUSES;
  const types = TYPES[kind];
  const describedBy = (name: "q" | "prescriber" | "setting", hint?: string) =>
    [hint ? `${name}-hint` : null, fieldErrors[name] ? `${name}-error` : null].filter(Boolean).join(" ") || undefined;
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
              aria-describedby={describedBy("q", "hint")}
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
              <div className="field">
                <label htmlFor="prescriber">Prescriber's NPI</label>
                <input
                  id="prescriber"
                  name="prescriber"
                  inputMode="numeric"
                  maxLength={40}
                  defaultValue={filters.prescriber ?? ""}
                  aria-describedby={describedBy("prescriber")}
                  aria-invalid={fieldErrors.prescriber ? true : undefined}
                />
                <FieldError id="prescriber-error" message={fieldErrors.prescriber} />
              </div>
              <div className="field">
                <label htmlFor="setting">Healthcare setting's REMS id</label>
                <input
                  id="setting"
                  name="setting"
                  maxLength={40}
                  defaultValue={filters.setting ?? ""}
                  aria-describedby={describedBy("setting")}
                  aria-invalid={fieldErrors.setting ? true : undefined}
                />
                <FieldError id="setting-error" message={fieldErrors.setting} />
              </div>
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
