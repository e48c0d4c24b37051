import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  availableEvents,
  CERTIFICATION_EVENTS,
  CERTIFICATION_STATUSES,
  type CertificationEvent,
  type CertificationStatus,
  certificationExpiresAt,
  decideTransition,
  isCertified,
  STATUS_LABELS,
  type TransitionActor,
  transitionNotice,
} from "./rules";

const ACTORS: TransitionActor[] = ["applicant", "admin", "system"];

/**
 * The lifecycle as the product brief states it, written out independently of the implementation's
 * table: event → legal source statuses, target, the one actor allowed, whether a reason is needed.
 */
const SPEC: Record<
  CertificationEvent,
  { from: CertificationStatus[]; to: CertificationStatus; actor: TransitionActor; reason: boolean }
> = {
  SUBMIT: { from: ["DRAFT", "CHANGES_REQUESTED"], to: "SUBMITTED", actor: "applicant", reason: false },
  APPROVE: { from: ["SUBMITTED"], to: "CERTIFIED", actor: "admin", reason: false },
  REJECT: { from: ["SUBMITTED"], to: "REJECTED", actor: "admin", reason: true },
  REQUEST_CHANGES: { from: ["SUBMITTED"], to: "CHANGES_REQUESTED", actor: "admin", reason: true },
  SUSPEND: { from: ["CERTIFIED"], to: "SUSPENDED", actor: "admin", reason: true },
  REINSTATE: { from: ["SUSPENDED"], to: "CERTIFIED", actor: "admin", reason: true },
  DECERTIFY: { from: ["CERTIFIED", "SUSPENDED"], to: "DECERTIFIED", actor: "admin", reason: true },
  EXPIRE: { from: ["CERTIFIED"], to: "EXPIRED", actor: "system", reason: false },
  RESTART: { from: ["REJECTED", "EXPIRED"], to: "DRAFT", actor: "applicant", reason: false },
};

const NOW = new Date("2026-06-15T12:00:00.000Z");
/** Long enough ago for any recertification period used below to have passed. */
const LONG_AGO = new Date("2020-01-01T00:00:00.000Z");

function decide(
  status: CertificationStatus,
  event: CertificationEvent,
  actor: TransitionActor,
  reason: string | null = "Because the documents were incomplete",
) {
  return decideTransition({ status, event, actor, reason, now: NOW, certifiedAt: LONG_AGO, recertificationMonths: 12 });
}

describe("decideTransition: every status × event × actor", () => {
  const cases = CERTIFICATION_STATUSES.flatMap((status) =>
    CERTIFICATION_EVENTS.flatMap((event) => ACTORS.map((actor) => ({ status, event, actor }))),
  );

  it("covers all 8 × 9 × 3 combinations", () => {
    expect(cases).toHaveLength(8 * 9 * 3);
  });

  it.each(cases)("$status + $event by $actor", ({ status, event, actor }) => {
    const spec = SPEC[event];
    const result = decide(status, event, actor);
    if (!spec.from.includes(status)) {
      expect(result).toMatchObject({ ok: false, code: "ILLEGAL_TRANSITION" });
      if (!result.ok) {
        expect(result.message).toContain(STATUS_LABELS[status].toLowerCase());
        expect(result.message).toMatch(/^An enrollment that is .+ cannot be .+\.$/);
      }
    } else if (spec.actor !== actor) {
      expect(result).toMatchObject({ ok: false, code: "WRONG_ACTOR" });
    } else {
      expect(result).toEqual({ ok: true, from: status, to: spec.to, issueCertificationNumber: event === "APPROVE" });
    }
  });
});

describe("decideTransition: reasons", () => {
  const legal = CERTIFICATION_EVENTS.flatMap((event) =>
    SPEC[event].from.map((status) => ({ event, status, actor: SPEC[event].actor, needs: SPEC[event].reason })),
  );

  it.each(legal)("$event from $status with no, blank and real reasons", ({ event, status, actor, needs }) => {
    for (const reason of [null, undefined, "", "   \n\t "]) {
      const result = decideTransition({
        status,
        event,
        actor,
        reason,
        now: NOW,
        certifiedAt: LONG_AGO,
        recertificationMonths: 12,
      });
      if (needs) expect(result).toEqual({ ok: false, code: "REASON_REQUIRED", message: "A reason is required." });
      else expect(result.ok).toBe(true);
    }
    expect(decide(status, event, actor, "  Licence verified again  ").ok).toBe(true);
  });

  it("checks the status before the actor, and the actor before the reason", () => {
    expect(decide("CERTIFIED", "REJECT", "applicant", null)).toMatchObject({ code: "ILLEGAL_TRANSITION" });
    expect(decide("SUBMITTED", "REJECT", "applicant", null)).toMatchObject({ code: "WRONG_ACTOR" });
    expect(decide("SUBMITTED", "REJECT", "admin", null)).toMatchObject({ code: "REASON_REQUIRED" });
  });

  it("names who may act", () => {
    expect(decide("SUBMITTED", "APPROVE", "applicant")).toMatchObject({
      message: "Only an administrator can do this.",
    });
    expect(decide("CERTIFIED", "EXPIRE", "admin")).toMatchObject({ message: "Only the registry can do this." });
    expect(decide("DRAFT", "SUBMIT", "admin")).toMatchObject({ message: "Only the applicant can do this." });
  });

  it("says what cannot happen in plain words", () => {
    expect(decide("CERTIFIED", "APPROVE", "admin")).toMatchObject({
      message: "An enrollment that is certified cannot be approved.",
    });
    expect(decide("DECERTIFIED", "REINSTATE", "admin")).toMatchObject({
      message: "An enrollment that is decertified cannot be reinstated.",
    });
  });
});

describe("certificationExpiresAt", () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    ["2025-01-15T09:30:00.000Z", 12, "2026-01-15T09:30:00.000Z"],
    ["2025-01-31T10:00:00.000Z", 1, "2025-02-28T23:59:59.999Z"],
    ["2024-01-31T10:00:00.000Z", 1, "2024-02-29T23:59:59.999Z"],
    ["2024-02-29T00:00:00.000Z", 12, "2025-02-28T23:59:59.999Z"],
    ["2024-02-29T00:00:00.000Z", 48, "2028-02-29T00:00:00.000Z"],
    ["2023-03-31T23:59:59.999Z", 1, "2023-04-30T23:59:59.999Z"],
    ["2025-08-31T08:00:00.000Z", 6, "2026-02-28T23:59:59.999Z"],
    ["2025-12-31T08:00:00.000Z", 2, "2026-02-28T23:59:59.999Z"],
    ["2025-11-30T08:00:00.000Z", 3, "2026-02-28T23:59:59.999Z"],
    ["2025-10-31T08:00:00.000Z", 1, "2025-11-30T23:59:59.999Z"],
    ["2025-12-15T08:00:00.000Z", 1, "2026-01-15T08:00:00.000Z"],
    ["2025-05-15T10:20:00.000Z", 24, "2027-05-15T10:20:00.000Z"],
  ])("%s + %i months = %s", (from, months, expected) => {
    expect(certificationExpiresAt(at(from), months)?.toISOString()).toBe(expected);
  });

  it("is null when the programme has no recertification", () => {
    expect(certificationExpiresAt(at("2025-01-01T00:00:00Z"), null)).toBeNull();
    expect(certificationExpiresAt(at("2025-01-01T00:00:00Z"), undefined)).toBeNull();
    expect(certificationExpiresAt(at("2025-01-01T00:00:00Z"), 0)).toBeNull();
  });

  it("does not modify its argument", () => {
    const certifiedAt = at("2025-01-31T10:00:00.000Z");
    certificationExpiresAt(certifiedAt, 1);
    expect(certifiedAt.toISOString()).toBe("2025-01-31T10:00:00.000Z");
  });

  it("lands n calendar months later on the same day at the same time, or at the end of the month's last day", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2090-12-31T23:59:59Z"), noInvalidDate: true }),
        fc.integer({ min: 1, max: 120 }),
        (certifiedAt, months) => {
          const expires = certificationExpiresAt(certifiedAt, months);
          expect(expires).not.toBeNull();
          if (!expires) return;
          const monthIndex = certifiedAt.getUTCFullYear() * 12 + certifiedAt.getUTCMonth() + months;
          expect(expires.getUTCFullYear() * 12 + expires.getUTCMonth()).toBe(monthIndex);
          const lastDay = new Date(Date.UTC(expires.getUTCFullYear(), expires.getUTCMonth() + 1, 0)).getUTCDate();
          expect(expires.getUTCDate()).toBe(Math.min(certifiedAt.getUTCDate(), lastDay));
          const clamped = certifiedAt.getUTCDate() > lastDay;
          expect(expires.getTime() % 86_400_000).toBe(clamped ? 86_399_999 : certifiedAt.getTime() % 86_400_000);
          expect(expires.getTime()).toBeGreaterThan(certifiedAt.getTime());
        },
      ),
    );
  });

  it("never expires an earlier certification after a later one", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2090-12-31T23:59:59Z"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 5 * 86_400_000 }),
        fc.integer({ min: 1, max: 60 }),
        (a, gap, months) => {
          const b = new Date(a.getTime() + gap);
          const ea = certificationExpiresAt(a, months);
          const eb = certificationExpiresAt(b, months);
          expect(ea && eb && ea.getTime() <= eb.getTime()).toBe(true);
        },
      ),
    );
  });
});

describe("decideTransition: EXPIRE timing", () => {
  const expire = (certifiedAt: Date | null, months: number | null, now: Date) =>
    decideTransition({
      status: "CERTIFIED",
      event: "EXPIRE",
      actor: "system",
      now,
      certifiedAt,
      recertificationMonths: months,
    });

  it("expires exactly at the recertification date, not a millisecond before", () => {
    const certifiedAt = new Date("2025-01-15T10:00:00.000Z");
    expect(expire(certifiedAt, 1, new Date("2025-02-15T09:59:59.999Z"))).toMatchObject({
      ok: false,
      code: "NOT_DUE",
    });
    expect(expire(certifiedAt, 1, new Date("2025-02-15T10:00:00.000Z"))).toMatchObject({ ok: true, to: "EXPIRED" });
    expect(expire(certifiedAt, 1, new Date("2025-03-01T00:00:00.000Z"))).toMatchObject({ ok: true });
  });

  it("uses month-end arithmetic (31 January + 1 month lapses at the end of 28/29 February)", () => {
    expect(expire(new Date("2024-01-31T00:00:00Z"), 1, new Date("2024-02-29T23:59:59.999Z"))).toMatchObject({
      ok: true,
    });
    expect(expire(new Date("2024-01-31T00:00:00Z"), 1, new Date("2024-02-29T12:00:00Z"))).toMatchObject({
      ok: false,
      code: "NOT_DUE",
    });
    expect(expire(new Date("2023-01-31T00:00:00Z"), 1, new Date("2023-03-01T00:00:00Z"))).toMatchObject({ ok: true });
    expect(expire(new Date("2023-01-31T00:00:00Z"), 1, new Date("2023-02-28T12:00:00Z"))).toMatchObject({
      ok: false,
      code: "NOT_DUE",
    });
  });

  it("never expires without a period or a certification date", () => {
    const farFuture = new Date("2999-01-01T00:00:00Z");
    expect(expire(LONG_AGO, null, farFuture)).toMatchObject({ ok: false, code: "NOT_DUE" });
    expect(expire(null, 12, farFuture)).toMatchObject({ ok: false, code: "NOT_DUE" });
  });

  it("is due exactly when now ≥ certificationExpiresAt (property)", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2080-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: 1, max: 36 }),
        fc.integer({ min: -400 * 86_400_000, max: 400 * 86_400_000 }),
        (certifiedAt, months, offset) => {
          const expiresAt = certificationExpiresAt(certifiedAt, months);
          if (!expiresAt) throw new Error("expected an expiry date");
          const now = new Date(expiresAt.getTime() + offset);
          expect(expire(certifiedAt, months, now).ok).toBe(offset >= 0);
        },
      ),
    );
  });
});

describe("availableEvents", () => {
  it.each([
    ["SUBMITTED", "admin", ["APPROVE", "REJECT", "REQUEST_CHANGES"]],
    ["CERTIFIED", "admin", ["SUSPEND", "DECERTIFY"]],
    ["SUSPENDED", "admin", ["REINSTATE", "DECERTIFY"]],
    ["DRAFT", "admin", []],
    ["REJECTED", "admin", []],
    ["DECERTIFIED", "admin", []],
    ["EXPIRED", "admin", []],
    ["CHANGES_REQUESTED", "admin", []],
    ["DRAFT", "applicant", ["SUBMIT"]],
    ["CHANGES_REQUESTED", "applicant", ["SUBMIT"]],
    ["REJECTED", "applicant", ["RESTART"]],
    ["EXPIRED", "applicant", ["RESTART"]],
    ["SUBMITTED", "applicant", []],
    ["CERTIFIED", "applicant", []],
    // EXPIRE is the registry's own job, never a button.
    ["CERTIFIED", "system", []],
  ] as const)("%s for %s → %j", (status, actor, expected) => {
    expect(availableEvents(status, actor)).toEqual(expected);
  });

  it("offers only events the rules then accept (with a reason)", () => {
    for (const status of CERTIFICATION_STATUSES) {
      for (const actor of ACTORS) {
        for (const event of availableEvents(status, actor)) {
          expect(decide(status, event, actor).ok).toBe(true);
        }
      }
    }
  });
});

describe("isCertified", () => {
  it("is true only for CERTIFIED", () => {
    for (const status of CERTIFICATION_STATUSES) expect(isCertified(status)).toBe(status === "CERTIFIED");
    expect(isCertified("ENROLLED")).toBe(false);
  });
});

describe("transitionNotice", () => {
  const base = { programName: "LEMTRADA REMS", stakeholderName: "Dr. Ada Lovelace", appUrl: "https://rems.example" };

  it("tells an approved stakeholder the certification number", () => {
    const notice = transitionNotice({ ...base, event: "APPROVE", certificationNumber: "RX-7K4Q-M2XD-9" });
    expect(notice.subject).toBe("LEMTRADA REMS: enrollment approved");
    expect(notice.text).toContain("Hello Dr. Ada Lovelace,");
    expect(notice.text).toContain("Your LEMTRADA REMS enrollment has been approved.");
    expect(notice.text).toContain("Certification number: RX-7K4Q-M2XD-9");
    expect(notice.text).toContain("See your enrollment: https://rems.example/enrollment");
    expect(notice.text).not.toContain("Reason:");
  });

  it("gives the reason of a rejection, trimmed", () => {
    const notice = transitionNotice({ ...base, event: "REJECT", reason: "  NPI does not match the licence.  " });
    expect(notice.subject).toBe("LEMTRADA REMS: enrollment rejected");
    expect(notice.text).toContain("Reason:\nNPI does not match the licence.\n");
    expect(notice.text).not.toContain("Certification number");
  });

  it("says what to change and to submit again", () => {
    const notice = transitionNotice({ ...base, event: "REQUEST_CHANGES", reason: "Add your DEA number." });
    expect(notice.subject).toBe("LEMTRADA REMS: enrollment returned for changes");
    expect(notice.text).toContain("What to change:\nAdd your DEA number.");
    expect(notice.text).toContain("Update your application and submit it again.");
  });

  it("warns that a suspension stops the stakeholder acting until certified again", () => {
    const notice = transitionNotice({ ...base, event: "SUSPEND", reason: "Audit findings." });
    expect(notice.text).toContain("Until you are certified again, you may not act under this programme.");
    expect(notice.text).toContain("Reason:\nAudit findings.");
  });

  it("tells a decertified stakeholder the certification is withdrawn for good and to enroll again", () => {
    const notice = transitionNotice({ ...base, event: "DECERTIFY", reason: "Audit findings." });
    expect(notice.text).toContain("withdrawn for good: to take part again, enroll again.");
    expect(notice.text).not.toContain("Until you are certified again");
    expect(notice.text).toContain("Reason:\nAudit findings.");
  });

  it("leaves out an empty reason and names the registry at the end", () => {
    const notice = transitionNotice({ ...base, event: "EXPIRE", reason: "   " });
    expect(notice.subject).toBe("LEMTRADA REMS: enrollment expired");
    expect(notice.text).not.toContain("Reason:");
    expect(notice.text.endsWith("— REMS registry")).toBe(true);
    const reinstated = transitionNotice({ ...base, event: "REINSTATE", reason: "Cleared." });
    expect(reinstated.text).not.toContain("may not act");
  });
});

describe("the lifecycle as a whole (property)", () => {
  const step = fc.record({
    event: fc.constantFrom(...CERTIFICATION_EVENTS),
    actor: fc.constantFrom(...ACTORS),
    reason: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
    daysLater: fc.integer({ min: 0, max: 800 }),
  });

  it("never leaves the table, and reaches CERTIFIED only by approval or reinstatement", () => {
    const legalPairs = new Set(
      CERTIFICATION_EVENTS.flatMap((event) => SPEC[event].from.map((from) => `${from}>${SPEC[event].to}:${event}`)),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let status: CertificationStatus = "DRAFT";
        let now = new Date("2025-01-01T00:00:00Z");
        let certifiedAt: Date | null = null;
        let numbersIssued = 0;
        let approvals = 0;
        for (const s of steps) {
          now = new Date(now.getTime() + s.daysLater * 86_400_000);
          const result = decideTransition({
            status,
            event: s.event,
            actor: s.actor,
            reason: s.reason,
            now,
            certifiedAt,
            recertificationMonths: 12,
          });
          if (!result.ok) {
            expect(["ILLEGAL_TRANSITION", "WRONG_ACTOR", "REASON_REQUIRED", "NOT_DUE"]).toContain(result.code);
            continue;
          }
          expect(result.from).toBe(status);
          expect(legalPairs.has(`${result.from}>${result.to}:${s.event}`)).toBe(true);
          expect(CERTIFICATION_STATUSES).toContain(result.to);
          if (result.to === "CERTIFIED") expect(["APPROVE", "REINSTATE"]).toContain(s.event);
          if (result.issueCertificationNumber) numbersIssued++;
          if (s.event === "APPROVE") {
            approvals++;
            certifiedAt = now;
          }
          status = result.to;
        }
        expect(numbersIssued).toBe(approvals);
      }),
    );
  });

  it("lets nothing out of DECERTIFIED", () => {
    fc.assert(
      fc.property(step, (s) => {
        const result = decideTransition({ status: "DECERTIFIED", ...s, now: NOW });
        expect(result).toMatchObject({ ok: false, code: "ILLEGAL_TRANSITION" });
      }),
    );
  });
});
