import Link from "next/link";
import type { CertificationGate } from "./certification-gate";

/** Shown instead of the patient-enrollment form (and its links) until the prescriber is certified. */
export function CertificationNotice({ gate, headingLevel = 2 }: { gate: CertificationGate; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section className="card" aria-labelledby="certification-needed" data-testid="certification-needed">
      <Heading id="certification-needed">Certification needed</Heading>
      <p>{gate.text}</p>
      <p>
        <Link className="button" href={gate.action.href}>
          {gate.action.label}
        </Link>
      </p>
    </section>
  );
}
