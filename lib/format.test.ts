import { describe, expect, it } from "vitest";
import { lemtrada } from "./programs/lemtrada";
import {
  formatDate,
  formatDenialReason,
  formatEnrollmentStatus,
  formatMailDelivery,
  formatOrganisationType,
  formatAuditAction,
  formatPersonName,
  formatPrescriberName,
  formatDateTime,
  formatStakeholderKind,
  formatStatus,
  formatTestName,
  humanizeCode,
} from "./format";

describe("formatDate / formatDateTime", () => {
  it("writes one day format and one date-time format, in UTC", () => {
    const at = new Date("2026-05-04T14:05:59Z");
    expect(formatDate(at)).toBe("4 May 2026");
    expect(formatDateTime(at)).toBe("4 May 2026, 14:05 UTC");
    expect(formatDateTime("2026-12-31T23:59:00.000Z")).toBe("31 Dec 2026, 23:59 UTC");
    expect(formatDateTime(new Date("2026-01-01T00:30:00+01:00"))).toBe("31 Dec 2025, 23:30 UTC");
  });

  it("reads a bare calendar day as that day, whatever the machine's time zone", () => {
    expect(formatDate("2026-03-09")).toBe("9 Mar 2026");
    expect(formatDate(new Date("2026-03-09T00:00:00Z"))).toBe("9 Mar 2026");
  });

  it("shows a dash for a missing date and leaves text that is no date as it is", () => {
    expect(formatDate(null)).toBe("—");
    expect(formatDateTime(undefined)).toBe("—");
    expect(formatDate("")).toBe("—");
    expect(formatDate("not a date")).toBe("not a date");
  });
});

describe("formatStatus", () => {
  it("names certification statuses", () => {
    expect(formatStatus("DRAFT")).toBe("Enrollment in progress");
    expect(formatStatus("SUBMITTED")).toBe("Submitted, awaiting review");
    expect(formatStatus("CHANGES_REQUESTED")).toBe("Changes requested");
    expect(formatStatus("CERTIFIED", "certification")).toBe("Certified");
  });

  it("names patient statuses, DRAFT included, when the subject is a patient", () => {
    expect(formatStatus("DRAFT", "patient")).toBe("Pending signatures");
    expect(formatStatus("NOT_AUTHORIZED")).toBe("Not authorized");
    expect(formatStatus("ENROLLED")).toBe("Enrolled");
  });

  it("names dispense statuses and decisions", () => {
    expect(formatStatus("APPROVED", "dispense")).toBe("Approved, not yet dispensed");
    expect(formatStatus("EXPIRED", "dispense")).toBe("Expired unused");
    expect(formatStatus("APPROVED", "decision")).toBe("Approved");
  });

  it("never shows an unknown code raw", () => {
    expect(formatStatus("ON_HOLD")).toBe("On hold");
    expect(formatStatus(null)).toBe("—");
  });
});

describe("formatStakeholderKind / formatTestName / humanizeCode", () => {
  it("names stakeholder kinds from the enum or the definition's keys", () => {
    expect(formatStakeholderKind("HEALTHCARE_SETTING")).toBe("Healthcare setting");
    expect(formatStakeholderKind("healthcareSetting")).toBe("Healthcare setting");
    expect(formatStakeholderKind("pharmacy")).toBe("Pharmacy");
  });

  it("takes a test's name from the programme definition", () => {
    const types = lemtrada.monitoring?.testTypes ?? [];
    expect(formatTestName("CBC_DIFF", types)).toBe("Complete blood count with differential");
    expect(formatTestName("SERUM_CREATININE", types)).toBe("Serum creatinine");
    expect(formatTestName("NEW_TEST", types)).toBe("New test");
  });

  it("reads audit actions as words", () => {
    expect(formatAuditAction("enrollment.claim_taken_over")).toBe("Enrollment claim taken over");
    expect(formatAuditAction("user.locked")).toBe("User locked");
    expect(formatAuditAction("pharmacy.apikey.created")).toBe("Pharmacy API key created");
    expect(formatAuditAction("noncompliance.corrective_action")).toBe("Non-compliance corrective action plan started");
    expect(formatAuditAction("auth.signed_in")).toBe("Signed in");
    expect(formatAuditAction("auth.password_changed")).toBe("Account password changed");
    expect(formatAuditAction("enrollment.approve")).toBe("Enrollment approved");
    expect(formatAuditAction("noncompliance.close")).toBe("Non-compliance case closed");
    expect(formatAuditAction("user.mfa.enabled")).toBe("User two-step sign-in enabled");
    expect(formatAuditAction("admin.user.deactivated")).toBe("Administrator user deactivated");
    // A code with none of them is unchanged; an object-property name is a word, not a lookup.
    expect(formatAuditAction("lab_import.interrupted")).toBe("Lab import interrupted");
    expect(formatAuditAction("constructor.toString")).toBe("Constructor to string");
  });

  it("turns codes into words", () => {
    expect(humanizeCode("NOT_YET_KNOWN")).toBe("Not yet known");
    expect(humanizeCode("treatment_stopped")).toBe("Treatment stopped");
  });
});

describe("registry formatters", () => {
  it("name dispense reasons, organisation types and enrollment statuses by kind", () => {
    expect(formatDenialReason("MONITORING_OVERDUE")).toBe("Monitoring overdue");
    expect(formatDenialReason("SOMETHING_NEW")).toBe("Something new");
    expect(formatOrganisationType("INFUSION_CENTER")).toBe("Infusion center");
    expect(formatOrganisationType(null)).toBe("—");
    expect(formatEnrollmentStatus("DRAFT", "PATIENT")).toBe("Pending signatures");
    expect(formatEnrollmentStatus("DRAFT", "PHARMACY")).toBe("Enrollment in progress");
  });

  it("name people by first and last name, prescribers with their credentials", () => {
    expect(formatPersonName({ firstName: "Ada", lastName: "Okafor" })).toBe("Ada Okafor");
    expect(formatPersonName({ firstName: "", lastName: "Okafor" })).toBe("Okafor");
    expect(formatPrescriberName({ firstName: "Ada", lastName: "Okafor", credentials: "MD" })).toBe("Ada Okafor, MD");
    expect(formatPrescriberName({ firstName: "Ada", lastName: "Okafor", credentials: null })).toBe("Ada Okafor");
    expect(formatPrescriberName({ firstName: "Ada", lastName: "Okafor", credentials: "" })).toBe("Ada Okafor");
    expect(formatPrescriberName({ firstName: "Ada", lastName: "Okafor" })).toBe("Ada Okafor");
  });

  it("say where an e-mail stands", () => {
    expect(formatMailDelivery({ sentAt: new Date("2026-05-04T14:05:00Z"), attempts: 1, lastError: null })).toBe(
      "Sent 4 May 2026, 14:05 UTC",
    );
    expect(formatMailDelivery({ sentAt: null, attempts: 0, lastError: null })).toBe("Waiting to be sent");
    expect(formatMailDelivery({ sentAt: null, attempts: 3, lastError: "connection refused" })).toBe(
      "Not delivered yet (3 attempts: connection refused); retrying",
    );
  });
});
