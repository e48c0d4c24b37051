import { describe, expect, it } from "vitest";
import { makeAncProgramInput } from "../programs/example-anc-program.fixture";
import { lemtrada } from "../programs/lemtrada";
import { defineProgram } from "../programs/schema";
import type { DispenseReason } from "./facts";
import {
  apiKeyBarredMessage,
  apiKeyCreationRefusal,
  type CurrentParties,
  currentPartyReasons,
  discretionEndedReasons,
  type RevocationCause,
  revocationReason,
} from "./revocation";

const good: CurrentParties = {
  pharmacyStatus: "CERTIFIED",
  prescriber: { id: "pr-1", certificationStatus: "CERTIFIED" },
  setting: { id: "hs-1", certificationStatus: "CERTIFIED" },
  patient: { enrollmentStatus: "ENROLLED", prescriberId: "pr-1", healthcareSettingId: "hs-1" },
};

const codes = (parties: CurrentParties) => currentPartyReasons(parties, lemtrada).map((r) => r.code);

describe("revocationReason", () => {
  const cause = (c: Partial<RevocationCause> & Pick<RevocationCause, "party" | "status">): RevocationCause =>
    ({ id: "x", reason: null, eventId: null, ...c }) as RevocationCause;

  it("carries the gate's code for each cause and says who and why", () => {
    expect(revocationReason(cause({ party: "pharmacy", status: "SUSPENDED", reason: "Audit" }))).toMatchObject({
      code: "PHARMACY_NOT_CERTIFIED",
      stakeholder: "pharmacy",
      message: expect.stringMatching(/suspended \(reason given: Audit\)/),
    });
    expect(revocationReason(cause({ party: "prescriber", status: "SUSPENDED" })).code).toBe("PRESCRIBER_SUSPENDED");
    expect(revocationReason(cause({ party: "prescriber", status: "DECERTIFIED" })).code).toBe(
      "PRESCRIBER_NOT_CERTIFIED",
    );
    expect(revocationReason(cause({ party: "prescriber", status: "EXPIRED" })).message).toMatch(/expired/);
    expect(revocationReason(cause({ party: "healthcareSetting", status: "DECERTIFIED" })).code).toBe(
      "SETTING_NOT_CERTIFIED",
    );
    expect(revocationReason(cause({ party: "patient", status: "DISENROLLED" }))).toMatchObject({
      code: "PATIENT_NOT_ENROLLED",
      message: expect.stringMatching(/disenrolled/),
    });
    expect(revocationReason(cause({ party: "patient", status: "NOT_AUTHORIZED" })).message).toMatch(/not authorized/);
    expect(revocationReason(cause({ party: "patient", status: "TRANSFERRED" })).code).toBe(
      "PATIENT_NOT_WITH_PRESCRIBER",
    );
  });

  it("never names an internal id", () => {
    const message = revocationReason(cause({ party: "pharmacy", id: "3f1c…", status: "DECERTIFIED" })).message;
    expect(message).not.toContain("3f1c");
    expect(message).toMatch(/^Revoked: /);
  });
});

describe("currentPartyReasons", () => {
  it("is empty when every party may take part", () => {
    expect(codes(good)).toEqual([]);
  });

  it("names each party that lost its standing", () => {
    expect(codes({ ...good, pharmacyStatus: "SUSPENDED" })).toEqual(["PHARMACY_NOT_CERTIFIED"]);
    expect(codes({ ...good, prescriber: { id: "pr-1", certificationStatus: "SUSPENDED" } })).toEqual([
      "PRESCRIBER_SUSPENDED",
    ]);
    expect(codes({ ...good, prescriber: { id: "pr-1", certificationStatus: "EXPIRED" } })).toEqual([
      "PRESCRIBER_NOT_CERTIFIED",
    ]);
    expect(codes({ ...good, setting: { id: "hs-1", certificationStatus: "DECERTIFIED" } })).toEqual([
      "SETTING_NOT_CERTIFIED",
    ]);
    expect(
      codes({
        ...good,
        patient: { ...(good.patient as NonNullable<CurrentParties["patient"]>), enrollmentStatus: "DISENROLLED" },
      }),
    ).toEqual(["PATIENT_NOT_ENROLLED"]);
    expect(
      codes({ ...good, patient: { enrollmentStatus: "ENROLLED", prescriberId: "pr-2", healthcareSettingId: "hs-2" } }),
    ).toEqual(["PATIENT_NOT_WITH_PRESCRIBER", "PATIENT_NOT_AT_SETTING"]);
    expect(codes({ ...good, patient: null })).toEqual(["PATIENT_NOT_ENROLLED"]);
  });

  it("checks only the parties the programme involves", () => {
    const anc = defineProgram(makeAncProgramInput());
    const reasons = currentPartyReasons({ ...good, setting: null }, anc).map((r) => r.code);
    expect(reasons).not.toContain("SETTING_NOT_CERTIFIED");
  });
});

describe("apiKeyBarredMessage", () => {
  it("bars a suspended or decertified pharmacy with no other certification", () => {
    expect(apiKeyBarredMessage([{ status: "SUSPENDED", programName: "LEMTRADA REMS" }])).toMatch(
      /genuine.*LEMTRADA REMS is suspended/,
    );
    expect(apiKeyBarredMessage([{ status: "DECERTIFIED", programName: "LEMTRADA REMS" }])).toMatch(/decertified/);
  });

  it("lets a pharmacy certified in some programme, or still applying, keep its keys", () => {
    expect(
      apiKeyBarredMessage([
        { status: "SUSPENDED", programName: "A REMS" },
        { status: "CERTIFIED", programName: "B REMS" },
      ]),
    ).toBeNull();
    expect(apiKeyBarredMessage([{ status: "SUBMITTED", programName: "A REMS" }])).toBeNull();
    expect(apiKeyBarredMessage([])).toBeNull();
  });
});

describe("discretionEndedReasons", () => {
  const warning = (code: DispenseReason["code"], message: string): DispenseReason => ({
    code,
    stakeholder: "patient",
    message,
  });

  it("turns each reason discretion relaxed into one that says the discretion is over, once per code", () => {
    const reasons = discretionEndedReasons(
      [
        warning("MONITORING_OVERDUE", "Safety monitoring is overdue (CBC with differential) — contact the prescriber."),
        warning("MONITORING_OVERDUE", "Safety monitoring is overdue (TSH) — contact the prescriber."),
        warning("PRESCRIBER_NOT_CERTIFIED", "The prescriber is not certified."),
      ],
      lemtrada,
      "on 12 Mar 2031, 14:00 UTC",
    );
    expect(reasons.map((r) => r.code)).toEqual(["MONITORING_OVERDUE", "PRESCRIBER_NOT_CERTIFIED"]);
    expect(reasons[0]?.message).toBe(
      "Enforcement discretion for LEMTRADA REMS ended on 12 Mar 2031, 14:00 UTC; this authorization was given under it although: Safety monitoring is overdue (CBC with differential). Do not dispense under it — request a new authorization, which is decided on the records as they are now.",
    );
    expect(reasons[1]?.message).toContain("although: The prescriber is not certified. Do not dispense");
    expect(reasons[1]?.stakeholder).toBe("patient");
  });

  it("leaves alone the reasons the programme itself only warns about", () => {
    const warnOnly = {
      ...lemtrada,
      dispensing: {
        ...lemtrada.dispensing,
        reasonPolicies: { ...lemtrada.dispensing.reasonPolicies, STATUS_FORM_OVERDUE: "warn" as const },
      },
    };
    const reasons = discretionEndedReasons(
      [warning("STATUS_FORM_OVERDUE", "The Patient Status Form is overdue — the prescriber must submit it.")],
      warnOnly,
      "",
    );
    expect(reasons).toEqual([]);
  });
});

describe("apiKeyCreationRefusal", () => {
  it("refuses a pharmacy not certified in any programme, saying where it stands in words", () => {
    expect(apiKeyCreationRefusal([{ status: "SUBMITTED", programName: "LEMTRADA REMS" }])).toBe(
      "Your pharmacy can create API keys once it is certified in a REMS programme. Your pharmacy's enrollment in the LEMTRADA REMS is awaiting review by the REMS administrator — your pharmacy can dispense once it is approved.",
    );
    expect(apiKeyCreationRefusal([{ status: "SUSPENDED", programName: "LEMTRADA REMS" }])).toMatch(
      /certification in the LEMTRADA REMS is suspended/,
    );
    expect(apiKeyCreationRefusal([])).toBe(
      "Your pharmacy can create API keys once it is certified in a REMS programme.",
    );
  });

  it("lets a pharmacy certified in some programme create keys", () => {
    expect(
      apiKeyCreationRefusal([
        { status: "SUBMITTED", programName: "A REMS" },
        { status: "CERTIFIED", programName: "B REMS" },
      ]),
    ).toBeNull();
  });
});
