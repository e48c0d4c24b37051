import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { withFor } from "@/components/enrollment/links";
import { getPageActor, requirePagePermission } from "@/lib/auth/session";
import { applicantPagePermission, linkedPrescribers, programmesForActor } from "@/lib/enrollment/service";

export const metadata: Metadata = { title: "Enroll" };

/** Where enrollment starts: the programmes open to the actor (and, for a delegate, whose enrollment). */
export default async function EnrollStart() {
  const signedIn = await getPageActor();
  if (!signedIn) redirect("/sign-in?next=%2Fenroll");
  const actor = await requirePagePermission(applicantPagePermission(signedIn.role, "update"), "/enroll");
  const programmes = await programmesForActor(actor);
  const prescribers = actor.role === "PRESCRIBER_DELEGATE" ? await linkedPrescribers(actor) : null;

  const choices = prescribers
    ? programmes.flatMap((p) =>
        prescribers.map((who) => ({
          href: withFor(`/enroll/${p.code}`, who.id),
          label: `${p.name} for ${who.name}`,
        })),
      )
    : programmes.map((p) => ({ href: `/enroll/${p.code}`, label: p.name }));
  const [only] = choices;
  if (choices.length === 1 && only) redirect(only.href);

  return (
    <div className="narrow">
      <h1>Enroll</h1>
      {choices.length === 0 ? (
        <div className="card">
          <p>
            {prescribers && prescribers.length === 0
              ? "Your account is not linked to a prescriber yet. Ask the prescriber you work for to invite you."
              : "There is no programme you can enroll in yet."}
          </p>
        </div>
      ) : (
        <div className="card">
          <h2>Choose an enrollment</h2>
          <ul>
            {choices.map((c) => (
              <li key={c.href}>
                <Link href={c.href}>{c.label}</Link>
              </li>
            ))}
          </ul>
        </div>
      )}
      <p>
        <Link href="/enrollment">See the status of your enrollments</Link>
      </p>
    </div>
  );
}
