import { describe, expect, it } from "vitest";
import {
  acceptanceNotice,
  acceptedInvitationPath,
  INVITATION_TTL_DAYS,
  invitationEmail,
  invitationExpiry,
  invitationState,
  invitePolicy,
} from "./rules";

const now = new Date("2026-12-01T12:00:00Z");

describe("invitationExpiry", () => {
  it("is seven days after the invitation", () => {
    expect(INVITATION_TTL_DAYS).toBe(7);
    expect(invitationExpiry(now).toISOString()).toBe("2026-12-08T12:00:00.000Z");
  });
});

describe("invitationState", () => {
  const base = { acceptedAt: null, revokedAt: null, expiresAt: invitationExpiry(now) };
  it("is pending until it expires, is used or is cancelled", () => {
    expect(invitationState(base, now)).toBe("pending");
    expect(invitationState(base, new Date("2026-12-08T11:59:59Z"))).toBe("pending");
    expect(invitationState(base, new Date("2026-12-08T12:00:00Z"))).toBe("expired");
    expect(invitationState({ ...base, revokedAt: now }, now)).toBe("revoked");
  });
  it("stays accepted after it would have expired", () => {
    expect(invitationState({ ...base, acceptedAt: now }, new Date("2027-01-01T00:00:00Z"))).toBe("accepted");
  });
});

describe("invitePolicy", () => {
  it("lets a pharmacy's pharmacist invite pharmacists to that pharmacy", () => {
    expect(invitePolicy({ role: "PHARMACIST" })).toEqual({ role: "PHARMACIST", scope: "pharmacy" });
  });
  it("lets a prescriber invite delegates", () => {
    expect(invitePolicy({ role: "PRESCRIBER" })).toEqual({
      role: "PRESCRIBER_DELEGATE",
      scope: "prescriber",
    });
  });
  it("lets nobody else invite", () => {
    for (const role of ["PRESCRIBER_DELEGATE", "SETTING_REP", "PATIENT", "ADMIN"] as const) {
      expect(invitePolicy({ role })).toBeNull();
    }
  });
});

describe("invitationEmail", () => {
  it("carries the link, who invited, as what, and the expiry", () => {
    const mail = invitationEmail({
      inviterName: "Pat Pharmacist",
      role: "PHARMACIST",
      organisationName: "Demo Specialty Pharmacy",
      link: "https://registry.example.org/invitations/abc",
      expiresAt: invitationExpiry(now),
    });
    expect(mail.subject).toBe("Pat Pharmacist invited you to the REMS registry");
    expect(mail.text).toContain("https://registry.example.org/invitations/abc");
    expect(mail.text).toContain("as a pharmacist at Demo Specialty Pharmacy");
    expect(mail.text).toContain("expires on 2026-12-08 12:00 UTC");
  });
  it("describes a delegate invitation", () => {
    const mail = invitationEmail({
      inviterName: "Dr. Ada Lovelace",
      role: "PRESCRIBER_DELEGATE",
      organisationName: "Ada Lovelace",
      link: "x",
      expiresAt: now,
    });
    expect(mail.text).toContain("as office staff (a delegate) for Ada Lovelace");
  });
});

describe("patient invitations", () => {
  it("tell the patient whose patient they are and that they sign their enrollment", () => {
    const mail = invitationEmail({
      inviterName: "Dr. Ada Lovelace",
      role: "PATIENT",
      organisationName: "Ada Lovelace",
      link: "https://registry.example.org/invitations/abc",
      expiresAt: now,
    });
    expect(mail.text).toContain("as a patient of Ada Lovelace");
    expect(mail.text).toContain("sign your enrollment");
    expect(acceptedInvitationPath("PATIENT")).toBe("/prescriber/patients");
    expect(acceptedInvitationPath("PHARMACIST")).toBe("/pharmacy/team");
  });
});

describe("acceptanceNotice", () => {
  it("tells the inviter who joined and links to the team page", () => {
    const notice = acceptanceNotice({
      inviterName: "Pat",
      acceptedName: "Quinn Doe",
      acceptedEmail: "quinn@example.org",
      role: "PHARMACIST",
      organisationName: "Demo Specialty Pharmacy",
      appUrl: "https://registry.example.org",
      teamPath: "/pharmacy/team",
    });
    expect(notice.subject).toBe("Quinn Doe accepted your invitation");
    expect(notice.text).toContain("quinn@example.org");
    expect(notice.text).toContain("https://registry.example.org/pharmacy/team");
  });
});
