/**
 * Addresses of the filtered lists behind the dashboard's and the report's numbers. The query
 * parameters are those the lists read (lib/certification/schema.ts ZQueueFilters,
 * lib/admin/authorizations.ts ZAuthorizationFilters).
 */

function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) q.set(key, value);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function applicationsHref(params: {
  kind?: string;
  status?: string;
  program?: string;
  monitoring?: "overdue";
}): string {
  return withQuery("/admin/applications", params);
}

export function authorizationsHref(params: {
  decision?: "APPROVED" | "DENIED";
  status?: string;
  reason?: string;
  program?: string;
  /** Which date the period applies to: the request (default) or the revocation. */
  on?: "requested" | "revoked" | "dispensed" | "reversed";
  from?: string;
  to?: string;
  discretion?: "yes";
  /** Keyset cursor of the next page. */
  before?: string;
}): string {
  return withQuery("/admin/authorizations", params);
}
