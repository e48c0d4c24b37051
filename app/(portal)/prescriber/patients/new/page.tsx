import type { Metadata } from "next";
import Link from "next/link";
import { certificationGate } from "@/components/enrollment/certification-gate";
import { CertificationNotice } from "@/components/enrollment/certification-notice";
import { EnrollPatientForm } from "@/components/patients/enroll-patient-form";
import { signerFactor } from "@/lib/auth/mfa";
import { requirePagePermission } from "@/lib/auth/session";
import { findOwnEnrollments } from "@/lib/enrollment/queries";
import { linkedPrescribers } from "@/lib/enrollment/service";
import { parseEnrollmentPrefill, prefillFormValues } from "@/lib/interop/prefill";
import { listCertifiedSettings } from "@/lib/patients/service";
import { listProgramDefinitions } from "@/lib/programs/registry";

export const metadata: Metadata = { title: "Enroll a patient" };

/**
 * `?program=` picks the programme; `given`, `family`, `birthDate` (YYYY-MM-DD) and `sex` prefill the
 * patient's details (a CDS Hooks card's enrollment link sends them from the EHR's chart). A value
 * that does not fit its field is left out.
 */
export default async function NewPatientPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const path = "/prescriber/patients/new";
  const first = await requirePagePermission("portal:prescriber", path);
  const actor =
    first.role === "PRESCRIBER_DELEGATE"
      ? await requirePagePermission("enrollment:update:linked", path)
      : await requirePagePermission("patient:create:own", path);
  const query = await searchParams;
  const wanted = Array.isArray(query.program) ? query.program[0] : query.program;
  const prefill = prefillFormValues(parseEnrollmentPrefill(query));
  const programs = listProgramDefinitions().filter((d) => d.stakeholders.patient);
  const definition = programs.find((d) => d.code === wanted?.toUpperCase()) ?? programs[0];
  const requirement = definition?.stakeholders.patient;
  if (!definition || !requirement) {
    return (
      <>
        <h1>Enroll a patient</h1>
        <p>No programme enrolls patients.</p>
      </>
    );
  }
  const gate = certificationGate(await findOwnEnrollments(actor), definition, actor.role === "PRESCRIBER_DELEGATE");
  if (gate) {
    return (
      <>
        <p>
          <Link href="/prescriber/patients">← Patients</Link>
        </p>
        <h1>Enroll a patient in the {definition.name}</h1>
        <CertificationNotice gate={gate} />
      </>
    );
  }
  const [settings, prescribers] = await Promise.all([listCertifiedSettings(definition.code), linkedPrescribers(actor)]);
  return (
    <>
      <p>
        <Link href="/prescriber/patients">← Patients</Link>
      </p>
      <h1>Enroll a patient in the {definition.name}</h1>
      <p className="muted">
        Counsel the patient first. Fields are optional only where marked. Nothing is saved until you
        {actor.role === "PRESCRIBER" ? " sign." : " save."}
      </p>
      <EnrollPatientForm
        programCode={definition.code}
        programName={definition.name}
        requirement={requirement}
        settings={settings}
        prescribers={prescribers}
        canCoSign={actor.role === "PRESCRIBER"}
        initialValues={prefill}
        factor={
          actor.role === "PRESCRIBER" ? await signerFactor(actor.userId, definition.esignature.requireMfa) : undefined
        }
      />
    </>
  );
}
