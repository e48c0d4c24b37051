import { REASON_ACTORS, type ReasonActor } from "@/lib/dispensing/messages";
import type { TDispenseAnswer } from "@/lib/dispensing/schema";

type Reason = TDispenseAnswer["warnings"][number];

/** Who must act, in the order a pharmacist works through them: what the pharmacy can fix at once first. */
const ACTOR_ORDER: ReasonActor[] = ["pharmacy", "prescriber", "healthcareSetting", "programAdministrator"];

export const ACTOR_LABELS: Record<ReasonActor, string> = {
  pharmacy: "Your pharmacy must act",
  prescriber: "The prescriber must act",
  healthcareSetting: "The healthcare setting must act",
  programAdministrator: "The REMS administrator must act",
};

export function groupByActor(reasons: readonly Reason[]): { actor: ReasonActor; reasons: Reason[] }[] {
  return ACTOR_ORDER.map((actor) => ({
    actor,
    // Decisions stored before reasons carried their actor fall back to the code's usual one.
    reasons: reasons.filter((r) => (r.actor ?? REASON_ACTORS[r.code] ?? "programAdministrator") === actor),
  })).filter((group) => group.reasons.length > 0);
}

/**
 * The reasons of a decision, grouped by who has to do something before a new request can be
 * approved. Each message already ends with what to do ("— contact the prescriber").
 */
export function ReasonGroups({
  reasons,
  headingLevel = 3,
  testId,
}: {
  reasons: readonly Reason[];
  headingLevel?: 3 | 4;
  testId?: string;
}) {
  const Heading = headingLevel === 3 ? "h3" : "h4";
  return (
    <div data-testid={testId}>
      {groupByActor(reasons).map((group) => (
        <div key={group.actor} data-actor={group.actor}>
          <Heading>{ACTOR_LABELS[group.actor]}</Heading>
          <ul>
            {group.reasons.map((r) => (
              <li key={r.code} data-code={r.code}>
                {r.message}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
