import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { isValidRemsId } from "../../lib/identifiers/rems-id";
import { acceptInvitation, describeInvitation, teamOverview } from "../../lib/invitations/service";
import {
  coSignPatientEnrollment,
  enrollPatient,
  getOwnPatientRecord,
  getPatientForActor,
  listPatientsForPrescriber,
  setPatientStatus,
  signOwnEnrollment,
  transferPatient,
} from "../../lib/patients/service";
import { createPrescriberEnrollment, createSettingEnrollment } from "../factories/certified";
import { createDelegate } from "../factories/enrollment";
import {
  CO_SIGNATURE_ATTESTATIONS,
  createPatientWorld,
  enrollPaperPatient,
  PATIENT_ATTESTATIONS,
  paperEnrollmentInput,
  patientValues,
} from "../factories/patients";
import { requestContext, signIn, stepUpCode, strongPassword } from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

async function patientsNamed(lastName: string) {
  return db().patient.count({ where: { lastName } });
}

describe("enrollPatient", () => {
  it("enrolls a patient with the paper form on file: REMS id, co-signature, history and audit", async () => {
    const world = await createPatientWorld();
    const values = patientValues();
    const result = await enrollPaperPatient(world, { values });

    expect(result.status).toBe("ENROLLED");
    expect(isValidRemsId(result.remsId, "PT")).toBe(true);
    const patient = await db().patient.findUniqueOrThrow({ where: { id: result.patientId } });
    expect(patient).toMatchObject({
      remsId: result.remsId,
      firstName: "Grace",
      lastName: values.lastName,
      sex: "female",
      postalCode: "62701",
      email: values.email,
      prescriberId: world.prescriber.prescriber.id,
      healthcareSettingId: world.setting.setting.id,
      signatureMethod: "PAPER",
      ageOverrideReason: null,
    });
    expect(patient.dateOfBirth.toISOString().slice(0, 10)).toBe("1980-04-02");
    expect(patient.counselledAt).not.toBeNull();

    const signatures = await db().signature.findMany({ where: { enrollmentId: result.enrollmentId } });
    expect(signatures).toHaveLength(1);
    expect(signatures[0]).toMatchObject({ signerUserId: world.actor.userId, printedName: world.actor.name });
    expect(signatures[0]?.contentSha256).toMatch(/^[0-9a-f]{64}$/);

    const events = await db().enrollmentEvent.findMany({
      where: { enrollmentId: result.enrollmentId },
      orderBy: { at: "asc" },
    });
    expect(events.map((e) => [e.fromStatus, e.toStatus])).toEqual([
      [null, "DRAFT"],
      ["DRAFT", "ENROLLED"],
    ]);
    const audit = await db().auditEvent.findMany({ where: { actorId: world.actor.userId }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["patient.enrolled", "patient.enrollment_cosigned", "patient.status_changed"]),
    );

    const list = await listPatientsForPrescriber(world.actor);
    expect(list).toEqual([
      expect.objectContaining({ id: result.patientId, remsId: result.remsId, status: "ENROLLED" }),
    ]);
  });

  it("refuses an uncertified prescriber or setting, a future birth date, missing counselling, a wrong password, and writes nothing", async () => {
    const world = await createPatientWorld();
    const values = patientValues();

    const pending = await createPrescriberEnrollment({ status: "SUBMITTED" });
    const { actor: pendingActor } = await signIn(pending);
    const notCertified = await appError(
      enrollPatient(pendingActor, {
        ...paperEnrollmentInput(world, { values }),
        coSignature: { printedName: "X", password: pending.password, attestations: CO_SIGNATURE_ATTESTATIONS },
      }),
    );
    expect(notCertified).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/not certified/) });

    const otherSetting = await createSettingEnrollment({ status: "SUBMITTED" });
    const settingError = await appError(
      enrollPaperPatient(world, { values, healthcareSettingId: otherSetting.setting.id }),
    );
    expect(settingError.details?.fields?.healthcareSettingId?.[0]).toMatch(/not certified/);

    const future = await appError(enrollPaperPatient(world, { values: { ...values, dateOfBirth: "2999-01-01" } }));
    expect(future.details?.fields?.dateOfBirth).toEqual(["The date of birth cannot be in the future"]);

    const counselling = await appError(enrollPaperPatient(world, { values, counselledMaterialIds: ["patient-guide"] }));
    expect(counselling.details?.fields?.counselledMaterialIds?.[0]).toMatch(/Safety Information Card/);

    const notTheirName = await appError(
      enrollPaperPatient(world, {
        values,
        coSignature: {
          printedName: "Mickey Mouse",
          password: world.password,
          code: world.codes.at(-1),
          attestations: CO_SIGNATURE_ATTESTATIONS,
        },
      }),
    );
    expect(notTheirName.details?.fields).toEqual({
      "coSignature.printedName": [`Type your name as it appears on your account: ${world.actor.name}`],
    });

    const password = await appError(
      enrollPaperPatient(world, {
        values,
        coSignature: {
          printedName: world.actor.name,
          password: "wrong password",
          attestations: CO_SIGNATURE_ATTESTATIONS,
        },
      }),
    );
    expect(password.details?.fields?.["coSignature.password"]).toEqual(["The password is incorrect"]);

    const unticked = await appError(
      enrollPaperPatient(world, {
        values,
        coSignature: { printedName: world.actor.name, password: world.password, attestations: [] },
      }),
    );
    expect(unticked.details?.fields?.["coSignature.attestations"]).toBeDefined();

    expect(await patientsNamed(values.lastName ?? "")).toBe(0);
  });

  it("requires an explicit, stored override with a reason for a patient under 17", async () => {
    const world = await createPatientWorld();
    const today = new Date();
    const sixteen = `${today.getUTCFullYear() - 16}-01-01`;
    const values = patientValues({ dateOfBirth: sixteen });
    const error = await appError(enrollPaperPatient(world, { values }));
    expect(error.details?.fields?.ageOverrideReason?.[0]).toMatch(/under the programme's minimum age of 17/);
    expect(await patientsNamed(values.lastName ?? "")).toBe(0);

    const ok = await enrollPaperPatient(world, { values, ageOverrideReason: "Specialist team agreed; see notes" });
    const patient = await db().patient.findUniqueOrThrow({ where: { id: ok.patientId } });
    expect(patient.ageOverrideReason).toBe("Specialist team agreed; see notes");
  });

  it("flags a suspected duplicate before creating a second record, until the prescriber confirms", async () => {
    const world = await createPatientWorld();
    const first = await enrollPaperPatient(world);
    const original = await db().patient.findUniqueOrThrow({ where: { id: first.patientId } });
    const same = patientValues({
      firstName: original.firstName.toUpperCase(),
      lastName: original.lastName,
      dateOfBirth: "1980-04-02",
    });
    const error = await appError(enrollPaperPatient(world, { values: same }));
    expect(error.code).toBe("CONFLICT");
    expect(error.details?.reason).toBe("possible-duplicate");
    expect(error.details?.matches).toEqual([
      expect.objectContaining({
        patientId: first.patientId,
        remsId: first.remsId,
        ownPatient: true,
        reasons: ["same name and date of birth"],
      }),
    ]);
    expect(await patientsNamed(original.lastName)).toBe(1);

    // Another prescriber is told that a match exists, never who it is.
    const other = await createPatientWorld();
    const byEmail = await appError(
      enrollPaperPatient(other, { values: patientValues({ email: original.email ?? "" }) }),
    );
    expect(byEmail.details?.matches).toEqual([
      {
        patientId: null,
        remsId: null,
        name: null,
        dateOfBirth: null,
        ownPatient: false,
        reasons: ["same e-mail address"],
      },
    ]);

    const second = await enrollPaperPatient(world, { values: same, confirmDifferentPerson: true });
    expect(second.patientId).not.toBe(first.patientId);
    expect(await patientsNamed(original.lastName)).toBe(2);
  });

  it("invites the patient to sign in their own account; pending until they sign", async () => {
    const world = await createPatientWorld();
    const values = patientValues();
    const result = await enrollPaperPatient(world, { values, signatureMethod: "ACCOUNT" });
    expect(result.status).toBe("DRAFT");
    expect(result.invitationLink).toMatch(/\/invitations\/[A-Za-z0-9_-]{43}$/);
    const mail = await db().mailMessage.findMany({ where: { to: values.email } });
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toContain(result.invitationLink);

    // A patient invitation is not an office-staff invitation.
    const team = await teamOverview(world.actor);
    expect(team.linked && team.invitations.map((i) => i.email)).toEqual([]);

    const token = result.invitationLink?.split("/invitations/")[1] ?? "";
    const view = await describeInvitation(token);
    expect(view).toMatchObject({ state: "pending", role: "PATIENT", email: values.email });
    const password = strongPassword();
    const user = await acceptInvitation(
      token,
      { name: "Grace Patient", password, confirmPassword: password },
      requestContext(),
    );
    expect(user.role).toBe("PATIENT");
    expect((await db().patient.findUniqueOrThrow({ where: { id: result.patientId } })).userId).toBe(user.id);

    const { actor: patient } = await signIn({ user, password });
    const own = await getOwnPatientRecord(patient);
    expect(own).toMatchObject({ remsId: result.remsId, can: { signAsPatient: true } });
    expect(own?.enrollment?.status).toBe("DRAFT");

    const missing = await appError(
      signOwnEnrollment(patient, { printedName: "Grace Patient", password, attestations: [] }),
    );
    expect(missing.details?.fields?.attestations).toBeDefined();
    // The patient signs with the name on their own account, not another (nor the prescriber's).
    const otherName = await appError(
      signOwnEnrollment(patient, {
        printedName: world.actor.name,
        password,
        code: await stepUpCode(patient.userId),
        attestations: PATIENT_ATTESTATIONS,
      }),
    );
    expect(otherName.details?.fields).toEqual({
      printedName: ["Type your name as it appears on your account: Grace Patient"],
    });
    expect(await db().signature.count({ where: { enrollmentId: result.enrollmentId } })).toBe(1);
    const signed = await signOwnEnrollment(patient, {
      printedName: "Grace Patient",
      password,
      // LEMTRADA asks a second factor of every e-signer, the patient included.
      code: await stepUpCode(patient.userId),
      attestations: PATIENT_ATTESTATIONS,
    });
    expect(signed.status).toBe("ENROLLED");
    expect(await db().signature.count({ where: { enrollmentId: result.enrollmentId } })).toBe(2);
    expect((await getOwnPatientRecord(patient))?.enrollment?.status).toBe("ENROLLED");
  });

  it("lets a delegate prepare an enrollment that the prescriber co-signs", async () => {
    const world = await createPatientWorld();
    const delegate = await createDelegate(world.prescriber.prescriber.id);
    const { actor: staff } = await signIn(delegate);
    const input = paperEnrollmentInput(world);
    const { coSignature: _ignored, ...prepared } = input;
    const result = await enrollPatient(staff, prepared);
    expect(result.status).toBe("DRAFT");
    const cannotSign = await appError(enrollPatient(staff, { ...input, values: patientValues() }));
    expect(cannotSign.code).toBe("FORBIDDEN");
    expect((await listPatientsForPrescriber(staff)).map((p) => p.id)).toContain(result.patientId);

    const notTheirs = await appError(
      coSignPatientEnrollment(world.actor, {
        patientId: result.patientId,
        printedName: "Sam Okonkwo",
        password: world.password,
        code: world.codes.at(-1),
        attestations: CO_SIGNATURE_ATTESTATIONS,
      }),
    );
    expect(notTheirs.details?.fields).toEqual({
      printedName: [`Type your name as it appears on your account: ${world.actor.name}`],
    });
    expect(await db().signature.count({ where: { enrollmentId: result.enrollmentId } })).toBe(0);
    const done = await coSignPatientEnrollment(world.actor, {
      patientId: result.patientId,
      printedName: world.actor.name,
      password: world.password,
      code: world.codes.pop(),
      attestations: CO_SIGNATURE_ATTESTATIONS,
    });
    expect(done.status).toBe("ENROLLED");
  });
});

describe("patient status and transfer", () => {
  it("changes the status with reasons, keeps the history and never re-enrolls the deceased", async () => {
    const world = await createPatientWorld();
    const { patientId } = await enrollPaperPatient(world);
    const noReason = await appError(setPatientStatus(world.actor, { patientId, status: "NOT_AUTHORIZED", reason: "" }));
    expect(noReason.details?.fields?.reason).toEqual(["Give the reason"]);

    await setPatientStatus(world.actor, { patientId, status: "NOT_AUTHORIZED", reason: "Platelets below range" });
    await setPatientStatus(world.actor, { patientId, status: "ENROLLED", reason: "Platelets recovered" });
    const noCode = await appError(setPatientStatus(world.actor, { patientId, status: "DISENROLLED", reason: "" }));
    expect(noCode.details?.fields?.reasonCode).toBeDefined();
    await setPatientStatus(world.actor, { patientId, status: "DISENROLLED", reasonCode: "deceased", reason: "" });
    const again = await appError(setPatientStatus(world.actor, { patientId, status: "ENROLLED", reason: "mistake" }));
    expect(again.code).toBe("ILLEGAL_TRANSITION");

    const details = await getPatientForActor(world.actor, patientId);
    expect(details.enrollment).toMatchObject({ status: "DISENROLLED", statusReason: "Deceased" });
    expect(details.history.map((h) => [h.toStatus, h.reason])).toEqual([
      ["DRAFT", "Enrollment started"],
      ["ENROLLED", "Signed by the patient and the prescriber"],
      ["NOT_AUTHORIZED", "Platelets below range"],
      ["ENROLLED", "Platelets recovered"],
      ["DISENROLLED", "Deceased"],
    ]);
    expect(await db().auditEvent.count({ where: { action: "patient.status_changed", entityId: patientId } })).toBe(4);
  });

  it("transfers to another certified prescriber: the new one sees the patient and the history, the old one no longer does", async () => {
    const world = await createPatientWorld();
    const { patientId } = await enrollPaperPatient(world);
    const uncertified = await createPrescriberEnrollment({ status: "SUSPENDED" });
    const refused = await appError(
      transferPatient(world.actor, { patientId, toPrescriberNpi: uncertified.prescriber.npi, reason: "Moving" }),
    );
    expect(refused.details?.fields?.toPrescriberNpi).toBeDefined();

    const next = await createPrescriberEnrollment();
    const { actor: nextActor } = await signIn(next);
    await transferPatient(world.actor, { patientId, toPrescriberNpi: next.prescriber.npi, reason: "Patient moved" });

    const seen = await getPatientForActor(nextActor, patientId);
    expect(seen.prescriber?.id).toBe(next.prescriber.id);
    expect(seen.transfers).toEqual([expect.objectContaining({ reason: "Patient moved" })]);
    expect(seen.history.at(-1)?.reason).toMatch(/^Transferred from .* to .*: Patient moved$/);
    expect(seen.history).toHaveLength(3);
    expect((await listPatientsForPrescriber(nextActor)).map((p) => p.id)).toEqual([patientId]);

    expect((await appError(getPatientForActor(world.actor, patientId))).code).toBe("FORBIDDEN");
    expect(await listPatientsForPrescriber(world.actor)).toEqual([]);
    expect(await db().patientTransfer.count({ where: { patientId } })).toBe(1);
  });
});

describe("who sees a patient", () => {
  it("refuses another prescriber and another setting's representative, and audits the attempt", async () => {
    const world = await createPatientWorld();
    const { patientId } = await enrollPaperPatient(world);
    const stranger = await createPrescriberEnrollment();
    const { actor } = await signIn(stranger);
    expect((await appError(getPatientForActor(actor, patientId))).code).toBe("FORBIDDEN");
    expect((await appError(setPatientStatus(actor, { patientId, status: "NOT_AUTHORIZED", reason: "x" }))).code).toBe(
      "FORBIDDEN",
    );
    expect(await db().auditEvent.count({ where: { action: "authorization.denied", actorId: actor.userId } })).toBe(2);

    const { actor: rep } = await signIn(world.setting);
    expect((await getPatientForActor(rep, patientId)).remsId).toMatch(/^PT-/);
    const otherSetting = await createSettingEnrollment();
    const { actor: otherRep } = await signIn(otherSetting);
    expect((await appError(getPatientForActor(otherRep, patientId))).code).toBe("FORBIDDEN");

    const delegate = await createDelegate(world.prescriber.prescriber.id);
    const { actor: staff } = await signIn(delegate);
    const viaDelegate = await getPatientForActor(staff, patientId);
    expect(viaDelegate.can).toEqual({ changeStatus: false, transfer: false, coSign: false, signAsPatient: false });
    expect((await appError(setPatientStatus(staff, { patientId, status: "NOT_AUTHORIZED", reason: "x" }))).code).toBe(
      "FORBIDDEN",
    );
  });
});
