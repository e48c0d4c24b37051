import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/auth/actor";
import { db, disconnectDb } from "../../lib/db";
import { findOwnEnrollments } from "../../lib/enrollment/queries";
import { signedContent } from "../../lib/enrollment/rules";
import {
  acknowledgeTrainingSection,
  getEnrollmentForApplicant,
  getEnrollmentWorkspace,
  listApplicantEnrollments,
  restartEnrollment,
  saveEnrollmentForm,
  setAttestation,
  signEnrollment,
  submitAssessment,
} from "../../lib/enrollment/service";
import {
  acknowledgeAllTraining,
  allAttestations,
  answersWithWrong,
  correctAnswers,
  createDelegate,
  ensureProgram,
  PROGRAM,
  pharmacyForm,
  prescriberAssessment,
  prescriberForm,
  prescriberReadyToSign,
  reviewState,
  settingForm,
  startEnrollment,
  trainingSectionIds,
  uniqueNcpdpId,
  withWrongCheckDigit,
} from "../factories/enrollment";
import { createUser, signIn, stepUpCode } from "../factories/users";
import { appError } from "../factories/errors";

beforeAll(async () => {
  await ensureProgram();
});

afterAll(async () => {
  await disconnectDb();
});

/** A signed-in applicant; the name on their account is the one they sign with. */
async function actorFor(role: "PRESCRIBER" | "PHARMACIST" | "SETTING_REP" = "PRESCRIBER", name = "Noor Haddad") {
  const credentials = await createUser({ role, name });
  const { actor } = await signIn(credentials);
  return { actor, password: credentials.password };
}

function enrollmentRow(id: string) {
  return db().enrollment.findUniqueOrThrow({
    where: { id },
    select: { status: true, version: true, data: true, submittedAt: true, applicantUserId: true },
  });
}

/** Row counts that a refused request must leave unchanged. */
async function snapshot(enrollmentId?: string) {
  const client = db();
  return {
    prescribers: await client.prescriber.count(),
    pharmacies: await client.pharmacy.count(),
    settings: await client.healthcareSetting.count(),
    enrollments: await client.enrollment.count(),
    signatures: await client.signature.count(),
    attempts: await client.assessmentAttempt.count(),
    mail: await client.mailMessage.count(),
    enrollment: enrollmentId ? await enrollmentRow(enrollmentId) : null,
  };
}

describe("saving the enrollment form", () => {
  it("creates the prescriber and a DRAFT application with its history and audit rows", async () => {
    const { actor } = await actorFor();
    const values = prescriberForm({ dea: "", addressLine2: "  ", state: "wi" });
    const saved = await saveEnrollmentForm(actor, { programCode: "lemtrada", values });
    expect(saved.created).toBe(true);

    const prescriber = await db().prescriber.findUniqueOrThrow({ where: { userId: actor.userId } });
    expect(prescriber).toMatchObject({
      npi: values.npi,
      firstName: "Noor",
      lastName: "Haddad",
      credentials: "MD",
      specialty: "Neurology",
      practiceName: "Lakeside Neurology",
      addressLine2: null,
      state: "WI",
      postalCode: "53703",
      deaNumber: null,
    });
    const enrollment = await db().enrollment.findUniqueOrThrow({
      where: { id: saved.enrollmentId },
      select: { kind: true, status: true, prescriberId: true, applicantUserId: true, data: true, events: true },
    });
    expect(enrollment).toMatchObject({
      kind: "PRESCRIBER",
      status: "DRAFT",
      prescriberId: prescriber.id,
      applicantUserId: actor.userId,
    });
    expect((enrollment.data as { form: Record<string, string> }).form).toMatchObject({ npi: values.npi, state: "WI" });
    expect((enrollment.data as { form: Record<string, string> }).form).not.toHaveProperty("addressLine2");
    expect(enrollment.events).toEqual([expect.objectContaining({ fromStatus: null, toStatus: "DRAFT" })]);
    const actions = await db().auditEvent.findMany({
      where: { actorId: actor.userId, action: { in: ["prescriber.created", "enrollment.created"] } },
      select: { action: true, entityId: true },
    });
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: "prescriber.created", entityId: prescriber.id },
        { action: "enrollment.created", entityId: saved.enrollmentId },
      ]),
    );
  });

  it("updates the same application on the next save and audits only the changed fields", async () => {
    const { actor } = await actorFor();
    const values = prescriberForm();
    const id = await startEnrollment(actor, values);
    const again = await saveEnrollmentForm(actor, {
      programCode: PROGRAM.code,
      enrollmentId: id,
      values: { ...values, specialty: "Neuro-immunology" },
    });
    expect(again).toEqual({ enrollmentId: id, created: false });
    expect(await db().enrollment.count({ where: { prescriber: { userId: actor.userId } } })).toBe(1);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityId: id, action: "enrollment.form_saved" },
      select: { before: true, after: true },
    });
    expect(audit).toEqual({
      before: { form: { specialty: "Neurology" }, attestations: {} },
      after: { form: { specialty: "Neuro-immunology" }, attestations: {} },
    });
    expect((await db().prescriber.findUniqueOrThrow({ where: { userId: actor.userId } })).specialty).toBe(
      "Neuro-immunology",
    );
  });

  it("creates a pharmacy with a REMS id and links the representative to it", async () => {
    const { actor } = await actorFor("PHARMACIST");
    const values = pharmacyForm();
    const id = await startEnrollment(actor, values);
    const user = await db().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { pharmacyId: true } });
    const pharmacy = await db().pharmacy.findUniqueOrThrow({ where: { id: user.pharmacyId ?? "" } });
    expect(pharmacy).toMatchObject({
      name: values.pharmacyName,
      type: "SPECIALTY",
      ncpdpId: values.ncpdpId,
      npi: values.npi,
      phone: "614-555-0199",
      contactEmail: "jordan@org.test",
    });
    expect(pharmacy.remsId).toMatch(/^PH-/);
    expect(await enrollmentRow(id)).toMatchObject({ status: "DRAFT", applicantUserId: actor.userId });
    expect(await db().enrollment.count({ where: { id, kind: "PHARMACY", pharmacyId: pharmacy.id } })).toBe(1);
  });

  it("creates a healthcare setting (NPI optional when another identifier is given)", async () => {
    const { actor } = await actorFor("SETTING_REP");
    const values = settingForm({ npi: "", otherIdentifier: "OH-LIC-7781", settingType: "hospital_outpatient" });
    const id = await startEnrollment(actor, values);
    const user = await db().user.findUniqueOrThrow({
      where: { id: actor.userId },
      select: { healthcareSettingId: true },
    });
    const setting = await db().healthcareSetting.findUniqueOrThrow({ where: { id: user.healthcareSettingId ?? "" } });
    expect(setting).toMatchObject({
      name: values.settingName,
      type: "HOSPITAL_OUTPATIENT",
      npi: null,
      otherIdentifier: "OH-LIC-7781",
    });
    expect(setting.remsId).toMatch(/^HS-/);
    expect(await db().enrollment.count({ where: { id, healthcareSettingId: setting.id } })).toBe(1);

    const neither = await appError(
      saveEnrollmentForm(actor, {
        programCode: PROGRAM.code,
        enrollmentId: id,
        values: { ...values, otherIdentifier: "" },
      }),
    );
    expect(neither.details?.fields).toMatchObject({ npi: [expect.any(String)], otherIdentifier: [expect.any(String)] });
  });

  it("refuses an NPI with a wrong check digit on the npi field and writes nothing", async () => {
    const { actor } = await actorFor();
    const before = await snapshot();
    const values = prescriberForm();
    const error = await appError(
      saveEnrollmentForm(actor, {
        programCode: PROGRAM.code,
        values: { ...values, npi: withWrongCheckDigit(values.npi ?? "") },
      }),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields).toEqual({ npi: ["NPI check digit is wrong — check for a typo"] });
    expect(await snapshot()).toEqual(before);
  });

  it("reports every invalid field at once", async () => {
    const { actor } = await actorFor();
    const error = await appError(
      saveEnrollmentForm(actor, {
        programCode: PROGRAM.code,
        values: prescriberForm({
          firstName: "",
          email: "nope",
          zip: "5370",
          phone: "123",
          state: "ZZ",
          credentials: "x",
        }),
      }),
    );
    expect(Object.keys(error.details?.fields ?? {}).sort()).toEqual([
      "credentials",
      "email",
      "firstName",
      "phone",
      "state",
      "zip",
    ]);
  });

  it("refuses an NPI another prescriber holds, on the npi field, and writes nothing", async () => {
    const first = await actorFor();
    const values = prescriberForm();
    await startEnrollment(first.actor, values);

    const { actor } = await actorFor();
    const before = await snapshot();
    const error = await appError(
      saveEnrollmentForm(actor, { programCode: PROGRAM.code, values: prescriberForm({ npi: values.npi ?? "" }) }),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields?.npi?.[0]).toMatch(/already enrolled/);
    expect(await snapshot()).toEqual(before);
    expect(await db().prescriber.count({ where: { userId: actor.userId } })).toBe(0);
  });

  it("refuses a duplicate NCPDP id and a duplicate pharmacy NPI field by field, and writes nothing", async () => {
    const first = await actorFor("PHARMACIST");
    const taken = pharmacyForm();
    await startEnrollment(first.actor, taken);

    const { actor } = await actorFor("PHARMACIST");
    const before = await snapshot();
    const error = await appError(
      saveEnrollmentForm(actor, {
        programCode: PROGRAM.code,
        values: pharmacyForm({ ncpdpId: taken.ncpdpId ?? "", npi: taken.npi ?? "" }),
      }),
    );
    expect(error.details?.fields).toEqual({
      ncpdpId: [expect.stringMatching(/NCPDP provider ID is already enrolled/)],
      npi: [expect.stringMatching(/NPI is already enrolled/)],
    });
    expect(await snapshot()).toEqual(before);
    const user = await db().user.findUniqueOrThrow({ where: { id: actor.userId }, select: { pharmacyId: true } });
    expect(user.pharmacyId).toBeNull();

    // With a fresh NCPDP id but the same NPI only the NPI is reported.
    const npiOnly = await appError(
      saveEnrollmentForm(actor, { programCode: PROGRAM.code, values: pharmacyForm({ npi: taken.npi ?? "" }) }),
    );
    expect(Object.keys(npiOnly.details?.fields ?? {})).toEqual(["npi"]);
  });

  it("creates one pharmacy and one application when the first save arrives twice at once", async () => {
    const { actor } = await actorFor("PHARMACIST");
    const values = pharmacyForm();
    const [a, b] = await Promise.all([startEnrollment(actor, values), startEnrollment(actor, values)]);
    expect(a).toBe(b);
    expect(await db().pharmacy.count({ where: { ncpdpId: values.ncpdpId } })).toBe(1);
    expect(await db().enrollment.count({ where: { pharmacy: { ncpdpId: values.ncpdpId } } })).toBe(1);
  });

  it("lets the same pharmacy keep its own identifiers on a later save", async () => {
    const { actor } = await actorFor("PHARMACIST");
    const values = pharmacyForm();
    const id = await startEnrollment(actor, values);
    const saved = await saveEnrollmentForm(actor, {
      programCode: PROGRAM.code,
      enrollmentId: id,
      values: { ...values, ncpdpId: uniqueNcpdpId() },
    });
    expect(saved.created).toBe(false);
  });
});

describe("training", () => {
  it("records each acknowledgement with its time and an audit row; unticking removes it", async () => {
    const { actor } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    const [first, second] = trainingSectionIds("prescriber");
    const ack = await acknowledgeTrainingSection(actor, {
      enrollmentId: id,
      sectionId: first ?? "",
      acknowledged: true,
    });
    expect(Date.parse(ack.acknowledgedAt ?? "")).not.toBeNaN();
    await acknowledgeTrainingSection(actor, { enrollmentId: id, sectionId: second ?? "", acknowledged: true });
    await acknowledgeTrainingSection(actor, { enrollmentId: id, sectionId: second ?? "", acknowledged: false });
    const data = (await enrollmentRow(id)).data as { training: Record<string, string> };
    expect(Object.keys(data.training)).toEqual([first]);
    expect(
      await db().auditEvent.count({ where: { entityId: id, action: { startsWith: "enrollment.training_" } } }),
    ).toBe(3);

    const view = await getEnrollmentWorkspace(actor, { programCode: PROGRAM.code });
    const training = view.progress.find((s) => s.id === "training");
    expect(training?.complete).toBe(false);
    expect(training?.missing).toHaveLength(trainingSectionIds("prescriber").length - 1);
  });

  it("refuses an unknown section", async () => {
    const { actor } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    const error = await appError(
      acknowledgeTrainingSection(actor, { enrollmentId: id, sectionId: "no-such-section", acknowledged: true }),
    );
    expect(error.code).toBe("BAD_REQUEST");
  });
});

describe("knowledge assessment", () => {
  it("is refused before the training is complete", async () => {
    const { actor } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    const error = await appError(
      submitAssessment(actor, { enrollmentId: id, attemptNumber: 1, answers: correctAnswers(prescriberAssessment()) }),
    );
    expect(error.message).toMatch(/training/);
    expect(await db().assessmentAttempt.count({ where: { enrollmentId: id } })).toBe(0);
  });

  it("records a failed attempt with the topics to review (not the answers), then a retake passes", async () => {
    const { actor } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    await acknowledgeAllTraining(actor, id, "prescriber");
    const assessment = prescriberAssessment();

    const failed = await submitAssessment(actor, {
      enrollmentId: id,
      attemptNumber: 1,
      answers: answersWithWrong(assessment, 2),
    });
    expect(failed).toMatchObject({ attemptNumber: 1, passed: false, correctCount: 6, questionCount: 8 });
    expect(failed.topicsToReview).toEqual([
      { topic: "Autoimmunity", sectionId: "autoimmunity", sectionTitle: "Autoimmunity" },
      { topic: "Infusion reactions", sectionId: "infusion-reactions", sectionTitle: "Infusion reactions" },
    ]);
    expect(JSON.stringify(failed)).not.toMatch(/correctOptionIds|explanation/);
    const row = await db().assessmentAttempt.findUniqueOrThrow({
      where: { enrollmentId_attemptNumber: { enrollmentId: id, attemptNumber: 1 } },
    });
    expect(row).toMatchObject({
      passed: false,
      correctCount: 6,
      topicsToReview: ["Autoimmunity", "Infusion reactions"],
      submittedByUserId: actor.userId,
    });
    expect(await db().auditEvent.count({ where: { entityId: id, action: "enrollment.assessment_failed" } })).toBe(1);

    let view = await getEnrollmentWorkspace(actor, { programCode: PROGRAM.code });
    expect(view.progress.find((s) => s.id === "assessment")?.complete).toBe(false);
    expect(view.nextAttemptNumber).toBe(2);
    expect(view.latestAttempt?.passed).toBe(false);

    const passed = await submitAssessment(actor, {
      enrollmentId: id,
      attemptNumber: 2,
      answers: correctAnswers(assessment),
    });
    expect(passed).toMatchObject({ attemptNumber: 2, passed: true, correctCount: 8, topicsToReview: [] });
    view = await getEnrollmentWorkspace(actor, { programCode: PROGRAM.code });
    expect(view.progress.find((s) => s.id === "assessment")?.complete).toBe(true);
    expect(view.readyToSign).toBe(true);
  });

  it("refuses the same attempt number twice and keeps the first result", async () => {
    const { actor } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    await acknowledgeAllTraining(actor, id, "prescriber");
    const assessment = prescriberAssessment();
    await submitAssessment(actor, { enrollmentId: id, attemptNumber: 1, answers: answersWithWrong(assessment, 1) });

    const error = await appError(
      submitAssessment(actor, { enrollmentId: id, attemptNumber: 1, answers: correctAnswers(assessment) }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/This attempt was already submitted/);
    const attempts = await db().assessmentAttempt.findMany({ where: { enrollmentId: id } });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.passed).toBe(false);
  });

  it("refuses two simultaneous submissions of the same attempt: exactly one is recorded", async () => {
    const { actor } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    await acknowledgeAllTraining(actor, id, "prescriber");
    const answers = correctAnswers(prescriberAssessment());
    const results = await Promise.allSettled([
      submitAssessment(actor, { enrollmentId: id, attemptNumber: 1, answers }),
      submitAssessment(actor, { enrollmentId: id, attemptNumber: 1, answers }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: "CONFLICT" });
    expect(await db().assessmentAttempt.count({ where: { enrollmentId: id } })).toBe(1);
  });

  it("asks for every question before scoring, and records nothing", async () => {
    const { actor } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    await acknowledgeAllTraining(actor, id, "prescriber");
    const answers = correctAnswers(prescriberAssessment());
    const [firstQuestion] = Object.keys(answers);
    delete answers[firstQuestion ?? ""];
    const error = await appError(submitAssessment(actor, { enrollmentId: id, attemptNumber: 1, answers }));
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields).toEqual({ [firstQuestion ?? ""]: ["Answer this question"] });
    expect(await db().assessmentAttempt.count({ where: { enrollmentId: id } })).toBe(0);
  });

  it("refuses another attempt once passed", async () => {
    const { actor } = await actorFor();
    const id = await prescriberReadyToSign(actor);
    const error = await appError(
      submitAssessment(actor, { enrollmentId: id, attemptNumber: 2, answers: correctAnswers(prescriberAssessment()) }),
    );
    expect(error.message).toMatch(/already passed/);
  });
});

describe("signing and submitting", () => {
  it("refuses a wrong password on the password field and writes nothing", async () => {
    const { actor } = await actorFor();
    const id = await prescriberReadyToSign(actor);
    const review = await reviewState(actor);
    const before = await snapshot(id);
    const auditBefore = await db().auditEvent.count();
    const error = await appError(
      signEnrollment(actor, {
        enrollmentId: id,
        printedName: "Noor Haddad",
        password: "not my password at all",
        attestations: allAttestations("prescriber"),
        ...review,
      }),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.details?.fields).toEqual({ password: ["The password is incorrect"] });
    expect(await snapshot(id)).toEqual(before);
    expect(await db().auditEvent.count()).toBe(auditBefore);
  });

  it("refuses a printed name that is not the name on the signer's account, saying which name, and signs nothing", async () => {
    const { actor, password } = await actorFor("PRESCRIBER", "Zoë Łukasiewicz");
    const id = await prescriberReadyToSign(actor);
    const review = await reviewState(actor);
    const before = await enrollmentRow(id);
    const auditBefore = await db().auditEvent.count({ where: { entityId: id } });
    for (const printedName of ["Mickey Mouse", "Zoë", "Łukasiewicz, Zoë", "Zoë Łukasiewicz-Smith"]) {
      const error = await appError(
        signEnrollment(actor, {
          enrollmentId: id,
          printedName,
          password,
          code: await stepUpCode(actor.userId),
          attestations: allAttestations("prescriber"),
          ...review,
        }),
      );
      expect(error.code).toBe("VALIDATION");
      expect(error.details?.fields).toEqual({
        printedName: ["Type your name as it appears on your account: Zoë Łukasiewicz"],
      });
    }
    expect(await enrollmentRow(id)).toEqual(before);
    expect(await db().signature.count({ where: { signerUserId: actor.userId } })).toBe(0);
    expect(await db().auditEvent.count({ where: { entityId: id } })).toBe(auditBefore);
  });

  it("takes the account's name however it is typed: case, accents, a title and credentials", async () => {
    const { actor, password } = await actorFor("PRESCRIBER", "Zoë Łukasiewicz");
    const id = await prescriberReadyToSign(actor);
    const review = await reviewState(actor);
    const result = await signEnrollment(actor, {
      enrollmentId: id,
      printedName: " dr. ZOE lukasiewicz, MD ",
      password,
      code: await stepUpCode(actor.userId),
      attestations: allAttestations("prescriber"),
      ...review,
    });
    expect(result.status).toBe("SUBMITTED");
    const signature = await db().signature.findUniqueOrThrow({ where: { id: result.signatureId } });
    // The printed name is kept as the signer typed it.
    expect(signature.printedName).toBe("dr. ZOE lukasiewicz, MD");
  });

  it("needs every attestation and a printed name", async () => {
    const { actor, password } = await actorFor();
    const id = await prescriberReadyToSign(actor);
    const review = await reviewState(actor);
    const missing = await appError(
      signEnrollment(actor, {
        enrollmentId: id,
        printedName: "Noor Haddad",
        password,
        code: await stepUpCode(actor.userId),
        attestations: allAttestations("prescriber").slice(1),
        ...review,
      }),
    );
    expect(missing.details?.fields?.attestations).toHaveLength(1);
    const noName = await appError(
      signEnrollment(actor, {
        enrollmentId: id,
        printedName: "   ",
        password,
        code: await stepUpCode(actor.userId),
        attestations: allAttestations("prescriber"),
        ...review,
      }),
    );
    expect(Object.keys(noName.details?.fields ?? {})).toEqual(["printedName"]);
    expect((await enrollmentRow(id)).status).toBe("DRAFT");
  });

  it("is refused until the earlier steps are complete", async () => {
    const { actor, password } = await actorFor();
    const id = await startEnrollment(actor, prescriberForm());
    await acknowledgeAllTraining(actor, id, "prescriber");
    const review = await reviewState(actor);
    const error = await appError(
      signEnrollment(actor, {
        enrollmentId: id,
        printedName: "Noor Haddad",
        password,
        code: await stepUpCode(actor.userId),
        attestations: allAttestations("prescriber"),
        ...review,
      }),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toMatch(/knowledge assessment/);
    expect(await db().signature.count({ where: { enrollmentId: id } })).toBe(0);
  });

  it("refuses to sign content that changed after the review page was opened", async () => {
    const { actor, password } = await actorFor();
    const id = await prescriberReadyToSign(actor);
    const review = await reviewState(actor);
    const values = review.view.formValues;
    await saveEnrollmentForm(actor, {
      programCode: PROGRAM.code,
      enrollmentId: id,
      values: { ...values, city: "Milwaukee" },
    });
    const error = await appError(
      signEnrollment(actor, {
        enrollmentId: id,
        printedName: "Noor Haddad",
        password,
        code: await stepUpCode(actor.userId),
        attestations: allAttestations("prescriber"),
        reviewDigest: review.reviewDigest,
        expectedVersion: review.expectedVersion,
      }),
    );
    expect(error.code).toBe("CONFLICT");
    expect(await db().signature.count({ where: { enrollmentId: id } })).toBe(0);
  });

  it("writes the signature with the SHA-256 of the signed content, submits, records history, audit and mail", async () => {
    const { actor, password } = await actorFor();
    const id = await prescriberReadyToSign(actor);
    const review = await reviewState(actor);
    const result = await signEnrollment(actor, {
      enrollmentId: id,
      printedName: "  Noor Haddad ",
      password,
      code: await stepUpCode(actor.userId),
      attestations: allAttestations("prescriber"),
      ...review,
    });
    expect(result.status).toBe("SUBMITTED");

    const requirement = PROGRAM.stakeholders.prescriber;
    const signature = await db().signature.findUniqueOrThrow({ where: { id: result.signatureId } });
    expect(signature).toMatchObject({
      signerUserId: actor.userId,
      printedName: "Noor Haddad",
      meaning: requirement?.signatureMeaning,
      entityType: "Enrollment",
      entityId: id,
      enrollmentId: id,
    });
    const row = await enrollmentRow(id);
    expect(row.status).toBe("SUBMITTED");
    expect(row.version).toBe(review.expectedVersion + 1);
    expect(row.submittedAt?.getTime()).toBe(signature.signedAt.getTime());

    // The hash can be recomputed from what is stored.
    const data = row.data as { form: Record<string, string>; training: Record<string, string> };
    const recomputed = signedContent({
      programCode: PROGRAM.code,
      programVersion: PROGRAM.version,
      kind: "PRESCRIBER",
      enrollmentId: id,
      form: data.form,
      trainingAcknowledged: Object.keys(data.training),
      assessment: { correctCount: 8, questionCount: 8, attemptNumber: 1 },
      attestations: (requirement?.attestations ?? []).map((a) => ({ id: a.id, text: a.text })),
      meaning: requirement?.signatureMeaning ?? "",
      printedName: "Noor Haddad",
      signedAt: signature.signedAt.toISOString(),
    });
    expect(signature.contentSha256).toBe(recomputed.sha256);
    expect(result.contentSha256).toBe(recomputed.sha256);

    const signedAudit = await db().auditEvent.findFirstOrThrow({
      where: { entityId: id, action: "enrollment.signed" },
    });
    expect(signedAudit.after).toMatchObject({ contentSha256: recomputed.sha256, signedContent: recomputed.content });
    expect(await db().auditEvent.count({ where: { entityId: id, action: "enrollment.submit" } })).toBe(1);
    const events = await db().enrollmentEvent.findMany({ where: { enrollmentId: id }, orderBy: { at: "asc" } });
    expect(events.map((e) => [e.fromStatus, e.toStatus])).toEqual([
      [null, "DRAFT"],
      ["DRAFT", "SUBMITTED"],
    ]);
    expect(events[1]?.actorUserId).toBe(actor.userId);
    const mail = await db().mailMessage.findMany({ where: { entityId: id } });
    expect(mail).toEqual([expect.objectContaining({ category: "certification.SUBMIT", to: actor.email })]);

    // Submitted means read-only: no more edits, acknowledgements or signatures.
    const edit = await appError(
      saveEnrollmentForm(actor, { programCode: PROGRAM.code, enrollmentId: id, values: review.view.formValues }),
    );
    expect(edit.code).toBe("ILLEGAL_TRANSITION");
    const resign = await appError(
      signEnrollment(actor, {
        enrollmentId: id,
        printedName: "Noor Haddad",
        password,
        code: await stepUpCode(actor.userId),
        attestations: allAttestations("prescriber"),
        reviewDigest: review.reviewDigest,
      }),
    );
    expect(resign.code).toBe("ILLEGAL_TRANSITION");
    expect(await db().signature.count({ where: { enrollmentId: id } })).toBe(1);

    const view = await getEnrollmentForApplicant(actor, id);
    expect(view.enrollment?.statusLabel).toBe("Submitted, awaiting review");
    expect(view.signatures).toEqual([
      expect.objectContaining({ printedName: "Noor Haddad", contentSha256: recomputed.sha256 }),
    ]);
    expect(view.documents.signedForm).toBe(`/documents/enrollments/${id}/signed-form.pdf`);
    expect(view.documents.certificate).toBeNull();
  });

  it("signs and submits a pharmacy and a healthcare setting (no assessment)", async () => {
    for (const [role, kind, form] of [
      ["PHARMACIST", "pharmacy", pharmacyForm()],
      ["SETTING_REP", "healthcareSetting", settingForm()],
    ] as const) {
      const { actor, password } = await actorFor(role, "Jordan Reyes");
      const id = await startEnrollment(actor, form);
      await acknowledgeAllTraining(actor, id, kind);
      await setAttestation(actor, { enrollmentId: id, attestationId: allAttestations(kind)[0] ?? "", checked: true });
      const review = await reviewState(actor);
      expect(review.view.assessment).toBeNull();
      expect(review.view.readyToSign).toBe(true);
      const result = await signEnrollment(actor, {
        enrollmentId: id,
        printedName: "Jordan Reyes",
        password,
        code: await stepUpCode(actor.userId),
        attestations: allAttestations(kind),
        ...review,
      });
      expect(result.status).toBe("SUBMITTED");
      expect((await enrollmentRow(id)).data).toMatchObject({
        attestations: Object.fromEntries(allAttestations(kind).map((a) => [a, true])),
      });
    }
  });

  it("re-opens for editing when changes are requested and can be signed again", async () => {
    const { actor, password } = await actorFor();
    const id = await prescriberReadyToSign(actor);
    let review = await reviewState(actor);
    await signEnrollment(actor, {
      enrollmentId: id,
      printedName: "Noor Haddad",
      password,
      code: await stepUpCode(actor.userId),
      attestations: allAttestations("prescriber"),
      ...review,
    });
    // What an administrator's "request changes" leaves behind.
    await db().enrollment.update({
      where: { id },
      data: { status: "CHANGES_REQUESTED", statusReason: "Add your DEA number", version: { increment: 1 } },
    });
    review = await reviewState(actor);
    expect(review.view.can).toMatchObject({ edit: true, sign: true });
    expect(review.view.enrollment?.statusReason).toBe("Add your DEA number");
    await saveEnrollmentForm(actor, {
      programCode: PROGRAM.code,
      enrollmentId: id,
      values: { ...review.view.formValues, dea: "AB1234563" },
    });
    // The statements were made about the old content: they must be ticked again.
    expect((await enrollmentRow(id)).data).toMatchObject({ attestations: {} });
    review = await reviewState(actor);
    const again = await signEnrollment(actor, {
      enrollmentId: id,
      printedName: "Noor Haddad",
      password,
      code: await stepUpCode(actor.userId),
      attestations: allAttestations("prescriber"),
      ...review,
    });
    expect(again.status).toBe("SUBMITTED");
    expect(await db().signature.count({ where: { enrollmentId: id } })).toBe(2);
    expect((await db().prescriber.findUniqueOrThrow({ where: { userId: actor.userId } })).deaNumber).toBe("AB1234563");
  });

  it("starts again after a rejection: back to DRAFT, training and attestations to redo, a new assessment", async () => {
    const { actor, password } = await actorFor();
    const id = await prescriberReadyToSign(actor);
    const review = await reviewState(actor);
    await signEnrollment(actor, {
      enrollmentId: id,
      printedName: "Noor Haddad",
      password,
      code: await stepUpCode(actor.userId),
      attestations: allAttestations("prescriber"),
      ...review,
    });
    await db().enrollment.update({ where: { id }, data: { status: "REJECTED", version: { increment: 1 } } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const restarted = await restartEnrollment(actor, { enrollmentId: id });
    expect(restarted.status).toBe("DRAFT");
    const view = await getEnrollmentWorkspace(actor, { programCode: PROGRAM.code });
    expect(view.progress.map((s) => [s.id, s.complete])).toEqual([
      ["details", true],
      ["training", false],
      ["assessment", false],
      ["sign", false],
    ]);
    expect(view.nextAttemptNumber).toBe(2);
  });
});

describe("delegates", () => {
  async function prescriberWithDelegate() {
    const prescriber = await actorFor();
    const id = await startEnrollment(prescriber.actor, prescriberForm());
    const prescriberRow = await db().prescriber.findUniqueOrThrow({ where: { userId: prescriber.actor.userId } });
    const delegateCredentials = await createDelegate(prescriberRow.id);
    const { actor: delegate } = await signIn(delegateCredentials);
    return { prescriber, id, prescriberId: prescriberRow.id, delegate, delegatePassword: delegateCredentials.password };
  }

  it("may fill in the linked prescriber's form", async () => {
    const { id, delegate, prescriberId, prescriber } = await prescriberWithDelegate();
    const view = await getEnrollmentWorkspace(delegate, { programCode: PROGRAM.code });
    expect(view.enrollment?.id).toBe(id);
    expect(view.forPrescriber?.id).toBe(prescriberId);
    expect(view.can).toMatchObject({ edit: true, learn: false, sign: false });
    await saveEnrollmentForm(delegate, {
      programCode: PROGRAM.code,
      enrollmentId: id,
      values: { ...view.formValues, practiceName: "Lakeside Neurology Group" },
    });
    expect((await db().prescriber.findUniqueOrThrow({ where: { id: prescriberId } })).practiceName).toBe(
      "Lakeside Neurology Group",
    );
    // The application still belongs to (and notifies) the prescriber.
    expect((await enrollmentRow(id)).applicantUserId).toBe(prescriber.actor.userId);
  });

  it("sees the linked prescriber's enrollment on the dashboard, and only that one", async () => {
    const { id, delegate } = await prescriberWithDelegate();
    await startEnrollment((await actorFor()).actor, prescriberForm());
    expect((await findOwnEnrollments(delegate)).map((e) => e.id)).toEqual([id]);
    expect((await listApplicantEnrollments(delegate)).map((v) => v.enrollment?.id)).toEqual([id]);
  });

  it("cannot sign, even with their own correct password, and nothing is written", async () => {
    const { prescriber, delegate, delegatePassword } = await prescriberWithDelegate();
    const id = (
      await db().enrollment.findFirstOrThrow({
        where: { prescriber: { userId: prescriber.actor.userId } },
        select: { id: true },
      })
    ).id;
    await acknowledgeAllTraining(prescriber.actor, id, "prescriber");
    await submitAssessment(prescriber.actor, {
      enrollmentId: id,
      attemptNumber: 1,
      answers: correctAnswers(prescriberAssessment()),
    });
    const review = await reviewState(prescriber.actor);
    const before = await snapshot(id);
    const error = await appError(
      signEnrollment(delegate, {
        enrollmentId: id,
        printedName: "Sam Okonkwo",
        password: delegatePassword,
        attestations: allAttestations("prescriber"),
        ...review,
      }),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toMatch(/Only the prescriber can sign/);
    expect(await snapshot(id)).toEqual(before);
    expect(await db().auditEvent.count({ where: { actorId: delegate.userId, action: "authorization.denied" } })).toBe(
      1,
    );
  });

  it("cannot take the training or the assessment for the prescriber", async () => {
    const { id, delegate } = await prescriberWithDelegate();
    const training = await appError(
      acknowledgeTrainingSection(delegate, {
        enrollmentId: id,
        sectionId: trainingSectionIds("prescriber")[0] ?? "",
        acknowledged: true,
      }),
    );
    expect(training.code).toBe("FORBIDDEN");
    const assessment = await appError(
      submitAssessment(delegate, {
        enrollmentId: id,
        attemptNumber: 1,
        answers: correctAnswers(prescriberAssessment()),
      }),
    );
    expect(assessment.code).toBe("FORBIDDEN");
  });

  it("cannot reach a prescriber they are not linked to", async () => {
    const { delegate } = await prescriberWithDelegate();
    const other = await actorFor();
    const otherId = await startEnrollment(other.actor, prescriberForm());
    const otherPrescriber = await db().prescriber.findUniqueOrThrow({ where: { userId: other.actor.userId } });
    expect((await appError(getEnrollmentForApplicant(delegate, otherId))).code).toBe("FORBIDDEN");
    expect(
      (
        await appError(
          getEnrollmentWorkspace(delegate, { programCode: PROGRAM.code, prescriberId: otherPrescriber.id }),
        )
      ).code,
    ).toBe("FORBIDDEN");
  });
});

describe("someone else's application", () => {
  async function deniedCount(actor: Actor) {
    return db().auditEvent.count({ where: { actorId: actor.userId, action: "authorization.denied" } });
  }

  it("cannot be read, edited, acknowledged, assessed, attested or signed; each attempt is audited", async () => {
    const owner = await actorFor();
    const id = await prescriberReadyToSign(owner.actor);
    const review = await reviewState(owner.actor);
    const intruder = await actorFor();
    const before = await snapshot(id);

    const attempts: (() => Promise<unknown>)[] = [
      () => getEnrollmentForApplicant(intruder.actor, id),
      () =>
        saveEnrollmentForm(intruder.actor, { programCode: PROGRAM.code, enrollmentId: id, values: prescriberForm() }),
      () =>
        acknowledgeTrainingSection(intruder.actor, {
          enrollmentId: id,
          sectionId: trainingSectionIds("prescriber")[0] ?? "",
          acknowledged: false,
        }),
      () =>
        submitAssessment(intruder.actor, {
          enrollmentId: id,
          attemptNumber: 2,
          answers: correctAnswers(prescriberAssessment()),
        }),
      () =>
        setAttestation(intruder.actor, {
          enrollmentId: id,
          attestationId: allAttestations("prescriber")[0] ?? "",
          checked: true,
        }),
      () =>
        signEnrollment(intruder.actor, {
          enrollmentId: id,
          printedName: "Intruder",
          password: intruder.password,
          attestations: allAttestations("prescriber"),
          ...review,
        }),
    ];
    for (const attempt of attempts) {
      const error = await appError(attempt());
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toBe("You do not have access to this application.");
    }
    expect(await deniedCount(intruder.actor)).toBe(attempts.length);
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { actorId: intruder.actor.userId, action: "authorization.denied" },
    });
    expect(audit.entityId).toBe(`enrollment/${id}`);
    expect(await snapshot(id)).toEqual(before);
    expect(await listApplicantEnrollments(intruder.actor)).toEqual([]);
  });

  it("a pharmacy representative cannot open a healthcare setting's application", async () => {
    const setting = await actorFor("SETTING_REP");
    const id = await startEnrollment(setting.actor, settingForm());
    const pharmacist = await actorFor("PHARMACIST");
    const error = await appError(getEnrollmentForApplicant(pharmacist.actor, id));
    expect(error.code).toBe("FORBIDDEN");
    expect(await deniedCount(pharmacist.actor)).toBe(1);
  });

  it("an unknown application id gets the same answer as someone else's", async () => {
    const { actor } = await actorFor();
    const error = await appError(getEnrollmentForApplicant(actor, "00000000-0000-4000-8000-000000000000"));
    expect(error.message).toBe("You do not have access to this application.");
  });
});

describe("what the applicant's pages get", () => {
  it("never includes the assessment answers or explanations", async () => {
    const { actor } = await actorFor();
    await startEnrollment(actor, prescriberForm());
    const view = await getEnrollmentWorkspace(actor, { programCode: PROGRAM.code });
    const serialized = JSON.stringify(view);
    expect(serialized).not.toContain("correctOptionIds");
    expect(serialized).not.toContain("explanation");
    expect(view.assessment?.questions).toHaveLength(8);
  });

  it("prefills a new application from what the registry knows", async () => {
    const { actor } = await actorFor();
    const view = await getEnrollmentWorkspace(actor, { programCode: PROGRAM.code });
    expect(view.enrollment).toBeNull();
    expect(view.formValues.email).toBe(actor.email);
    expect(view.progress.find((s) => s.id === "details")?.complete).toBe(false);
  });
});
