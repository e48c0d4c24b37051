import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { TextField } from "@/components/ui/field";
import { type AuditFilters, MAX_ACTOR_QUERY, MAX_ENTITY_ID } from "@/lib/audit/schema";
import type { FieldErrors } from "@/lib/errors";

/** Record types the registry writes to the trail (a suggestion list; any well-formed type is accepted). */
const ENTITY_TYPES = [
  "AdministratorRequest",
  "DispenseAuthorization",
  "EnforcementDiscretion",
  "Enrollment",
  "HealthcareSetting",
  "Infusion",
  "Invitation",
  "LabImport",
  "LabResult",
  "Patient",
  "Pharmacy",
  "PharmacyApiKey",
  "Prescriber",
  "PrescriberDelegate",
  "Program",
  "Route",
  "StatusFormSubmission",
  "User",
];

/** A plain GET form: the filters live in the address, so a filtered trail can be bookmarked. */
export function AuditFilterForm({ filters, errors }: { filters: AuditFilters; errors: FieldErrors }) {
  const error = (key: string) => errors[key]?.[0];
  return (
    <search aria-label="Filter the audit trail">
      <form method="get" action="/admin/audit" className="card" noValidate>
        <div className={styles.filters}>
          <TextField
            id="actor"
            name="actor"
            label="Actor"
            hint="Part of a name or e-mail address"
            type="search"
            maxLength={MAX_ACTOR_QUERY}
            defaultValue={filters.actor ?? ""}
            error={error("actor")}
          />
          <TextField
            id="entityType"
            name="entityType"
            label="Record type"
            hint="Such as Enrollment or User"
            list="entity-types"
            defaultValue={filters.entityType ?? ""}
            error={error("entityType")}
          />
          <datalist id="entity-types">
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          <TextField
            id="entityId"
            name="entityId"
            label="Record id"
            maxLength={MAX_ENTITY_ID}
            defaultValue={filters.entityId ?? ""}
            error={error("entityId")}
          />
          <TextField
            id="action"
            name="action"
            label="Action"
            hint="Code, such as enrollment.approved"
            defaultValue={filters.action ?? ""}
            error={error("action")}
          />
          <TextField
            id="from"
            name="from"
            label="From (UTC)"
            type="date"
            defaultValue={filters.from ?? ""}
            error={error("from")}
          />
          <TextField
            id="to"
            name="to"
            label="To (UTC)"
            type="date"
            defaultValue={filters.to ?? ""}
            error={error("to")}
          />
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>{" "}
        <Link href="/admin/audit">Clear filters</Link>
      </form>
    </search>
  );
}
