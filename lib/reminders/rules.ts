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

/** The e-mail for one reminder. Prescribers get the REMS patient id, never the patient's name. */
export function reminderMail(
  reminder: DueReminder,
  patient: { remsId: string },
  programName: string,
  appUrl: string,
): { subject: string; text: string } {
  const what = reminder.itemName;
  const when =
    reminder.kind === "overdue" ? `was due on ${reminder.dueOn} and is now overdue` : `is due on ${reminder.dueOn}`;
  if (reminder.recipient.audience === "patient") {
    return {
      subject: reminder.kind === "overdue" ? `Overdue: your ${what}` : `Coming up: your ${what}`,
      text: [
        `Your ${what} for the ${programName} ${when}.`,
        "Please arrange it with your doctor's office. Regular monitoring finds side effects early, while they are easiest to treat.",
        "",
        `See what is due next: ${appUrl}/patient`,
      ].join("\n"),
    };
  }
  return {
    subject: `${reminder.kind === "overdue" ? "Overdue" : "Due soon"}: ${what} for patient ${patient.remsId}`,
    text: [
      `${what} for patient ${patient.remsId} (${programName}) ${when}.`,
      "",
      `Your patients' monitoring: ${appUrl}/prescriber`,
    ].join("\n"),
  };
}
