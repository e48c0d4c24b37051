import { listProgramDefinitions } from "@/lib/programs/registry";
import type { TProgramContact } from "@/lib/programs/schema";

/*
 * Whether the person may enroll patients in a programme yet, and if not, what they read and do
 * instead, before any typing. The service refuses an uncertified prescriber as well; this only
 * spares them filling in a form that cannot be accepted.
 */

export interface GateEnrollment {
  id: string;
  status: string;
  program: { code: string };
}

export interface GateProgram {
  code: string;
  name: string;
  contact: TProgramContact;
}

export interface CertificationGate {
  /** What stands in the way, in a sentence. */
  text: string;
  action: { href: string; label: string };
}

/**
 * null when a certified enrollment allows patient enrollment. `forOthers`: a delegate, who enrolls
 * patients for the prescribers they work for (certified when any of them is).
 */
export function certificationGate(
  enrollments: readonly GateEnrollment[],
  program: GateProgram,
  forOthers = false,
): CertificationGate | null {
  const mine = enrollments.filter((e) => e.program.code === program.code);
  if (mine.some((e) => e.status === "CERTIFIED")) return null;
  const once = "you can enroll patients once certified.";
  if (forOthers) {
    return {
      text: `None of the prescribers you work for is certified in the ${program.name} yet: you can enroll patients for a prescriber once they are certified.`,
      action: { href: "/enroll", label: "Prepare a prescriber's enrollment" },
    };
  }
  const e = mine[0];
  const start = { href: `/enroll/${program.code}`, label: "Start enrollment" };
  if (!e) return { text: `You are not certified in the ${program.name} yet: ${once}`, action: start };
  const status = { href: `/enrollment/${e.id}`, label: "View your application" };
  switch (e.status) {
    case "DRAFT":
      return {
        text: `Your enrollment in the ${program.name} is not finished: ${once}`,
        action: { ...start, label: "Continue enrollment" },
      };
    case "SUBMITTED":
      return { text: `Your certification is pending review: ${once}`, action: status };
    case "CHANGES_REQUESTED":
      return {
        text: `The REMS administrator asked for changes to your enrollment: ${once}`,
        action: { ...start, label: "Make the requested changes" },
      };
    case "REJECTED":
    case "EXPIRED":
      return {
        text: `Your enrollment in the ${program.name} was ${e.status === "REJECTED" ? "rejected" : "not renewed and has expired"}: ${once}`,
        action: status,
      };
    default:
      return {
        text: `Your certification in the ${program.name} is ${e.status === "SUSPENDED" ? "suspended" : "withdrawn"}, so you cannot enroll patients. For help, call the ${program.name} on ${program.contact.phone}.`,
        action: status,
      };
  }
}

/** The gate for the first programme that enrolls patients (the one the "Enroll a patient" link opens). */
export function firstGate(enrollments: readonly GateEnrollment[], forOthers: boolean): CertificationGate | null {
  const program = listProgramDefinitions().find((d) => d.stakeholders.patient);
  return program ? certificationGate(enrollments, program, forOthers) : null;
}
