import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { DiscretionBanner } from "@/components/dispensing/discretion-banner";
import type { ProgramOption } from "@/components/dispensing/dispense-form";
import { DispenseForm } from "@/components/dispensing/dispense-form-loader";
import { requirePagePermission } from "@/lib/auth/session";
import { listProgramDefinitions } from "@/lib/programs/registry";

export const metadata: Metadata = { title: "Request a dispense authorization" };

const DEFAULT_PROGRAM = "LEMTRADA";

export default async function DispensePage() {
  await requirePagePermission("dispense:authorize:org", "/pharmacy/dispense");
  const programs: ProgramOption[] = listProgramDefinitions().map((p) => ({
    code: p.code,
    name: p.name,
    drugName: p.drug.name,
    ndc: p.ndcs[0] ?? "",
    unit: p.drug.dispenseUnit,
  }));
  const initial = programs.find((p) => p.code === DEFAULT_PROGRAM) ?? programs[0];
  return (
    <>
      <p>
        <Link href="/pharmacy">Pharmacy dashboard</Link>
      </p>
      <h1>Request a dispense authorization</h1>
      <DiscretionBanner />
      <p className="muted">
        Before each dispense, check the prescription against the REMS. You can type the details or scan them: a
        scanner&apos;s Enter moves to the next field. <Link href="/pharmacy/authorizations">Earlier requests</Link>
      </p>
      <DispenseForm
        programs={programs}
        initialState={{
          values: {
            programCode: initial?.code ?? "",
            prescriberNpi: "",
            patientRemsId: "",
            healthcareSettingId: "",
            ndc: initial?.ndc ?? "",
            quantity: "",
            prescriptionId: "",
          },
          result: null,
          // Made once per page render: submitting this form twice replays the first answer.
          idempotencyKey: randomUUID(),
        }}
      />
    </>
  );
}
