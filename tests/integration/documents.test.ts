import { randomUUID } from "node:crypto";
import { PDFDocument } from "pdf-lib";
import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { certificatePdf, certificatePath, signedFormPath, signedFormPdf } from "../../lib/documents/service";
import { createPharmacyEnrollment, createPrescriberEnrollment, createSettingEnrollment } from "../factories/certified";
import { pdfTexts } from "../factories/pdf-text";
import { createAdmin, createUser, signIn } from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

async function pageCount(bytes: Uint8Array): Promise<number> {
  return (await PDFDocument.load(bytes)).getPageCount();
}

describe("signed enrollment form PDF", () => {
  it("is given to the prescriber who owns the enrollment", async () => {
    const owner = await createPrescriberEnrollment();
    const { actor } = await signIn(owner);
    const file = await signedFormPdf(actor, owner.enrollment?.id ?? "");
    expect(file.filename).toBe(`lemtrada-prescriber-enrollment-${owner.enrollment?.certificationNumber}.pdf`);
    expect(await pageCount(file.bytes)).toBeGreaterThanOrEqual(2);
    const pdf = await PDFDocument.load(file.bytes);
    expect(pdf.getTitle()).toBe("LEMTRADA REMS: prescriber enrollment form");
  });

  it("names the enrollment by its certification number and the stakeholder's identifiers, never its internal id", async () => {
    const owner = await createPrescriberEnrollment();
    const { actor } = await signIn(owner);
    const id = owner.enrollment?.id ?? "";
    const certified = await pdfTexts((await signedFormPdf(actor, id)).bytes);
    expect(certified.join("\n")).not.toContain(id);
    expect(certified).toContain(owner.prescriber.npi);
    expect(certified).toContain(owner.enrollment?.certificationNumber);
    expect(certified.join("\n")).toContain(
      `LEMTRADA REMS · prescriber enrollment · Certification number ${owner.enrollment?.certificationNumber}`,
    );

    // Before certification: the pharmacy's identifiers, in the text, the footer and the file name.
    const pharmacy = await createPharmacyEnrollment({ status: "SUBMITTED" });
    const { actor: rep } = await signIn(pharmacy);
    const pharmacyId = pharmacy.enrollment?.id ?? "";
    const file = await signedFormPdf(rep, pharmacyId);
    expect(file.filename).toBe(`lemtrada-pharmacy-enrollment-${pharmacy.pharmacy.ncpdpId}.pdf`);
    const texts = (await pdfTexts(file.bytes)).join("\n");
    expect(texts).not.toContain(pharmacyId);
    expect(texts).toContain(`LEMTRADA REMS · pharmacy enrollment · NCPDP ${pharmacy.pharmacy.ncpdpId}`);
    const remsId = await db().pharmacy.findUniqueOrThrow({
      where: { id: pharmacy.pharmacy.id },
      select: { remsId: true },
    });
    expect(texts).toContain(remsId.remsId);
    // The internal id stays in the metadata, for support.
    expect((await PDFDocument.load(file.bytes)).getSubject()).toContain(pharmacyId);
  });

  it("is given to the pharmacy's representatives and to administrators", async () => {
    const pharmacy = await createPharmacyEnrollment();
    const id = pharmacy.enrollment?.id ?? "";
    const { actor: rep } = await signIn(pharmacy);
    expect(await pageCount((await signedFormPdf(rep, id)).bytes)).toBeGreaterThanOrEqual(1);

    // Another pharmacist of the same pharmacy (no applicant link) is an owner too.
    const colleague = await createUser({ role: "PHARMACIST" });
    await db().user.update({ where: { id: colleague.user.id }, data: { pharmacyId: pharmacy.pharmacy.id } });
    const { actor: colleagueActor } = await signIn(colleague);
    expect((await signedFormPdf(colleagueActor, id)).bytes.byteLength).toBeGreaterThan(1000);

    const { actor: admin } = await signIn(await createAdmin());
    expect(await pageCount((await signedFormPdf(admin, id)).bytes)).toBeGreaterThanOrEqual(1);
  });

  it("is refused to anyone else, with an authorization.denied audit row", async () => {
    const owner = await createSettingEnrollment();
    const id = owner.enrollment?.id ?? "";
    const other = await createPrescriberEnrollment();
    const { actor } = await signIn(other);
    const error = await appError(signedFormPdf(actor, id));
    expect(error.code).toBe("FORBIDDEN");
    const audit = await db().auditEvent.findMany({
      where: { action: "authorization.denied", actorId: actor.userId, entityId: signedFormPath(id) },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityType: "Route", requestId: actor.requestId });

    // A representative of a different setting is refused as well.
    const otherSetting = await createSettingEnrollment();
    const { actor: otherRep } = await signIn(otherSetting);
    expect((await appError(signedFormPdf(otherRep, id))).code).toBe("FORBIDDEN");
  });

  it("is given to the prescriber's delegates, not to another prescriber's", async () => {
    const owner = await createPrescriberEnrollment();
    const id = owner.enrollment?.id ?? "";
    const delegateOf = async (prescriberId: string) => {
      const staff = await createUser({ role: "PRESCRIBER" });
      await db().user.update({ where: { id: staff.user.id }, data: { role: "PRESCRIBER_DELEGATE" } });
      await db().prescriberDelegate.create({ data: { prescriberId, userId: staff.user.id } });
      return (await signIn(staff)).actor;
    };
    const delegate = await delegateOf(owner.prescriber.id);
    expect(await pageCount((await signedFormPdf(delegate, id)).bytes)).toBeGreaterThanOrEqual(1);
    expect(await pageCount((await certificatePdf(delegate, id)).bytes)).toBe(1);

    const otherPrescriber = await createPrescriberEnrollment();
    const strangerDelegate = await delegateOf(otherPrescriber.prescriber.id);
    expect((await appError(signedFormPdf(strangerDelegate, id))).code).toBe("FORBIDDEN");
  });

  it("is a CONFLICT while the enrollment has not been signed", async () => {
    const owner = await createPrescriberEnrollment({ status: "DRAFT", signed: false });
    const { actor } = await signIn(owner);
    const error = await appError(signedFormPdf(actor, owner.enrollment?.id ?? ""));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/not been signed/);
  });

  it("is NOT_FOUND for an unknown or malformed id", async () => {
    const { actor } = await signIn(await createAdmin());
    expect((await appError(signedFormPdf(actor, randomUUID()))).code).toBe("NOT_FOUND");
    expect((await appError(signedFormPdf(actor, "not-a-uuid"))).code).toBe("NOT_FOUND");
  });
});

describe("certificate PDF", () => {
  it("is one page for a certified enrollment, named after the certification number", async () => {
    const owner = await createPrescriberEnrollment();
    const { actor } = await signIn(owner);
    const file = await certificatePdf(actor, owner.enrollment?.id ?? "");
    expect(file.filename).toBe(`lemtrada-certificate-${owner.enrollment?.certificationNumber}.pdf`);
    expect(await pageCount(file.bytes)).toBe(1);
  });

  it("prints the prescriber's NPI, the certification date and that the certification has no expiry", async () => {
    const owner = await createPrescriberEnrollment();
    const { actor } = await signIn(owner);
    const id = owner.enrollment?.id ?? "";
    const certified = await db().enrollment.update({
      where: { id },
      data: { certifiedAt: new Date("2026-03-09T15:00:00Z") },
      select: { certificationNumber: true },
    });
    const texts = await pdfTexts((await certificatePdf(actor, id)).bytes);
    expect(texts).toContain(`NPI: ${owner.prescriber.npi}`);
    expect(texts).toContain(`Certification number: ${certified.certificationNumber}`);
    expect(texts).toContain("Certified on: 9 Mar 2026");
    expect(texts).toContain("Expiry: none. The certification remains valid until suspended or decertified.");
  });

  it("prints a pharmacy's NCPDP and NPI, and the recertification date when the certification expires", async () => {
    const owner = await createPharmacyEnrollment();
    const { actor } = await signIn(owner);
    const id = owner.enrollment?.id ?? "";
    await db().enrollment.update({ where: { id }, data: { expiresAt: new Date("2028-03-09T15:00:00Z") } });
    const texts = (await pdfTexts((await certificatePdf(actor, id)).bytes)).join("\n");
    expect(texts).toContain(`NCPDP: ${owner.pharmacy.ncpdpId}`);
    expect(texts).toContain(`NPI: ${owner.pharmacy.npi}`);
    expect(texts).toContain("Recertification due by: 9 Mar 2028");
    expect(texts).not.toContain("Expiry: none");
  });

  it("is a CONFLICT with a clear message when the enrollment is not certified", async () => {
    const owner = await createPharmacyEnrollment({ status: "SUSPENDED" });
    const { actor } = await signIn(owner);
    const error = await appError(certificatePdf(actor, owner.enrollment?.id ?? ""));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe("There is no certificate: this enrollment is not certified (status: suspended).");

    const waiting = await createPrescriberEnrollment({ status: "SUBMITTED" });
    const { actor: waitingActor } = await signIn(waiting);
    expect((await appError(certificatePdf(waitingActor, waiting.enrollment?.id ?? ""))).message).toMatch(
      /submitted, awaiting review/,
    );
  });

  it("is refused to another user and audited; an administrator gets it", async () => {
    const owner = await createPharmacyEnrollment();
    const id = owner.enrollment?.id ?? "";
    const stranger = await createUser({ role: "PHARMACIST" });
    const { actor } = await signIn(stranger);
    expect((await appError(certificatePdf(actor, id))).code).toBe("FORBIDDEN");
    expect(
      await db().auditEvent.count({
        where: { action: "authorization.denied", actorId: actor.userId, entityId: certificatePath(id) },
      }),
    ).toBe(1);
    const { actor: admin } = await signIn(await createAdmin());
    expect(await pageCount((await certificatePdf(admin, id)).bytes)).toBe(1);
  });
});

describe("names in any alphabet", () => {
  it("prints a prescriber's name exactly as entered on the signed form and the certificate", async () => {
    const owner = await createPrescriberEnrollment({ firstName: "Zoë", lastName: "Łukasiewicz-Nguyễn" });
    const { actor } = await signIn(owner);
    const id = owner.enrollment?.id ?? "";
    const form = await pdfTexts((await signedFormPdf(actor, id)).bytes);
    expect(form).toContain("Zoë Łukasiewicz-Nguyễn, MD");
    expect(form).toContain("Łukasiewicz-Nguyễn");
    // The printed name of the signature (the account's name).
    expect(form).toContain("Zoë Łukasiewicz-Nguyễn");
    expect(form.join(" ")).not.toContain("could not be printed");
    const certificate = await pdfTexts((await certificatePdf(actor, id)).bytes);
    expect(certificate).toContain("Zoë Łukasiewicz-Nguyễn, MD");
  });

  it("prints Greek and Cyrillic, and marks and names Chinese characters instead of dropping them", async () => {
    const owner = await createPharmacyEnrollment({ name: "Φαρμακείο Αθήνα · Аптека Ромашка · 李氏藥房" });
    const { actor } = await signIn(owner);
    const texts = await pdfTexts((await certificatePdf(actor, owner.enrollment?.id ?? "")).bytes);
    expect(texts).toContain("Φαρμακείο Αθήνα · Аптека Ромашка · \uFFFD\uFFFD\uFFFD\uFFFD");
    expect(texts.join(" ")).toMatch(
      /Some characters could not be printed in this document and are shown as \uFFFD \(Unicode U\+674E, U\+6C0F, U\+85E5, U\+623F\)/,
    );
  });
});
