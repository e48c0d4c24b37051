/**
 * Demo patients for dr.ada at the demo infusion center, built through the registry's own services
 * (enrollment, lab results, infusions, status forms) with dates relative to the day the seed runs:
 * - compliant: two courses behind her (27 and 14 months ago), monitoring up to date, fresh baseline
 *   labs: due to start course 3 now;
 * - overdueLabs: last course 13 months ago (the interval is fine) but monthly labs stopped 3 months ago;
 * - betweenCourses: course 1 five months ago, monitoring up to date: course 2 is too early;
 * - firstCourse: enrolled three months ago, fresh baseline labs, no infusion yet: due to start
 *   course 1 (the demo pharmacy has dispensed and approved its vials, lib/demo/dispensing.ts);
 * - disenrolled: treatment stopped.
 */
import type { Actor } from "../auth/actor";
import type { Db } from "../db";
import { INFUSION_CONCERN_CODES } from "../infusions/rules";
import { recordInfusion } from "../infusions/service";
import { recordLabResult } from "../labs/service";
import { addDays, addMonths, dayOf } from "../monitoring/rules";
import { enrollPatient, setPatientStatus } from "../patients/service";
import type { TProgramDefinition } from "../programs/schema";
import { submitStatusForm } from "../status-forms/service";

export interface DemoPatient {
  remsId: string;
  name: string;
  /** As an EHR holds them (CDS Hooks, FHIR and NCPDP examples). */
  given: string;
  family: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  sex: "female" | "male";
  /** The REMS case number: the REMS patient id. */
  caseNumber: string;
}

export interface DemoPatients {
  compliant: DemoPatient;
  overdueLabs: DemoPatient;
  betweenCourses: DemoPatient;
  firstCourse: DemoPatient;
  disenrolled: DemoPatient;
}

type Plan = {
  key: keyof DemoPatients;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  sex: "female" | "male";
  /** First day of each course, in months before today (negative). */
  courses: number[];
  /** Labs stop this many months before today (0 = up to date). */
  labsStopMonthsAgo: number;
  statusFormToday: boolean;
  disenroll?: boolean;
};

const PLANS: Plan[] = [
  {
    key: "compliant",
    firstName: "Maria",
    lastName: "Santos",
    dateOfBirth: "1986-03-14",
    sex: "female",
    courses: [-27, -14],
    labsStopMonthsAgo: 0,
    statusFormToday: true,
  },
  {
    key: "overdueLabs",
    firstName: "James",
    lastName: "Whitaker",
    dateOfBirth: "1979-11-02",
    sex: "male",
    courses: [-26, -13],
    labsStopMonthsAgo: 3,
    statusFormToday: true,
  },
  {
    key: "betweenCourses",
    firstName: "Priya",
    lastName: "Raman",
    dateOfBirth: "1991-07-22",
    sex: "female",
    courses: [-5],
    labsStopMonthsAgo: 0,
    statusFormToday: true,
  },
  {
    key: "firstCourse",
    firstName: "Elena",
    lastName: "Novak",
    dateOfBirth: "1994-05-09",
    sex: "female",
    courses: [],
    labsStopMonthsAgo: 0,
    statusFormToday: true,
  },
  {
    key: "disenrolled",
    firstName: "Thomas",
    lastName: "Berg",
    dateOfBirth: "1983-01-30",
    sex: "male",
    courses: [],
    labsStopMonthsAgo: 0,
    statusFormToday: false,
    disenroll: true,
  },
];

function demoPatient(plan: Plan, remsId: string): DemoPatient {
  return {
    remsId,
    name: `${plan.firstName} ${plan.lastName}`,
    given: plan.firstName,
    family: plan.lastName,
    birthDate: plan.dateOfBirth,
    sex: plan.sex,
    caseNumber: remsId,
  };
}

/** A Date at noon UTC on a calendar day, so "now" for a backdated service call is that day. */
function at(day: string): Date {
  return new Date(`${day}T12:00:00.000Z`);
}

export async function seedDemoPatients(
  client: Db,
  input: {
    definition: TProgramDefinition;
    prescriber: Actor;
    prescriberPassword: string;
    /** A second-factor code for each of the prescriber's signatures (the programme requires one). */
    prescriberCode: () => Promise<string>;
    settingRep: Actor;
    settingId: string;
    today?: Date;
  },
): Promise<DemoPatients> {
  const { definition, prescriber, settingRep } = input;
  const today = dayOf(input.today ?? new Date());
  const patientReq = definition.stakeholders.patient;
  const monitoring = definition.monitoring;
  const courses = definition.courses;
  if (!patientReq || !monitoring || !courses)
    throw new Error(`${definition.code} has no patient monitoring or courses`);
  const out: Partial<DemoPatients> = {};

  for (const plan of PLANS) {
    const existing = await client.patient.findFirst({
      where: { firstName: plan.firstName, lastName: plan.lastName, prescriber: { userId: prescriber.userId } },
      select: { remsId: true },
    });
    if (existing) {
      out[plan.key] = demoPatient(plan, existing.remsId);
      continue;
    }
    const firstCourseDay = plan.courses.length ? addMonths(today, plan.courses[0] ?? 0) : addMonths(today, -2);
    const enrolledOn = addDays(firstCourseDay, -40);
    const enrolled = await enrollPatient(
      prescriber,
      {
        programCode: definition.code,
        values: {
          firstName: plan.firstName,
          lastName: plan.lastName,
          dateOfBirth: plan.dateOfBirth,
          sex: plan.sex,
          addressLine1: "48 Lakeview Drive",
          city: "Springfield",
          state: "IL",
          zip: "62704",
          phone: "217-555-0177",
        },
        healthcareSettingId: input.settingId,
        counselledMaterialIds: patientReq.counselling?.materials.map((m) => m.id) ?? [],
        signatureMethod: "PAPER",
        coSignature: {
          printedName: prescriber.name,
          password: input.prescriberPassword,
          code: await input.prescriberCode(),
          attestations: patientReq.coSignature?.attestations.map((a) => a.id) ?? [],
        },
      },
      client,
      at(enrolledOn),
    );
    out[plan.key] = demoPatient(plan, enrolled.remsId);
    const patientId = enrolled.patientId;

    // Infusion days, course by course.
    const doseDays: string[] = [];
    plan.courses.forEach((monthsAgo, index) => {
      const first = addMonths(today, monthsAgo);
      const days = index === 0 ? courses.first.consecutiveDays : courses.subsequent.consecutiveDays;
      for (let d = 0; d < days; d++) doseDays.push(addDays(first, d));
    });

    // Results: baseline before each course, then each test at its interval until labs stop.
    const labsUntil = addMonths(today, -plan.labsStopMonthsAgo);
    const results: { testCode: string; collectedOn: string }[] = [];
    const courseStarts = plan.courses.map((m) => addMonths(today, m));
    for (const start of courseStarts) {
      for (const code of monitoring.baseline.testCodes)
        results.push({ testCode: code, collectedOn: addDays(start, -10) });
    }
    if (doseDays.length) {
      for (const test of monitoring.testTypes) {
        // Regular results, a little before each due date.
        let day = addDays(courseStarts[0] ?? today, test.intervalDays - 5);
        while (day <= labsUntil && day < today) {
          results.push({ testCode: test.code, collectedOn: day });
          day = addDays(day, test.intervalDays - 5);
        }
      }
    }
    if (plan.key === "compliant" || plan.key === "firstCourse") {
      // Fresh baseline for the next course.
      for (const code of monitoring.baseline.testCodes)
        results.push({ testCode: code, collectedOn: addDays(today, -7) });
    }

    // Record everything in date order, each on its own day, through the services.
    const events = [
      ...results.map((r) => ({ day: r.collectedOn, kind: "lab" as const, testCode: r.testCode })),
      ...doseDays.map((day) => ({ day, kind: "dose" as const, testCode: "" })),
    ].sort((a, b) => (a.day === b.day ? (a.kind === "lab" ? -1 : 1) : a.day < b.day ? -1 : 1));
    const seen = new Set<string>();
    let n = 0;
    for (const e of events) {
      if (e.kind === "lab") {
        const key = `${e.testCode}|${e.day}`;
        if (seen.has(key)) continue;
        seen.add(key);
        n++;
        const abnormal = e.testCode === "TSH" && n % 7 === 0;
        await recordLabResult(
          prescriber,
          {
            patientId,
            testCode: e.testCode,
            collectedOn: e.day,
            abnormal,
            note: abnormal ? "TSH slightly low; repeat at next draw." : undefined,
          },
          client,
          at(e.day),
        );
      } else {
        await recordInfusion(
          settingRep,
          {
            patientId,
            infusedOn: e.day,
            doseMg: courses.doseMgPerDay,
            vialLot: `LOT-${e.day.slice(0, 7).replace("-", "")}`,
            premedicationGiven: "yes",
            observationCompleted: "yes",
            // The demo history names no dispense authorization (and its status forms start today):
            // the setting acknowledges what was not in order, as it would on the form.
            acknowledgedConcerns: [...INFUSION_CONCERN_CODES],
            // The first infusion of the first course gave a moderate reaction (the reports and the
            // dashboard show it); the others none.
            ...(e.day === doseDays[0]
              ? {
                  reaction: "yes" as const,
                  reactionSeverity: "moderate" as const,
                  reactionNarrative: "Flushing and headache during the infusion; the rate was slowed and it resolved.",
                }
              : { reaction: "no" as const }),
          },
          client,
          at(e.day),
        );
      }
    }

    if (plan.statusFormToday) {
      await submitStatusForm(
        prescriber,
        {
          patientId,
          printedName: prescriber.name,
          password: input.prescriberPassword,
          code: await input.prescriberCode(),
          answers: {
            labsUpToDate: plan.labsStopMonthsAgo > 0 ? "no" : "yes",
            newAutoimmuneCondition: "no",
            seriousInfection: "no",
            malignancy: "no",
            pregnancy: "no",
          },
        },
        client,
      );
    }
    if (plan.disenroll) {
      await setPatientStatus(
        prescriber,
        { patientId, status: "DISENROLLED", reasonCode: "treatment_stopped", reason: "Patient chose another therapy." },
        client,
        at(addDays(today, -20)),
      );
    }
  }
  return out as DemoPatients;
}
