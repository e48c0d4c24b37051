/**
 * Which monitoring reminders a schedule calls for. Pure: the service decides who the recipients
 * are and relies on MonitoringReminder's unique key to send each one once.
 */
import type { MonitoringSchedule } from "../monitoring/types";

export type ReminderKind = "due_soon" | "overdue";

export interface ReminderRecipient {
  email: string;
  /** The prescriber is told about their patient; the patient about themselves. */
  audience: "prescriber" | "patient";
}

export interface DueReminder {
  itemCode: string;
  itemName: string;
  kind: ReminderKind;
  dueOn: string;
  recipient: ReminderRecipient;
}

/**
 * One reminder per item that is due soon or overdue, per recipient. The due date is part of the
 * reminder's identity, so a new result (a new due date) makes the next reminder a new one.
 */
export function remindersFor(schedule: MonitoringSchedule, recipients: readonly ReminderRecipient[]): DueReminder[] {
  const unique = new Map<string, ReminderRecipient>();
  for (const r of recipients) {
    const email = r.email.trim().toLowerCase();
    if (email && !unique.has(email)) unique.set(email, { ...r, email });
  }
  const reminders: DueReminder[] = [];
  for (const item of schedule.items) {
    if ((item.state !== "due_soon" && item.state !== "overdue") || item.nextDueOn === null) continue;
    for (const recipient of unique.values()) {
      reminders.push({ itemCode: item.code, itemName: item.name, kind: item.state, dueOn: item.nextDueOn, recipient });
    }
  }
  return reminders;
}

/**
 * The e-mail for one reminder, written on `today` (an ISO day). Prescribers get the REMS patient
 * id, never the patient's name. An item stays "due soon" through its grace days after the due date,
 * so the wording follows the date: coming up, due today, or due since a day already past.
 */
export function reminderMail(
  reminder: DueReminder,
  patient: { remsId: string },
  programName: string,
  appUrl: string,
  today: string,
): { subject: string; text: string } {
  const what = reminder.itemName;
  const timing: "overdue" | "upcoming" | "today" | "past" =
    reminder.kind === "overdue"
      ? "overdue"
      : reminder.dueOn > today
        ? "upcoming"
        : reminder.dueOn === today
          ? "today"
          : "past";
  const when = {
    overdue: `was due on ${reminder.dueOn} and is now overdue`,
    upcoming: `is due on ${reminder.dueOn}`,
    today: `is due today (${reminder.dueOn})`,
    past: `was due on ${reminder.dueOn} and no result is recorded yet`,
  }[timing];
  if (reminder.recipient.audience === "patient") {
    const label = { overdue: "Overdue", upcoming: "Coming up", today: "Due today", past: "Due now" }[timing];
    return {
      subject: `${label}: your ${what}`,
      text: [
        `Your ${what} for the ${programName} ${when}.`,
        "Please arrange it with your doctor's office. Regular monitoring finds side effects early, while they are easiest to treat.",
        "",
        `See what is due next: ${appUrl}/patient`,
      ].join("\n"),
    };
  }
  const label = { overdue: "Overdue", upcoming: "Due soon", today: "Due today", past: "Due now" }[timing];
  return {
    subject: `${label}: ${what} for patient ${patient.remsId}`,
    text: [
      `${what} for patient ${patient.remsId} (${programName}) ${when}.`,
      "",
      `Your patients' monitoring: ${appUrl}/prescriber`,
    ].join("\n"),
  };
}
