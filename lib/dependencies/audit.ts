/**
 * The dependency audit's rule (scripts/audit.ts runs `npm audit --json` and applies it): every
 * high or critical advisory fails the check unless the allow-list names it, with why it cannot be
 * fixed and why it does not reach production.
 */
import { z } from "zod";

export const ZAllowlistEntry = z.strictObject({
  /** The advisory: its GHSA id (as in https://github.com/advisories/GHSA-…) or npm's numeric id. */
  id: z.union([z.string().regex(/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/), z.number().int().positive()]),
  package: z.string().min(1),
  whyNotFixed: z.string().min(10),
  whyNotInProduction: z.string().min(10),
});
export const ZAllowlist = z.array(ZAllowlistEntry);
export type TAllowlistEntry = z.infer<typeof ZAllowlistEntry>;

export interface Advisory {
  id: number;
  ghsa: string | null;
  package: string;
  severity: string;
  title: string;
  url: string;
}

const BLOCKING = new Set(["high", "critical"]);

/** The advisories in an `npm audit --json` (v2) report, once each. */
export function advisoriesOf(report: unknown): Advisory[] {
  const vulnerabilities = (report as { vulnerabilities?: Record<string, { via?: unknown[] }> })?.vulnerabilities ?? {};
  const byId = new Map<number, Advisory>();
  for (const entry of Object.values(vulnerabilities)) {
    for (const via of entry.via ?? []) {
      // A string names another vulnerable package; its advisories are listed under that package.
      if (typeof via !== "object" || via === null) continue;
      const v = via as { source?: number; name?: string; severity?: string; title?: string; url?: string };
      if (typeof v.source !== "number") continue;
      const url = v.url ?? "";
      byId.set(v.source, {
        id: v.source,
        ghsa: /GHSA(-[a-z0-9]{4}){3}/i.exec(url)?.[0] ?? null,
        package: v.name ?? "",
        severity: v.severity ?? "unknown",
        title: v.title ?? "",
        url,
      });
    }
  }
  return [...byId.values()];
}

function allows(entry: TAllowlistEntry, advisory: Advisory): boolean {
  if (entry.package !== advisory.package) return false;
  return typeof entry.id === "number" ? entry.id === advisory.id : entry.id === advisory.ghsa;
}

export interface AuditVerdict {
  /** High or critical and not on the list: the check fails. */
  blocking: Advisory[];
  allowed: Advisory[];
  /** Below high: reported, never failing. */
  lower: Advisory[];
  /** Entries that match no advisory any more: remove them. */
  stale: TAllowlistEntry[];
}

export function judgeAudit(report: unknown, allowlist: TAllowlistEntry[]): AuditVerdict {
  const verdict: AuditVerdict = { blocking: [], allowed: [], lower: [], stale: [] };
  const advisories = advisoriesOf(report);
  for (const advisory of advisories) {
    if (!BLOCKING.has(advisory.severity)) verdict.lower.push(advisory);
    else if (allowlist.some((entry) => allows(entry, advisory))) verdict.allowed.push(advisory);
    else verdict.blocking.push(advisory);
  }
  verdict.stale = allowlist.filter((entry) => !advisories.some((advisory) => allows(entry, advisory)));
  return verdict;
}

/**
 * Why npm could not ask the advisory database (offline, a registry or mirror without the audit
 * endpoint), or null when `report` is a real audit report.
 */
export function auditUnavailable(report: unknown): string | null {
  const r = (report ?? {}) as {
    vulnerabilities?: unknown;
    error?: { code?: string; summary?: string };
    message?: string;
  };
  if (r.vulnerabilities && typeof r.vulnerabilities === "object" && !r.error) return null;
  const fromError = [r.error?.code, r.error?.summary].filter(Boolean).join(": ");
  return fromError || r.message || "npm audit printed no report";
}
