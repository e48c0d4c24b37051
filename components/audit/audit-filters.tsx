import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { TextField } from "@/components/ui/field";
import { AUDIT_ACTION_CHOICES, isAuditAction } from "@/lib/audit/action-codes";
import { type AuditFilters, auditFilterParams, MAX_ACTOR_QUERY, MAX_ENTITY_ID } from "@/lib/audit/schema";
import type { FieldErrors } from "@/lib/errors";
import { AUDIT_RECORD_TYPE_LABELS, formatAuditAction, formatAuditRecordType } from "@/lib/format";

/** Record types the registry writes to the trail, by their words (the value is the stored type). */
const RECORD_TYPES = Object.entries(AUDIT_RECORD_TYPE_LABELS).sort(([, a], [, b]) => a.localeCompare(b));

/** The address of the same filters without the one-record id (a link from an event's page). */
function withoutRecordId(filters: AuditFilters): string {
  const params = auditFilterParams(filters);
  params.delete("entityId");
  const q = params.toString();
  return q ? `/admin/audit?${q}` : "/admin/audit";
}

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
          <div className="field">
            <label htmlFor="entityType">Record type</label>
            <select
              id="entityType"
              name="entityType"
              defaultValue={filters.entityType ?? ""}
              aria-invalid={error("entityType") ? true : undefined}
              aria-describedby={error("entityType") ? "entityType-error" : undefined}
            >
              <option value="">Any record type</option>
              {RECORD_TYPES.map(([type, label]) => (
                <option key={type} value={type}>
                  {label}
                </option>
              ))}
              {filters.entityType && !Object.hasOwn(AUDIT_RECORD_TYPE_LABELS, filters.entityType) ? (
                <option value={filters.entityType}>{formatAuditRecordType(filters.entityType)}</option>
              ) : null}
            </select>
            {error("entityType") ? (
              <span id="entityType-error" className="error">
                {error("entityType")}
              </span>
            ) : null}
          </div>
          <TextField
            id="record"
            name="record"
            label="Record"
            hint="A DA- number, REMS id, certification number, NPI, NCPDP number, case number or e-mail address"
            type="search"
            maxLength={MAX_ENTITY_ID}
            defaultValue={filters.record ?? ""}
            error={error("record") ?? error("entityId")}
          />
          <div className="field">
            <label htmlFor="action">Action</label>
            <select
              id="action"
              name="action"
              defaultValue={filters.action ?? ""}
              aria-invalid={error("action") ? true : undefined}
              aria-describedby={error("action") ? "action-error" : undefined}
            >
              <option value="">Any action</option>
              {/* An action from a link that the list does not hold (an earlier version's): kept, in words. */}
              {filters.action && !isAuditAction(filters.action) ? (
                <option value={filters.action}>{formatAuditAction(filters.action)}</option>
              ) : null}
              {AUDIT_ACTION_CHOICES.map((group) => (
                <optgroup key={group.label} label={group.label}>
                  {group.choices.map((choice) => (
                    <option key={choice.value} value={choice.value}>
                      {choice.label}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            {error("action") ? (
              <span id="action-error" className="error">
                {error("action")}
              </span>
            ) : null}
          </div>
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
        {filters.entityId ? (
          <p className="muted">
            <input type="hidden" name="entityId" value={filters.entityId} />
            Only the events of one record are shown. <Link href={withoutRecordId(filters)}>Show every record</Link>
          </p>
        ) : null}
        <button type="submit" className="button">
          Apply filters
        </button>{" "}
        <Link href="/admin/audit">Clear filters</Link>
      </form>
    </search>
  );
}
