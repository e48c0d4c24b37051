import type { Metadata } from "next";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Patient dashboard" };

export default async function PatientPage() {
  const actor = await requirePagePermission("portal:patient", "/patient");
  return (
    <>
      <h1>Patient dashboard</h1>
      <p className="muted">Signed in as {actor.name}.</p>
      <div className="card">
        <h2>Your REMS status</h2>
        <p>
          Your prescriber enrolls you in the programme. Your status and the monitoring that is due will appear here.
        </p>
      </div>
    </>
  );
}
