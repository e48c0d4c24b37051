import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { DiscretionBanner } from "@/components/dispensing/discretion-banner";
import type { ProgramOption } from "@/components/dispensing/dispense-form";
import { DispenseForm } from "@/components/dispensing/dispense-form-loader";
import { pageCaller } from "@/components/dispensing/page-caller";
import { FormBanner } from "@/components/ui/field";
import { requirePagePermission } from "@/lib/auth/session";
import { STATUS_LABELS } from "@/lib/certification/rules";
import { getPharmacyStandings, type PharmacyStanding } from "@/lib/dispensing/standing";
import { listProgramDefinitions } from "@/lib/programs/registry";

export const metadata: Metadata = { title: "Request a dispense authorization" };

const DEFAULT_PROGRAM = "LEMTRADA";

export default async function DispensePage() {
  const actor = await requirePagePermission("dispense:authorize:org", "/pharmacy/dispense");
  const { caller, message } = pageCaller(actor);
  const standings = caller ? await getPharmacyStandings(caller) : [];
  const open = new Set(standings.filter((s) => s.mayRequest).map((s) => s.programCode));
  const closed = standings.filter((s) => !s.mayRequest);
  // Only programmes the gate lets the pharmacy ask about: anything else could only be denied.
  const programs: ProgramOption[] = listProgramDefinitions()
    .filter((p) => open.has(p.code))
    .map((p) => ({
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
      {message ? <FormBanner kind="warn">{message}</FormBanner> : null}
      {closed.length > 0 ? <NotCertified standings={closed} onlyThese={programs.length === 0} /> : null}
      {programs.length > 0 ? <RequestForm programs={programs} initial={initial} /> : null}
    </>
  );
}

/** Where the pharmacy stands in the programmes it may not ask about, in words, and what to do next. */
function NotCertified({ standings, onlyThese }: { standings: PharmacyStanding[]; onlyThese: boolean }) {
  return (
    <section className="card" aria-labelledby="not-certified-heading" data-testid="pharmacy-not-certified">
      <h2 id="not-certified-heading">
        {onlyThese
          ? "Your pharmacy is not certified, so it cannot request dispense authorizations"
          : "Programmes your pharmacy cannot request authorizations in"}
      </h2>
      <dl>
        {standings.map((s) => (
          <div key={s.programCode}>
            <dt>
              {s.programName}: {s.status ? STATUS_LABELS[s.status] : "Not enrolled"}
            </dt>
            <dd data-program={s.programCode}>{s.reason?.message}</dd>
          </div>
        ))}
      </dl>
      <p>
        Your pharmacy&apos;s enrollment and its next step are on the <Link href="/pharmacy">pharmacy dashboard</Link>.
        The registry answers requests from a pharmacy that is not certified with its certification only, never with
        anything about the patient.
      </p>
    </section>
  );
}

function RequestForm({ programs, initial }: { programs: ProgramOption[]; initial: ProgramOption | undefined }) {
  return (
    <>
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
