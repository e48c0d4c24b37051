/**
 * The programme view's derived tables (pure): what each dispense reason does in a programme, in the
 * words the pharmacist reads, and whether enforcement discretion relaxes it. The page renders the
 * definition itself; only what needs the dispensing module's knowledge is computed here.
 */
import { REASON_ACTORS, REASON_STAKEHOLDERS, type ReasonActor, reasonFor } from "../dispensing/messages";
import { NEVER_RELAXED } from "../dispensing/rules";
import { formatTestName } from "../format";
import {
  DENIAL_REASON_CODES,
  type TDenialReasonCode,
  type TPassRule,
  type TProgramDefinition,
  type TReasonPolicy,
} from "./schema";

export interface ProgramReasonRow {
  code: TDenialReasonCode;
  policy: TReasonPolicy;
  /** Under enforcement discretion: still blocks (false) or only warns (true). */
  relaxedUnderDiscretion: boolean;
  /** Which party the reason is about, and who has to act on it. */
  concerns: string;
  actor: ReasonActor;
  /** The message a pharmacist reads, with this programme's own values as an example. */
  message: string;
}

/** The address a programme's view has: its code in lower case (/admin/programs/lemtrada). */
export function programKey(code: string): string {
  return code.toLowerCase();
}

/** Every dispense reason of the programme, in the order the schema lists the codes. */
export function programReasonRows(program: TProgramDefinition): ProgramReasonRow[] {
  const testTypes = program.monitoring?.testTypes ?? [];
  const baselineTests = (program.monitoring?.baseline.testCodes ?? []).map((code) => formatTestName(code, testTypes));
  const maxUnits = program.courses?.first.maxUnits ?? 1;
  const details = {
    programName: program.name,
    programCode: program.code,
    ndc: "00000-0000-00",
    tests: baselineTests,
    withinDays: program.monitoring?.baseline.withinDaysBeforeFirstDose ?? 0,
    earliestOn: "(the earliest date)",
    quantity: maxUnits + 1,
    maxUnits,
    unit: program.drug.dispenseUnit,
    courseNumber: 1,
    authorizationNumber: "DA-…",
  };
  return DENIAL_REASON_CODES.map((code) => ({
    code,
    policy: program.dispensing.reasonPolicies[code],
    relaxedUnderDiscretion: !NEVER_RELAXED.includes(code),
    concerns: REASON_STAKEHOLDERS[code],
    actor: REASON_ACTORS[code],
    message: reasonFor(code, details).message,
  }));
}

/** A knowledge assessment's pass rule as a sentence. */
export function passRuleText(rule: TPassRule, questionCount: number): string {
  return rule.kind === "minCorrect"
    ? `At least ${rule.count} of ${questionCount} answers correct`
    : `At least ${rule.value}% of ${questionCount} answers correct`;
}
