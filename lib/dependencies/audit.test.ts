import { describe, expect, it } from "vitest";
import { advisoriesOf, auditUnavailable, judgeAudit, ZAllowlist } from "./audit";

/** The shape `npm audit --json` (npm 7+) prints. */
function report(vias: Array<Record<string, unknown>>) {
  const vulnerabilities: Record<string, unknown> = {};
  for (const via of vias) {
    const name = String(via.name);
    vulnerabilities[name] = { name, severity: via.severity, isDirect: false, via: [via], effects: [] };
  }
  vulnerabilities.parent = { name: "parent", severity: "high", via: ["some-lib"], effects: [] };
  return { auditReportVersion: 2, vulnerabilities, metadata: {} };
}

const HIGH = {
  source: 1101851,
  name: "some-lib",
  title: "Prototype pollution",
  url: "https://github.com/advisories/GHSA-4w2v-q235-vp99",
  severity: "high",
  range: "<2.0.0",
};
const CRITICAL = {
  ...HIGH,
  source: 1101852,
  name: "other-lib",
  severity: "critical",
  url: "https://github.com/advisories/GHSA-jcfx-3mxh-9g2c",
};
const MODERATE = {
  ...HIGH,
  source: 1101853,
  name: "third-lib",
  severity: "moderate",
  url: "https://github.com/advisories/GHSA-pq67-2wwv-3xjx",
};

const entry = {
  id: "GHSA-4w2v-q235-vp99",
  package: "some-lib",
  whyNotFixed: "No release of some-lib fixes it yet.",
  whyNotInProduction: "Only the benchmark tool loads it.",
};

describe("judgeAudit", () => {
  it("fails on a high or critical advisory that is not on the list", () => {
    const verdict = judgeAudit(report([HIGH, CRITICAL, MODERATE]), []);
    expect(verdict.blocking.map((a) => a.package).sort()).toEqual(["other-lib", "some-lib"]);
    expect(verdict.lower.map((a) => a.package)).toEqual(["third-lib"]);
  });

  it("lets through what the list names, by GHSA id or npm id, for that package only", () => {
    expect(judgeAudit(report([HIGH]), [entry]).blocking).toEqual([]);
    expect(judgeAudit(report([HIGH]), [{ ...entry, id: 1101851 }]).allowed).toHaveLength(1);
    expect(judgeAudit(report([HIGH]), [{ ...entry, package: "another" }]).blocking).toHaveLength(1);
    expect(judgeAudit(report([CRITICAL]), [entry]).blocking).toHaveLength(1);
  });

  it("names entries that no longer match anything", () => {
    expect(judgeAudit(report([CRITICAL]), [entry]).stale).toEqual([entry]);
    expect(judgeAudit(report([]), []).blocking).toEqual([]);
  });

  it("counts an advisory once even when several packages lead to it", () => {
    const r = report([HIGH]);
    (r.vulnerabilities as Record<string, unknown>).again = { name: "again", severity: "high", via: [HIGH] };
    expect(advisoriesOf(r)).toHaveLength(1);
  });
});

describe("the allow-list file", () => {
  it("needs an advisory id, the package and both reasons", () => {
    expect(ZAllowlist.safeParse([entry]).success).toBe(true);
    expect(ZAllowlist.safeParse([{ ...entry, whyNotInProduction: undefined }]).success).toBe(false);
    expect(ZAllowlist.safeParse([{ ...entry, id: "CVE-2026-1" }]).success).toBe(false);
    expect(ZAllowlist.safeParse([{ ...entry, extra: 1 }]).success).toBe(false);
  });
});

describe("auditUnavailable", () => {
  it("recognises npm's error answer", () => {
    expect(
      auditUnavailable({
        error: { code: "ENOAUDIT", summary: "Your configured registry does not support audit requests." },
      }),
    ).toBe("ENOAUDIT: Your configured registry does not support audit requests.");
    // What npm prints when the registry refuses the bulk advisory request.
    expect(
      auditUnavailable({
        message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
        statusCode: 405,
        error: { summary: "", detail: "" },
      }),
    ).toBe("405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk");
    expect(auditUnavailable(report([]))).toBeNull();
  });
});
