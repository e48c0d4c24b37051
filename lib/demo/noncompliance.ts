/**
 * The demo world's non-compliance case: the demo infusion center has a corrective action plan due
 * in five days, so the dashboard, the case list and the setting's page show a case in progress.
 * Nothing is suspended (the dispense-gate journeys need every demo party certified).
 */
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { openCase, takeStep } from "../noncompliance/service";
import { addFile, addNote } from "../noncompliance/evidence-service";
import { addDaysIso } from "../noncompliance/rules";

/** Returns the case's id and its evidence file's id (the authorization matrix opens both). */
export async function seedDemoNonCompliance(
  client: Db,
  admin: Actor,
  settingEnrollmentId: string,
  now = new Date(),
): Promise<{ caseId: string; fileId: string }> {
  const existing = await client.nonComplianceCase.findFirst({
    where: { enrollmentId: settingEnrollmentId },
    orderBy: { openedAt: "asc" },
    select: { id: true, evidence: { where: { kind: "FILE" }, select: { id: true }, take: 1 } },
  });
  if (existing) return { caseId: existing.id, fileId: existing.evidence[0]?.id ?? "" };
  const opened = await openCase(
    admin,
    {
      enrollmentId: settingEnrollmentId,
      type: "INFUSION_REQUIREMENTS_NOT_MET",
      description:
        "Two infusion records from last month show no post-infusion observation period. The programme requires observation for at least two hours after each infusion.",
    },
    client,
    now,
  );
  await addNote(
    admin,
    { caseId: opened.id, note: "Called the nurse manager: the observation log was kept on paper and not entered." },
    client,
  );
  const file = await addFile(
    admin,
    {
      caseId: opened.id,
      fileName: "observation-log.csv",
      declaredType: "text/csv",
      bytes: new TextEncoder().encode("infusion day,observation start,observation end\nday 1,,\nday 2,,\n"),
    },
    client,
  );
  await takeStep(
    admin,
    {
      caseId: opened.id,
      version: 0,
      step: "NOTICE",
      reason:
        "Post-infusion observation was not recorded for two infusions. Record the observation for every infusion.",
    },
    client,
    now,
  );
  await takeStep(
    admin,
    {
      caseId: opened.id,
      version: 1,
      step: "CORRECTIVE_ACTION",
      reason: "Enter the paper observation logs into the registry and brief the infusion nurses on the requirement.",
      dueOn: addDaysIso(now.toISOString().slice(0, 10), 5),
    },
    client,
    now,
  );
  return { caseId: opened.id, fileId: file.id };
}
