import { afterAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { addDays, isoDay } from "../../lib/courses/dates";
import { db, disconnectDb } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { INFUSION_CONCERN_CODES } from "../../lib/infusions/rules";
import type { TRecordInfusion } from "../../lib/infusions/schema";
import { recordInfusion } from "../../lib/infusions/service";
import {
  addInfusions,
  addResults,
  addStatusForm,
  createCareTeam,
  createPatient,
  prescriberActor,
  settingActor,
} from "../factories/clinical";
import { getPatientTimeline, getSettingDashboard } from "../../lib/dashboards/queries";
import { createDispenseAuthorization } from "../factories/dispense";

afterAll(async () => {
  await disconnectDb();
});

const NOW = new Date("2026-06-15T15:00:00Z");
const TODAY = isoDay(NOW);

/**
 * One infusion as the form sends it. These patients have no baseline results and most records
 * name no authorization: the record acknowledges every point not in order unless a test says
 * otherwise ("what is not in order" below tests the acknowledgement itself).
 */
function infusion(patientId: string, infusedOn: string, overrides: Partial<TRecordInfusion> = {}): TRecordInfusion {
  return {
    patientId,
    infusedOn,
    doseMg: 12,
    vialLot: "A1234B",
    premedicationGiven: "yes",
    observationCompleted: "yes",
    reaction: "no",
    acknowledgedConcerns: [...INFUSION_CONCERN_CODES],
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function world(options: { settingStatus?: "CERTIFIED" | "SUSPENDED"; enrolledOn?: string } = {}) {
  const team = await createCareTeam({ settingStatus: options.settingStatus });
  const actor = await settingActor(team.setting);
  const { patient } = await createPatient({
    prescriberId: team.prescriber.prescriber.id,
    healthcareSettingId: team.setting.setting.id,
    enrolledOn: options.enrolledOn,
  });
  return { team, actor, patient };
}

async function countRows(patientId: string) {
  const infusions = await db().infusion.count({ where: { patientId } });
  const audits = await db().auditEvent.count({
    where: { action: "infusion.record", after: { path: ["patientId"], equals: patientId } },
  });
  return { infusions, audits };
}

describe("recordInfusion", () => {
  it("records a first course of 5 consecutive days with its course and day, audited", async () => {
    const { actor, patient } = await world();
    const start = addDays(TODAY, -4);
    const days = [0, 1, 2, 3, 4].map((i) => addDays(start, i));
    const results = [];
    for (const day of days) results.push(await recordInfusion(actor, infusion(patient.id, day), db(), NOW));
    expect(results.map((r) => [r.courseNumber, r.dayInCourse, r.courseComplete])).toEqual([
      [1, 1, false],
      [1, 2, false],
      [1, 3, false],
      [1, 4, false],
      [1, 5, true],
    ]);
    const rows = await db().infusion.findMany({
      where: { patientId: patient.id },
      orderBy: { infusedOn: "asc" },
      select: {
        infusedOn: true,
        doseMg: true,
        vialLot: true,
        premedicationGiven: true,
        healthcareSettingId: true,
        recordedByUserId: true,
      },
    });
    expect(rows).toHaveLength(5);
    expect(isoDay(rows[0]?.infusedOn ?? new Date(0))).toBe(start);
    expect(Number(rows[0]?.doseMg)).toBe(12);
    expect(rows[0]?.recordedByUserId).toBe(actor.userId);
    expect(await countRows(patient.id)).toEqual({ infusions: 5, audits: 5 });
  });

  it("records a reaction with its severity and narrative, and requires both", async () => {
    const { actor, patient } = await world();
    const missing = await refusal(recordInfusion(actor, infusion(patient.id, TODAY, { reaction: "yes" }), db(), NOW));
    expect(missing.code).toBe("VALIDATION");
    expect(Object.keys(missing.details?.fields ?? {}).sort()).toEqual(["reactionNarrative", "reactionSeverity"]);
    await recordInfusion(
      actor,
      infusion(patient.id, TODAY, {
        reaction: "yes",
        reactionSeverity: "moderate",
        reactionNarrative: "Rash and flushing at 40 minutes; settled with an antihistamine.",
      }),
      db(),
      NOW,
    );
    const row = await db().infusion.findFirstOrThrow({
      where: { patientId: patient.id },
      select: { reaction: true, reactionSeverity: true, reactionNarrative: true },
    });
    expect(row).toEqual({
      reaction: true,
      reactionSeverity: "moderate",
      reactionNarrative: "Rash and flushing at 40 minutes; settled with an antihistamine.",
    });
  });

  it("refuses a future date, a dose other than 12 mg and a gap inside a course, writing nothing", async () => {
    const { actor, patient } = await world();
    const future = await refusal(recordInfusion(actor, infusion(patient.id, addDays(TODAY, 1)), db(), NOW));
    expect(future.details?.reason).toBe("FUTURE_DATE");
    const dose = await refusal(recordInfusion(actor, infusion(patient.id, TODAY, { doseMg: 24 }), db(), NOW));
    expect(dose.details?.reason).toBe("DOSE_NOT_PROGRAM_DOSE");
    expect(dose.message).toContain("12 mg");
    await recordInfusion(actor, infusion(patient.id, addDays(TODAY, -3)), db(), NOW);
    const gap = await refusal(recordInfusion(actor, infusion(patient.id, addDays(TODAY, -1)), db(), NOW));
    expect(gap.details?.reason).toBe("NOT_CONSECUTIVE");
    const before = await refusal(recordInfusion(actor, infusion(patient.id, addDays(TODAY, -5)), db(), NOW));
    expect(before.details?.reason).toBe("BEFORE_PREVIOUS_DOSE");
    const duplicate = await refusal(recordInfusion(actor, infusion(patient.id, addDays(TODAY, -3)), db(), NOW));
    expect(duplicate.details?.reason).toBe("DUPLICATE_DATE");
    expect(await countRows(patient.id)).toEqual({ infusions: 1, audits: 1 });
  });

  it("refuses a second course less than 12 months after the first, and accepts it at 12 months", async () => {
    const { team, actor, patient } = await world();
    const course1 = [0, 1, 2, 3, 4].map((i) => ({
      infusedOn: addDays("2025-06-10", i),
      courseNumber: 1,
      dayInCourse: i + 1,
    }));
    await addInfusions(patient.id, team.setting.setting.id, actor.userId, course1);
    const early = await refusal(recordInfusion(actor, infusion(patient.id, "2026-06-13"), db(), NOW));
    expect(early.details?.reason).toBe("COURSE_INTERVAL_TOO_SHORT");
    expect(early.message).toContain("2026-06-14");
    const ok = await recordInfusion(actor, infusion(patient.id, "2026-06-14"), db(), NOW);
    expect([ok.courseNumber, ok.dayInCourse]).toEqual([2, 1]);
  });

  it("refuses patients who are not enrolled, not authorized, disenrolled or of another setting", async () => {
    const { team, actor } = await world();
    const base = { prescriberId: team.prescriber.prescriber.id, healthcareSettingId: team.setting.setting.id };
    const notAuthorized = await createPatient({
      ...base,
      status: "NOT_AUTHORIZED",
      statusReason: "Baseline labs missing",
    });
    const disenrolled = await createPatient({ ...base, status: "DISENROLLED", statusReason: "Treatment stopped" });
    const other = await world();

    const na = await refusal(recordInfusion(actor, infusion(notAuthorized.patient.id, TODAY), db(), NOW));
    expect(na.code).toBe("FORBIDDEN");
    expect(na.message).toContain("not authorized");
    expect(na.message).toContain("Baseline labs missing");
    const dis = await refusal(recordInfusion(actor, infusion(disenrolled.patient.id, TODAY), db(), NOW));
    expect(dis.message).toContain("disenrolled");
    const elsewhere = await refusal(recordInfusion(actor, infusion(other.patient.id, TODAY), db(), NOW));
    expect(elsewhere.details?.reason).toBe("PATIENT_NOT_AT_SETTING");
    for (const id of [notAuthorized.patient.id, disenrolled.patient.id, other.patient.id]) {
      expect(await countRows(id)).toEqual({ infusions: 0, audits: 0 });
    }
  });

  it("refuses a setting that is not certified, and anyone who is not a setting representative", async () => {
    const { actor, patient, team } = await world({ settingStatus: "SUSPENDED" });
    const suspended = await refusal(recordInfusion(actor, infusion(patient.id, TODAY), db(), NOW));
    expect(suspended.details?.reason).toBe("SETTING_NOT_CERTIFIED");
    const prescriber: Actor = {
      ...actor,
      role: "PRESCRIBER",
      userId: team.prescriber.user.id,
      healthcareSettingId: null,
    };
    const forbidden = await refusal(recordInfusion(prescriber, infusion(patient.id, TODAY), db(), NOW));
    expect(forbidden.code).toBe("FORBIDDEN");
    expect(await countRows(patient.id)).toEqual({ infusions: 0, audits: 0 });
  });

  it("lets only one of two concurrent recordings of the same day through", async () => {
    const { actor, patient } = await world();
    const results = await Promise.allSettled([
      recordInfusion(actor, infusion(patient.id, TODAY), db(), NOW),
      recordInfusion(actor, infusion(patient.id, TODAY, { vialLot: "B9" }), db(), NOW),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await countRows(patient.id)).toEqual({ infusions: 1, audits: 1 });
  });
});

/** The number with its first body character changed (still in the alphabet). */
function mistyped(number: string): string {
  const c = number[3] === "7" ? "8" : "7";
  return `${number.slice(0, 3)}${c}${number.slice(4)}`;
}

describe("recordInfusion with a dispense authorization", () => {
  async function linkedTo(patientId: string) {
    const rows = await db().infusion.findMany({
      where: { patientId },
      orderBy: { infusedOn: "asc" },
      select: { infusedOn: true, dispenseAuthorizationId: true },
    });
    return rows.map((r) => [isoDay(r.infusedOn), r.dispenseAuthorizationId]);
  }

  it("links the authorization the pharmacy gave (typed loosely) to several days of one course, audited", async () => {
    const { actor, patient } = await world();
    const authorization = await createDispenseAuthorization({ patient, status: "DISPENSED" });
    const number = authorization.authorizationNumber ?? "";
    const typed = ` ${number.toLowerCase().replace(/-/g, " - ")} `;
    const day1 = await recordInfusion(
      actor,
      infusion(patient.id, addDays(TODAY, -1), { authorizationNumber: typed }),
      db(),
      NOW,
    );
    expect(day1.authorizationNumber).toBe(number);
    // One dispense covers the following days of the course too.
    const day2 = await recordInfusion(actor, infusion(patient.id, TODAY, { authorizationNumber: number }), db(), NOW);
    expect(day2.authorizationNumber).toBe(number);
    expect(await linkedTo(patient.id)).toEqual([
      [addDays(TODAY, -1), authorization.id],
      [TODAY, authorization.id],
    ]);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "infusion.record", entityId: day1.id },
      select: { after: true },
    });
    expect(audit.after).toMatchObject({ patientId: patient.id, authorizationNumber: number });
  });

  it("accepts an approved authorization not yet confirmed, and records none when the field is blank", async () => {
    const { actor, patient } = await world();
    const approved = await createDispenseAuthorization({
      patient,
      status: "APPROVED",
      expiresAt: new Date(NOW.getTime() + 86_400_000),
    });
    await recordInfusion(
      actor,
      infusion(patient.id, addDays(TODAY, -1), { authorizationNumber: approved.authorizationNumber ?? "" }),
      db(),
      NOW,
    );
    const blank = await recordInfusion(actor, infusion(patient.id, TODAY, { authorizationNumber: "  " }), db(), NOW);
    expect(blank.authorizationNumber).toBeNull();
    expect(await linkedTo(patient.id)).toEqual([
      [addDays(TODAY, -1), approved.id],
      [TODAY, null],
    ]);
  });

  it("refuses another patient's authorization with a field error, writing nothing", async () => {
    const { actor, patient } = await world();
    const { patient: someoneElse } = await world();
    const theirs = await createDispenseAuthorization({ patient: someoneElse });
    const error = await refusal(
      recordInfusion(
        actor,
        infusion(patient.id, TODAY, { authorizationNumber: theirs.authorizationNumber ?? "" }),
        db(),
        NOW,
      ),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.reason).toBe("AUTHORIZATION_OTHER_PATIENT");
    expect(error.details?.fields?.authorizationNumber?.[0]).toContain("another patient");
    expect(Object.keys(error.details?.fields ?? {})).toEqual(["authorizationNumber"]);
    expect(await countRows(patient.id)).toEqual({ infusions: 0, audits: 0 });
    expect(await db().infusion.count({ where: { dispenseAuthorizationId: theirs.id } })).toBe(0);
  });

  it("refuses a reversed authorization and an expired one, naming why", async () => {
    const { actor, patient } = await world();
    const reversed = await createDispenseAuthorization({
      patient,
      status: "REVERSED",
      reversalReason: "Claim reversed by the payer",
    });
    const reversedError = await refusal(
      recordInfusion(
        actor,
        infusion(patient.id, TODAY, { authorizationNumber: reversed.authorizationNumber ?? "" }),
        db(),
        NOW,
      ),
    );
    expect(reversedError.details?.reason).toBe("AUTHORIZATION_REVERSED");
    expect(reversedError.details?.fields?.authorizationNumber?.[0]).toMatch(
      /^This authorization was reversed by the pharmacy \(Claim reversed by the payer\)/,
    );
    const lapsed = await createDispenseAuthorization({
      patient,
      status: "APPROVED",
      expiresAt: new Date(NOW.getTime() - 60_000),
    });
    const lapsedError = await refusal(
      recordInfusion(
        actor,
        infusion(patient.id, TODAY, { authorizationNumber: lapsed.authorizationNumber ?? "" }),
        db(),
        NOW,
      ),
    );
    expect(lapsedError.details?.reason).toBe("AUTHORIZATION_EXPIRED");
    expect(lapsedError.details?.fields?.authorizationNumber?.[0]).toContain("expired");
    expect(await countRows(patient.id)).toEqual({ infusions: 0, audits: 0 });
  });

  it("refuses an unknown number and a malformed one with a field error", async () => {
    const { actor, patient } = await world();
    const never = generateRemsId("DA");
    const unknown = await refusal(
      recordInfusion(actor, infusion(patient.id, TODAY, { authorizationNumber: never }), db(), NOW),
    );
    expect(unknown.details?.reason).toBe("AUTHORIZATION_NOT_FOUND");
    expect(unknown.details?.fields?.authorizationNumber?.[0]).toBe(
      `No dispense authorization has the number ${never}. Check the number the pharmacy gave you.`,
    );
    const malformed = await refusal(
      // One character of a real number mistyped: the check character refuses it before any lookup.
      recordInfusion(actor, infusion(patient.id, TODAY, { authorizationNumber: mistyped(never) }), db(), NOW),
    );
    expect(malformed.code).toBe("VALIDATION");
    expect(Object.keys(malformed.details?.fields ?? {})).toEqual(["authorizationNumber"]);
    expect(await countRows(patient.id)).toEqual({ infusions: 0, audits: 0 });
  });
});

describe("recordInfusion: what is not in order for the infusion", () => {
  const BASELINE = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS", "TSH", "SKIN_EXAM"];
  const asIs = { acknowledgedConcerns: undefined };

  function concernsOf(error: AppError): { code: string; message: string }[] {
    return (error.details?.concerns ?? []) as { code: string; message: string }[];
  }

  async function stored(patientId: string) {
    return db().infusion.findMany({
      where: { patientId },
      orderBy: { infusedOn: "asc" },
      select: { id: true, courseNumber: true, dayInCourse: true, acknowledgedConcerns: true },
    });
  }

  it("refuses course 1 day 1 for a patient with no baseline results and no authorization, naming each point, writing nothing", async () => {
    const { actor, patient } = await world();
    const error = await refusal(recordInfusion(actor, infusion(patient.id, TODAY, asIs), db(), NOW));
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.reason).toBe("CONCERNS_NOT_ACKNOWLEDGED");
    expect(error.message).toMatch(/^Not everything is in order for this infusion/);
    expect(Object.keys(error.details?.fields ?? {})).toEqual(["acknowledgedConcerns"]);
    expect(error.details?.fields?.acknowledgedConcerns).toEqual([
      "Baseline tests missing for course 1 (first infusion 15 Jun 2026): Complete blood count with differential, Serum creatinine, Urinalysis with urine cell counts, Thyroid function (TSH) and Skin examination. Each result is needed within 30 days before the first infusion of the course.",
      "No dispense authorization for course 1 is named: nothing shows that the drug infused was dispensed for this patient under a registry authorization.",
    ]);
    expect(concernsOf(error).map((c) => c.code)).toEqual(["BASELINE_LABS_MISSING", "NO_DISPENSE_AUTHORIZATION"]);
    // Acknowledging only some of the points is not enough either.
    const partly = await refusal(
      recordInfusion(
        actor,
        infusion(patient.id, TODAY, { acknowledgedConcerns: ["NO_DISPENSE_AUTHORIZATION"] }),
        db(),
        NOW,
      ),
    );
    expect(partly.details?.reason).toBe("CONCERNS_NOT_ACKNOWLEDGED");
    expect(await countRows(patient.id)).toEqual({ infusions: 0, audits: 0 });
  });

  it("records it once every point is acknowledged, keeping the points on the row and in the audit event", async () => {
    const { team, actor, patient } = await world();
    await addResults(patient.id, [{ testCode: "TSH", collectedOn: addDays(TODAY, -40) }]);
    const recorded = await recordInfusion(
      actor,
      infusion(patient.id, TODAY, {
        acknowledgedConcerns: ["BASELINE_LABS_MISSING", "BASELINE_LABS_STALE", "NO_DISPENSE_AUTHORIZATION"],
      }),
      db(),
      NOW,
    );
    expect([recorded.courseNumber, recorded.dayInCourse]).toEqual([1, 1]);
    expect(recorded.acknowledgedConcerns.map((c) => c.code)).toEqual([
      "BASELINE_LABS_MISSING",
      "BASELINE_LABS_STALE",
      "NO_DISPENSE_AUTHORIZATION",
    ]);
    const [row] = await stored(patient.id);
    expect(row?.acknowledgedConcerns).toEqual(
      recorded.acknowledgedConcerns.map((c) => ({ code: c.code, message: c.message })),
    );
    expect(JSON.stringify(row?.acknowledgedConcerns)).toContain("Thyroid function (TSH) (last 6 May 2026)");
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { action: "infusion.record", entityId: recorded.id },
      select: { after: true, actorId: true },
    });
    expect(audit.actorId).toBe(actor.userId);
    expect(audit.after).toMatchObject({ acknowledgedConcerns: row?.acknowledgedConcerns });
    // The setting's recent infusions and the prescriber's timeline say so.
    const { recent } = await getSettingDashboard(actor, db(), NOW);
    expect(recent.find((r) => r.id === recorded.id)?.acknowledgedConcerns).toEqual([
      "Baseline tests missing",
      "Baseline tests too old",
      "No dispense authorization named",
    ]);
    const timeline = await getPatientTimeline(await prescriberActor(team.prescriber), patient.id, db(), NOW);
    const event = timeline.events.find((e) => e.kind === "infusion");
    expect(event?.detail).toContain(
      "Recorded with what was not in order acknowledged: Baseline tests missing for course 1",
    );
  });

  it("records without any acknowledgement when everything is in order, and keeps none", async () => {
    const { actor, patient } = await world();
    await addResults(
      patient.id,
      BASELINE.map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -10) })),
    );
    const authorization = await createDispenseAuthorization({ patient, status: "DISPENSED" });
    const recorded = await recordInfusion(
      actor,
      infusion(patient.id, TODAY, { ...asIs, authorizationNumber: authorization.authorizationNumber ?? "" }),
      db(),
      NOW,
    );
    expect(recorded.acknowledgedConcerns).toEqual([]);
    expect((await stored(patient.id))[0]?.acknowledgedConcerns).toEqual([]);
  });

  it("names overdue monitoring and the overdue status form before a later course", async () => {
    const { team, actor, patient } = await world({ enrolledOn: "2025-04-01" });
    // Course 1 thirteen months ago; monthly labs for three months, then nothing; one status form.
    const course1 = [0, 1, 2, 3, 4].map((i) => ({
      infusedOn: addDays("2025-05-04", i),
      courseNumber: 1,
      dayInCourse: i + 1,
    }));
    await addInfusions(patient.id, team.setting.setting.id, actor.userId, course1);
    await addResults(patient.id, [
      ...["2025-06-05", "2025-07-05", "2025-08-05"].flatMap((collectedOn) =>
        ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS"].map((testCode) => ({ testCode, collectedOn })),
      ),
      ...BASELINE.map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -5) })),
    ]);
    await addStatusForm(patient.id, team.prescriber.user.id, "2025-08-05");
    const authorization = await createDispenseAuthorization({ patient, status: "DISPENSED" });
    const number = authorization.authorizationNumber ?? "";
    const error = await refusal(
      recordInfusion(actor, infusion(patient.id, TODAY, { ...asIs, authorizationNumber: number }), db(), NOW),
    );
    expect(concernsOf(error).map((c) => c.code)).toEqual(["STATUS_FORM_OVERDUE"]);
    expect(error.details?.fields?.acknowledgedConcerns).toEqual([
      "The Patient Status Form was overdue on 15 Jun 2026 (it was due 5 Feb 2026).",
    ]);
    // The fresh baseline draw also counts as this month's labs; without it they were overdue.
    const other = await world({ enrolledOn: "2025-04-01" });
    await addInfusions(other.patient.id, other.team.setting.setting.id, other.actor.userId, course1);
    await addStatusForm(other.patient.id, other.team.prescriber.user.id, "2026-05-01");
    const overdue = await refusal(
      recordInfusion(
        other.actor,
        infusion(other.patient.id, TODAY, {
          acknowledgedConcerns: ["BASELINE_LABS_MISSING", "NO_DISPENSE_AUTHORIZATION"],
        }),
        db(),
        NOW,
      ),
    );
    const monitoring = concernsOf(overdue).find((c) => c.code === "MONITORING_OVERDUE");
    expect(monitoring?.message).toMatch(
      /^Safety monitoring overdue on 15 Jun 2026: Complete blood count with differential \(was due 4 Jun 2025\)/,
    );
    expect(await countRows(other.patient.id)).toEqual({ infusions: 5, audits: 0 });
  });

  it("refuses on the field an authorization approved for an earlier course", async () => {
    const { team, actor, patient } = await world();
    const course1 = [0, 1, 2, 3, 4].map((i) => ({
      infusedOn: addDays("2025-06-01", i),
      courseNumber: 1,
      dayInCourse: i + 1,
    }));
    await addInfusions(patient.id, team.setting.setting.id, actor.userId, course1);
    const old = await createDispenseAuthorization({
      patient,
      status: "DISPENSED",
      createdAt: new Date("2025-05-28T14:00:00Z"),
    });
    const error = await refusal(
      recordInfusion(
        actor,
        infusion(patient.id, TODAY, { authorizationNumber: old.authorizationNumber ?? "" }),
        db(),
        NOW,
      ),
    );
    expect(error.details?.reason).toBe("AUTHORIZATION_OTHER_COURSE");
    expect(Object.keys(error.details?.fields ?? {})).toEqual(["authorizationNumber"]);
    expect(error.details?.fields?.authorizationNumber?.[0]).toBe(
      `Authorization ${old.authorizationNumber} was approved on 2025-05-28, for an earlier course (course 1 ended on 2025-06-05); it does not cover course 2. Ask the pharmacy for the authorization this course's drug was dispensed under.`,
    );
    expect(await countRows(patient.id)).toEqual({ infusions: 5, audits: 0 });
    const current = await createDispenseAuthorization({
      patient,
      status: "DISPENSED",
      createdAt: new Date("2026-06-12T09:00:00Z"),
    });
    const ok = await recordInfusion(
      actor,
      infusion(patient.id, TODAY, { authorizationNumber: current.authorizationNumber ?? "" }),
      db(),
      NOW,
    );
    expect([ok.courseNumber, ok.authorizationNumber]).toEqual([2, current.authorizationNumber]);
  });
});
