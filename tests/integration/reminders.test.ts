import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, isoDay } from "../../lib/courses/dates";
import { db, disconnectDb } from "../../lib/db";
import { resolveDatabaseConfig } from "../../lib/db/config";
import { runReminderJob, startPgBossJobs } from "../../lib/jobs/scheduler";
import { deliverPendingMail } from "../../lib/mail/deliver";
import { runMonitoringReminders } from "../../lib/reminders/service";
import { startSmtpServer, type TestSmtpServer } from "../setup/smtp";
import { addInfusions, addResults, addStatusForm, createCareTeam, createPatient } from "../factories/clinical";

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp.close();
  await disconnectDb();
});

const NOW = new Date("2026-03-20T09:00:00Z");
const TODAY = isoDay(NOW);
const LABS = ["CBC_DIFF", "SERUM_CREATININE", "URINALYSIS"];

/** A patient whose course 1 started 40 days ago: monthly labs overdue, thyroid and skin fine. */
async function patientWithOverdueLabs(options: { withAccount: boolean; today?: string }) {
  const today = options.today ?? TODAY;
  const team = await createCareTeam();
  const firstDose = addDays(today, -40);
  const created = await createPatient({
    prescriberId: team.prescriber.prescriber.id,
    healthcareSettingId: team.setting.setting.id,
    withAccount: options.withAccount,
    enrolledOn: addDays(today, -60),
  });
  await addInfusions(
    created.patient.id,
    team.setting.setting.id,
    team.setting.user.id,
    [0, 1, 2, 3, 4].map((i) => ({ infusedOn: addDays(firstDose, i), courseNumber: 1, dayInCourse: i + 1 })),
  );
  await addResults(created.patient.id, [
    ...["TSH", "SKIN_EXAM", ...LABS].map((testCode) => ({ testCode, collectedOn: addDays(firstDose, -10) })),
  ]);
  return { team, firstDose, ...created };
}

/** The reminders `to` received (accounts made through sign-up also got their activation link). */
function received(to: string) {
  return smtp.messages.filter((m) => m.envelopeTo.includes(to) && m.subject !== "Activate your REMS registry account");
}

/** Sends what is queued for these addresses (the outbox is shared with every other test file). */
async function deliverTo(...to: string[]) {
  for (let i = 0; i < 20; i++) if ((await deliverPendingMail(db(), 200, { to })) === 0) break;
}

describe("runMonitoringReminders", () => {
  // Runs the whole reminder job several times over a world of patients: 10–15 s alone, more on a
  // busy 2-core machine, so it gets more than the default 30 s.
  it("e-mails the prescriber and the patient once per overdue item, however often the job runs", {
    timeout: 90_000,
  }, async () => {
    const { team, patient, firstDose, account } = await patientWithOverdueLabs({ withAccount: true });
    const prescriberEmail = team.prescriber.user.email;
    const patientEmail = account?.user.email ?? "";

    await runReminderJob(NOW);
    await runReminderJob(NOW);
    await deliverTo(prescriberEmail, patientEmail);

    const dueOn = addDays(firstDose, 31);
    const toPrescriber = received(prescriberEmail);
    expect(toPrescriber.map((m) => m.subject).sort()).toEqual(
      [
        `Overdue: Complete blood count with differential for patient ${patient.remsId}`,
        `Overdue: Serum creatinine for patient ${patient.remsId}`,
        `Overdue: Urinalysis with urine cell counts for patient ${patient.remsId}`,
      ].sort(),
    );
    expect(toPrescriber[0]?.text).toContain(`was due on ${dueOn}`);
    expect(toPrescriber.some((m) => m.text.includes(patient.lastName))).toBe(false);
    const toPatient = received(patientEmail);
    expect(toPatient).toHaveLength(3);
    expect(toPatient.every((m) => m.subject.startsWith("Overdue: your "))).toBe(true);

    const rows = await db().monitoringReminder.findMany({ where: { patientId: patient.id } });
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(["overdue"]));
    expect(rows.every((r) => isoDay(r.dueOn) === dueOn)).toBe(true);
    // The dashboard's overdue mark: the earliest overdue due date.
    const mark = await db().enrollment.findFirstOrThrow({
      where: { patientId: patient.id, kind: "PATIENT" },
      select: { monitoringOverdueSince: true },
    });
    expect(mark.monitoringOverdueSince ? isoDay(mark.monitoringOverdueSince) : null).toBe(dueOn);
  });

  it("sends a due-soon reminder, then an overdue one for the same due date, then nothing after a new result", async () => {
    const team = await createCareTeam();
    const { patient } = await createPatient({
      prescriberId: team.prescriber.prescriber.id,
      healthcareSettingId: team.setting.setting.id,
      enrolledOn: addDays(TODAY, -100),
    });
    const firstDose = addDays(TODAY, -60);
    await addInfusions(
      patient.id,
      team.setting.setting.id,
      team.setting.user.id,
      [0, 1, 2, 3, 4].map((i) => ({ infusedOn: addDays(firstDose, i), courseNumber: 1, dayInCourse: i + 1 })),
    );
    // Monthly labs done 28 days ago (due in 3 days); thyroid and skin recent; status form recent.
    await addResults(patient.id, [
      ...LABS.map((testCode) => ({ testCode, collectedOn: addDays(TODAY, -28) })),
      { testCode: "TSH", collectedOn: addDays(TODAY, -5) },
      { testCode: "SKIN_EXAM", collectedOn: addDays(TODAY, -5) },
    ]);
    await addStatusForm(patient.id, team.prescriber.user.id, addDays(TODAY, -10));
    const to = team.prescriber.user.email;
    const dueOn = addDays(TODAY, 3);

    await runMonitoringReminders(NOW);
    await runMonitoringReminders(NOW);
    await deliverTo(to);
    expect(received(to).map((m) => m.subject.split(":")[0])).toEqual(["Due soon", "Due soon", "Due soon"]);

    // Eleven days later the same due date has passed its grace period.
    const later = new Date(NOW.getTime() + 11 * 86_400_000);
    await runMonitoringReminders(later);
    await runMonitoringReminders(later);
    await deliverTo(to);
    expect(received(to).filter((m) => m.subject.startsWith("Overdue"))).toHaveLength(3);
    expect(received(to).every((m) => m.text.includes(dueOn))).toBe(true);

    // New results: the next due date is a month away, so no reminder.
    await addResults(
      patient.id,
      LABS.map((testCode) => ({ testCode, collectedOn: isoDay(later) })),
    );
    const overdueMark = () =>
      db().enrollment.findFirstOrThrow({
        where: { patientId: patient.id, kind: "PATIENT" },
        select: { monitoringOverdueSince: true },
      });
    expect((await overdueMark()).monitoringOverdueSince).not.toBeNull();
    const run = await runMonitoringReminders(later);
    await deliverTo(to);
    expect(received(to)).toHaveLength(6);
    expect((await overdueMark()).monitoringOverdueSince).toBeNull();
    expect(run.patientsChecked).toBeGreaterThan(0);
  });

  it("sends nothing for patients who are not enrolled", async () => {
    const team = await createCareTeam();
    const { patient } = await createPatient({
      prescriberId: team.prescriber.prescriber.id,
      healthcareSettingId: team.setting.setting.id,
      status: "DISENROLLED",
      statusReason: "Treatment stopped",
    });
    await addInfusions(patient.id, team.setting.setting.id, team.setting.user.id, [
      { infusedOn: addDays(TODAY, -90), courseNumber: 1, dayInCourse: 1 },
    ]);
    await runMonitoringReminders(NOW);
    expect(await db().monitoringReminder.count({ where: { patientId: patient.id } })).toBe(0);
  });
});

describe.runIf(resolveDatabaseConfig().kind === "postgres")("reminders through pg-boss on PostgreSQL", () => {
  it("runs the reminder job from the queue and sends each reminder once", async () => {
    // The scheduled job uses the real clock.
    const { team, patient } = await patientWithOverdueLabs({ withAccount: false, today: isoDay(new Date()) });
    const to = team.prescriber.user.email;
    const config = resolveDatabaseConfig();
    if (config.kind !== "postgres") return;
    // Only the reminder job: mail queued by other test files stays theirs to deliver.
    const runner = await startPgBossJobs(config.url, ["monitoring-reminders"]);
    try {
      await runner.trigger("monitoring-reminders");
      await runner.trigger("monitoring-reminders");
      for (let i = 0; i < 60 && (await db().monitoringReminder.count({ where: { patientId: patient.id } })) < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      await runner.stop();
    }
    await deliverTo(to);
    expect(received(to)).toHaveLength(3);
    expect(await db().monitoringReminder.count({ where: { patientId: patient.id } })).toBe(3);
  }, 60_000);
});
