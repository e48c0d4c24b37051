import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { getPatientLabs, recordLabResult } from "../../lib/labs/service";
import { addDays, dayOf } from "../../lib/monitoring/rules";
import { createSettingEnrollment } from "../factories/certified";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { signIn } from "../factories/users";

afterAll(async () => {
  await disconnectDb();
});

describe("monitoring schedule of a patient", () => {
  it("shows a lab overdue after the first dose, and recording the result clears it", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const patient = world.patients[0]!;
    const setting = await createSettingEnrollment();
    const today = dayOf(new Date());
    const firstDose = addDays(today, -100);
    for (let day = 0; day < 5; day++) {
      await db().infusion.create({
        data: {
          patientId: patient.id,
          programId: patient.programId,
          healthcareSettingId: setting.setting.id,
          infusedOn: new Date(`${addDays(firstDose, day)}T00:00:00Z`),
          doseMg: 12,
          vialLot: "LOT-1",
          premedicationGiven: true,
          observationCompleted: true,
          reaction: false,
          courseNumber: 1,
          dayInCourse: day + 1,
          recordedByUserId: setting.user.id,
        },
      });
    }

    const before = await getPatientLabs(actor, patient.id);
    const cbc = before.schedule?.items.find((i) => i.code === "CBC_DIFF");
    expect(cbc).toMatchObject({ state: "overdue", nextDueOn: addDays(firstDose, 31), lastOn: null });
    expect(before.schedule?.overall).toBe("overdue");
    expect(before.schedule?.monitoringEndsOn).not.toBeNull();

    await recordLabResult(actor, { patientId: patient.id, testCode: "CBC_DIFF", collectedOn: today, abnormal: false });
    const after = await getPatientLabs(actor, patient.id);
    expect(after.schedule?.items.find((i) => i.code === "CBC_DIFF")).toMatchObject({
      state: "ok",
      lastOn: today,
      nextDueOn: addDays(today, 31),
    });
  });
});
