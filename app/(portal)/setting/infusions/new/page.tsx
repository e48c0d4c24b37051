import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";
import { z } from "zod";
import { RecordInfusionForm } from "@/components/infusions/record-infusion-form";
import { requirePagePermission } from "@/lib/auth/session";
import { isoDay } from "@/lib/courses/dates";
import { listSettingPatients } from "@/lib/dashboards/queries";
import { listProgramDefinitions } from "@/lib/programs/registry";

export const metadata: Metadata = { title: "Record an infusion" };

export default async function Page({ searchParams }: { searchParams: Promise<{ patient?: string | string[] }> }) {
  const actor = await requirePagePermission("portal:setting", "/setting/infusions/new");
  if (!actor.healthcareSettingId) forbidden();
  const { patient } = await searchParams;
  const requested = typeof patient === "string" && z.uuid().safeParse(patient).success ? patient : null;
  const patients = await listSettingPatients(actor);
  // Every programme the registry runs today gives one daily dose; the server checks the patient's own.
  const doseMgPerDay = listProgramDefinitions().find((d) => d.courses)?.courses?.doseMgPerDay ?? 0;
  return (
    <div className="narrow">
      <h1>Record an infusion</h1>
      <p className="muted">
        Record each infusion on the day it is given. The registry checks that the patient is enrolled and treated at
        your setting, and works out the course and day from the course rules.
      </p>
      {patients.length === 0 ? (
        <p>No enrolled patient is treated at your healthcare setting yet.</p>
      ) : (
        <RecordInfusionForm
          patients={patients}
          patientId={requested && patients.some((p) => p.id === requested) ? requested : null}
          today={isoDay(new Date())}
          doseMgPerDay={doseMgPerDay}
        />
      )}
      <p>
        <Link href="/setting">Back to the dashboard</Link>
      </p>
    </div>
  );
}
