/**
 * Monitoring reminders: for every enrolled patient, each monitoring item that is due soon or
 * overdue is e-mailed to the prescriber (and to the patient when they have an account) once.
 * "Once" is the MonitoringReminder unique key (patient, item, kind, due date, recipient): the row
 * and its queued e-mail are written in one transaction, and a row that already exists means the
 * reminder was sent, so it is skipped. Several instances may run this at the same time.
 */
import { isoDay } from "../courses/dates";
import { loadMonitoringFacts } from "../dashboards/monitoring-facts";
import { db, type Db } from "../db";
import { env } from "../env";
import { queueMail } from "../mail/outbox";
import { monitoringSchedule } from "../monitoring/rules";
import { getProgramDefinition } from "../programs/registry";
import { type TProgramDefinition, ZProgramDefinition } from "../programs/schema";
import { type DueReminder, type ReminderRecipient, reminderMail, remindersFor } from "./rules";

const BATCH = 200;

export interface ReminderRun {
  patientsChecked: number;
  remindersQueued: number;
}

function dateOnly(value: string): Date {
  return new Date(`${value}T00:00:00.000Z`);
}

type Loaded = Awaited<ReturnType<typeof loadBatch>>[number];

function loadBatch(client: Db, cursor: string | undefined) {
  return client.enrollment.findMany({
    where: { kind: "PATIENT", status: "ENROLLED", patientId: { not: null } },
    orderBy: { id: "asc" },
    take: BATCH,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    select: {
      id: true,
      patientId: true,
      programId: true,
      certifiedAt: true,
      createdAt: true,
      monitoringOverdueSince: true,
      program: { select: { code: true, name: true, definition: true } },
      patient: {
        select: {
          id: true,
          remsId: true,
          user: { select: { email: true, status: true } },
          prescriber: { select: { email: true, user: { select: { email: true, status: true } } } },
        },
      },
    },
  });
}

function recipientsOf(row: Loaded): ReminderRecipient[] {
  const recipients: ReminderRecipient[] = [];
  const prescriber = row.patient?.prescriber;
  const prescriberEmail = prescriber?.email ?? (prescriber?.user?.status === "ACTIVE" ? prescriber.user.email : null);
  if (prescriberEmail) recipients.push({ email: prescriberEmail, audience: "prescriber" });
  const patientUser = row.patient?.user;
  if (patientUser && patientUser.status === "ACTIVE")
    recipients.push({ email: patientUser.email, audience: "patient" });
  return recipients;
}

/** Inserts the reminder row and queues its e-mail together; false when it was already sent. */
async function sendOnce(
  client: Db,
  patient: { id: string; remsId: string },
  reminder: DueReminder,
  programName: string,
  appUrl: string,
  today: string,
): Promise<boolean> {
  return client.$transaction(async (tx) => {
    const inserted = await tx.monitoringReminder.createMany({
      data: [
        {
          patientId: patient.id,
          itemCode: reminder.itemCode,
          kind: reminder.kind,
          dueOn: dateOnly(reminder.dueOn),
          recipient: reminder.recipient.email,
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) return false;
    const mail = reminderMail(reminder, patient, programName, appUrl, today);
    await queueMail(tx, {
      to: reminder.recipient.email,
      subject: mail.subject,
      text: mail.text,
      category: `monitoring.${reminder.kind}`,
      entityType: "Patient",
      entityId: patient.id,
    });
    return true;
  });
}

/** The earliest due date among overdue items; null when nothing is overdue. */
export function overdueSince(schedule: { items: { state: string; nextDueOn: string | null }[] }): string | null {
  const days = schedule.items.flatMap((i) => (i.state === "overdue" && i.nextDueOn ? [i.nextDueOn] : [])).sort();
  return days[0] ?? null;
}

/**
 * Writes each checked patient's overdue-since day where it changed (one update per distinct day),
 * so the administrator's dashboard can count overdue patients from an index.
 */
async function recordOverdue(client: Db, changes: Map<string, string | null>): Promise<void> {
  const byDay = new Map<string | null, string[]>();
  for (const [id, day] of changes) byDay.set(day, [...(byDay.get(day) ?? []), id]);
  for (const [day, ids] of byDay) {
    await client.enrollment.updateMany({
      where: { id: { in: ids } },
      data: { monitoringOverdueSince: day === null ? null : dateOnly(day) },
    });
  }
}

/**
 * Queues every monitoring reminder that is due at `now` and not yet sent; delivery is the mail job's.
 * Also marks each patient's overdue monitoring for the dashboard; `remind: false` only marks.
 */
export async function runMonitoringReminders(
  now: Date = new Date(),
  client: Db = db(),
  options: { remind?: boolean } = {},
): Promise<ReminderRun> {
  const today = isoDay(now);
  const appUrl = env().APP_URL.replace(/\/$/, "");
  const definitions = new Map<string, TProgramDefinition>();
  const definitionOf = (program: { code: string; definition: unknown }) => {
    let definition = definitions.get(program.code);
    if (!definition) {
      definition = getProgramDefinition(program.code) ?? ZProgramDefinition.parse(program.definition);
      definitions.set(program.code, definition);
    }
    return definition;
  };
  const run: ReminderRun = { patientsChecked: 0, remindersQueued: 0 };
  let cursor: string | undefined;
  for (;;) {
    const batch = await loadBatch(client, cursor);
    if (batch.length === 0) break;
    cursor = batch.at(-1)?.id;
    const byProgram = new Map<string, Loaded[]>();
    const overdueChanges = new Map<string, string | null>();
    for (const row of batch) byProgram.set(row.programId, [...(byProgram.get(row.programId) ?? []), row]);
    for (const [programId, rows] of byProgram) {
      const facts = await loadMonitoringFacts(
        client,
        programId,
        rows.flatMap((r) =>
          r.patientId ? [{ patientId: r.patientId, certifiedAt: r.certifiedAt, createdAt: r.createdAt }] : [],
        ),
      );
      for (const row of rows) {
        const patientFacts = row.patientId ? facts.get(row.patientId) : undefined;
        if (!row.patient || !patientFacts) continue;
        run.patientsChecked++;
        const definition = definitionOf(row.program);
        if (!definition.monitoring) continue;
        const schedule = monitoringSchedule(definition.monitoring, patientFacts, today);
        const since = overdueSince(schedule);
        if (since !== (row.monitoringOverdueSince ? isoDay(row.monitoringOverdueSince) : null)) {
          overdueChanges.set(row.id, since);
        }
        if (options.remind === false) continue;
        for (const reminder of remindersFor(schedule, recipientsOf(row))) {
          if (await sendOnce(client, row.patient, reminder, definition.name, appUrl, today)) run.remindersQueued++;
        }
      }
    }
    await recordOverdue(client, overdueChanges);
    if (batch.length < BATCH) break;
  }
  return run;
}
