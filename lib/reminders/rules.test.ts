import { describe, expect, it } from "vitest";
import type { MonitoringSchedule } from "../monitoring/types";
import { type ReminderRecipient, reminderMail, remindersFor } from "./rules";

const schedule: MonitoringSchedule = {
  overall: "overdue",
  monitoringEndsOn: "2029-01-01",
  items: [
    { code: "CBC_DIFF", name: "Complete blood count", lastOn: "2025-01-01", nextDueOn: "2025-02-01", state: "overdue" },
    { code: "TSH", name: "Thyroid function", lastOn: "2025-03-01", nextDueOn: "2025-06-01", state: "due_soon" },
    { code: "SKIN_EXAM", name: "Skin examination", lastOn: "2025-03-01", nextDueOn: "2026-03-01", state: "ok" },
    { code: "X", name: "Done", lastOn: null, nextDueOn: null, state: "complete" },
  ],
};

describe("remindersFor", () => {
  it("gives one reminder per due-soon or overdue item per distinct recipient", () => {
    const reminders = remindersFor(schedule, [
      { email: "Dr@Example.test", audience: "prescriber" },
      { email: "dr@example.test", audience: "prescriber" },
      { email: "pat@example.test", audience: "patient" },
    ]);
    expect(reminders.map((r) => [r.itemCode, r.kind, r.dueOn, r.recipient.email])).toEqual([
      ["CBC_DIFF", "overdue", "2025-02-01", "dr@example.test"],
      ["CBC_DIFF", "overdue", "2025-02-01", "pat@example.test"],
      ["TSH", "due_soon", "2025-06-01", "dr@example.test"],
      ["TSH", "due_soon", "2025-06-01", "pat@example.test"],
    ]);
  });

  it("gives nothing when everything is ok or there is no recipient", () => {
    expect(
      remindersFor({ ...schedule, items: schedule.items.slice(2) }, [{ email: "a@b.test", audience: "prescriber" }]),
    ).toEqual([]);
    expect(remindersFor(schedule, [])).toEqual([]);
  });
});

describe("reminderMail", () => {
  it("names the patient by REMS id only in the prescriber's e-mail", () => {
    const [overdue] = remindersFor(schedule, [{ email: "dr@example.test", audience: "prescriber" }]);
    if (!overdue) throw new Error("expected a reminder");
    const mail = reminderMail(overdue, { remsId: "PT-1234-5678" }, "LEMTRADA REMS", "https://rems.test", "2025-05-20");
    expect(mail.subject).toBe("Overdue: Complete blood count for patient PT-1234-5678");
    expect(mail.text).toContain("was due on 2025-02-01");
    expect(mail.text).toContain("https://rems.test/prescriber");
  });
  it("speaks to the patient about their own test", () => {
    const [, , , dueSoon] = remindersFor(schedule, [
      { email: "dr@example.test", audience: "prescriber" },
      { email: "pat@example.test", audience: "patient" },
    ]);
    if (!dueSoon) throw new Error("expected a reminder");
    const mail = reminderMail(dueSoon, { remsId: "PT-1" }, "LEMTRADA REMS", "https://rems.test", "2025-05-20");
    expect(mail.subject).toBe("Coming up: your Thyroid function");
    expect(mail.text).not.toContain("PT-1");
  });
  it("words a due-soon item by its date: coming up, due today, or due since a day already past", () => {
    const base = { itemCode: "TSH", itemName: "Thyroid function", kind: "due_soon" as const, dueOn: "2026-11-27" };
    const prescriber: ReminderRecipient = { email: "dr@example.test", audience: "prescriber" };
    const patient: ReminderRecipient = { email: "pat@example.test", audience: "patient" };
    const mail = (today: string, recipient = prescriber) =>
      reminderMail({ ...base, recipient }, { remsId: "PT-1" }, "LEMTRADA REMS", "https://rems.test", today);
    expect(mail("2026-11-20").subject).toBe("Due soon: Thyroid function for patient PT-1");
    expect(mail("2026-11-20").text).toContain("is due on 2026-11-27.");
    expect(mail("2026-11-27").subject).toBe("Due today: Thyroid function for patient PT-1");
    expect(mail("2026-11-27").text).toContain("is due today (2026-11-27).");
    // Within the grace days after the due date the item is not overdue yet, but it is not "due on" a past day.
    expect(mail("2026-11-30").subject).toBe("Due now: Thyroid function for patient PT-1");
    expect(mail("2026-11-30").text).toContain("was due on 2026-11-27 and no result is recorded yet.");
    expect(mail("2026-11-30", patient).subject).toBe("Due now: your Thyroid function");
    expect(mail("2026-11-20", patient).subject).toBe("Coming up: your Thyroid function");
  });
});
