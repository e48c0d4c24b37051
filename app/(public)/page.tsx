import Link from "next/link";
import { listProgramDefinitions } from "@/lib/programs/registry";

export default function HomePage() {
  const programs = listProgramDefinitions();
  return (
    <>
      <h1>REMS registry</h1>
      <p className="muted">
        Prescribers, pharmacies and healthcare settings enroll and get certified here; pharmacies obtain a dispense
        authorization before every dispense of a REMS drug.
      </p>
      <div className="grid">
        <section className="card">
          <h2>Prescribers</h2>
          <p>Enroll, complete the training and knowledge assessment, and sign the attestation online.</p>
          <Link className="button" href="/sign-up">
            Enroll now
          </Link>
        </section>
        <section className="card">
          <h2>Pharmacies and healthcare settings</h2>
          <p>An authorized representative enrolls the organisation and completes its training and attestations.</p>
          <Link className="button secondary" href="/sign-up">
            Enroll an organisation
          </Link>
        </section>
        <section className="card">
          <h2>Already enrolled?</h2>
          <p>Sign in to see your certification, your patients or your dispense authorizations.</p>
          <Link className="button secondary" href="/sign-in">
            Sign in
          </Link>
        </section>
      </div>
      <h2>Programmes</h2>
      <ul>
        {programs.map((p) => (
          <li key={p.code}>
            <strong>{p.name}</strong>
          </li>
        ))}
      </ul>
    </>
  );
}
