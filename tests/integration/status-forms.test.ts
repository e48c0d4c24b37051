import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import {
  getStatusFormPage,
  listUnreviewedAdverseEvents,
  markAdverseEventReviewed,
  statusFormSignedContent,
  submitStatusForm,
} from "../../lib/status-forms/service";
import { createDelegate } from "../factories/enrollment";
import { createPrescriberWithPatients } from "../factories/patients-lite";
import { createAdmin, signIn, stepUpCode } from "../factories/users";
import { appError } from "../factories/errors";

afterAll(async () => {
  await disconnectDb();
});

const ALL_NO = {
  labsUpToDate: "yes",
  newAutoimmuneCondition: "no",
  seriousInfection: "no",
  malignancy: "no",
  pregnancy: "no",
};

describe("Patient Status Form", () => {
  it("is signed by the prescriber with their password; the signature covers the answers", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const patient = world.patients[0]!;

    const before = await getStatusFormPage(actor, patient.id);
    expect(before.due?.code).toBe("STATUS_FORM");
    expect(before.due?.state).toBe("ok");
    expect(before.form.fields.map((f) => f.id)).toContain("pregnancy");

    // A printed name that is not the prescriber's own is refused on its field; nothing is checked or written.
    const notTheirs = await appError(
      submitStatusForm(actor, {
        patientId: patient.id,
        answers: ALL_NO,
        printedName: "Dr R F",
        password: world.password,
        code: await stepUpCode(actor.userId),
      }),
    );
    expect(notTheirs.details?.fields).toEqual({
      printedName: [`Type your name as it appears on your account: ${actor.name}`],
    });
    expect(await db().statusFormSubmission.count({ where: { patientId: patient.id } })).toBe(0);
    const wrong = await appError(
      submitStatusForm(actor, { patientId: patient.id, answers: ALL_NO, printedName: actor.name, password: "nope" }),
    );
    expect(wrong.details?.fields?.password).toEqual(["The password is incorrect"]);
    const missing = await appError(
      submitStatusForm(actor, {
        patientId: patient.id,
        answers: { labsUpToDate: "yes" },
        printedName: actor.name,
        password: world.password,
        code: await stepUpCode(actor.userId),
      }),
    );
    expect(Object.keys(missing.details?.fields ?? {})).toEqual(
      expect.arrayContaining(["newAutoimmuneCondition", "seriousInfection", "malignancy", "pregnancy"]),
    );

    const result = await submitStatusForm(actor, {
      patientId: patient.id,
      answers: ALL_NO,
      printedName: `Dr. ${actor.name.toUpperCase()}, MD`,
      password: world.password,
      code: await stepUpCode(actor.userId),
    });
    expect(result.seriousAdverseEvent).toBe(false);
    const submission = await db().statusFormSubmission.findUniqueOrThrow({ where: { id: result.submissionId } });
    expect(submission.signatureId).toBe(result.signatureId);
    const signature = await db().signature.findUniqueOrThrow({ where: { id: result.signatureId } });
    expect(signature).toMatchObject({ entityType: "StatusFormSubmission", entityId: result.submissionId });
    const audit = await db().auditEvent.findFirstOrThrow({
      where: { entityType: "StatusFormSubmission", entityId: result.submissionId },
    });
    const after = audit.after as { signedContent: string; contentSha256: string };
    const recomputed = statusFormSignedContent(JSON.parse(after.signedContent));
    expect(recomputed.sha256).toBe(signature.contentSha256);

    const page = await getStatusFormPage(actor, patient.id);
    expect(page.due?.lastOn).toBe(new Date().toISOString().slice(0, 10));
    expect(page.submissions).toHaveLength(1);
  });

  it("only the prescriber signs; delegates and other prescribers are refused", async () => {
    const world = await createPrescriberWithPatients(1);
    const patient = world.patients[0]!;
    const delegate = await createDelegate(world.prescriber.id);
    const { actor: delegateActor } = await signIn(delegate);
    const error = await appError(
      submitStatusForm(delegateActor, {
        patientId: patient.id,
        answers: ALL_NO,
        printedName: "Sam",
        password: delegate.password,
      }),
    );
    expect(error.code).toBe("FORBIDDEN");
    const page = await getStatusFormPage(delegateActor, patient.id);
    expect(page.canSign).toBe(false);
    const other = await createPrescriberWithPatients(0);
    const { actor: otherActor } = await signIn(other);
    const foreign = await appError(
      submitStatusForm(otherActor, {
        patientId: patient.id,
        answers: ALL_NO,
        printedName: "Other",
        password: other.password,
      }),
    );
    expect(foreign.code).toBe("NOT_FOUND");
  });

  it("flags a serious adverse event to administrators, who mark it reviewed once", async () => {
    const world = await createPrescriberWithPatients(1);
    const { actor } = await signIn(world);
    const patient = world.patients[0]!;
    const result = await submitStatusForm(actor, {
      patientId: patient.id,
      answers: { ...ALL_NO, seriousInfection: "yes", details: "Listeria meningitis, hospitalised" },
      printedName: `Dr. ${actor.name.toUpperCase()}, MD`,
      password: world.password,
      code: await stepUpCode(actor.userId),
    });
    expect(result.seriousAdverseEvent).toBe(true);

    const admin = await createAdmin();
    const { actor: adminActor } = await signIn(admin);
    const open = await listUnreviewedAdverseEvents(adminActor);
    const mine = open.find((e) => e.id === result.submissionId);
    expect(mine?.patient.remsId).toBe(patient.remsId);
    expect(mine?.answers.details).toBe("Listeria meningitis, hospitalised");

    expect((await appError(listUnreviewedAdverseEvents(actor))).code).toBe("FORBIDDEN");
    expect((await appError(markAdverseEventReviewed(actor, { submissionId: result.submissionId }))).code).toBe(
      "FORBIDDEN",
    );

    await markAdverseEventReviewed(adminActor, { submissionId: result.submissionId });
    expect((await listUnreviewedAdverseEvents(adminActor)).some((e) => e.id === result.submissionId)).toBe(false);
    const again = await appError(markAdverseEventReviewed(adminActor, { submissionId: result.submissionId }));
    expect(again.code).toBe("CONFLICT");
    const audit = await db().auditEvent.findFirst({
      where: { entityId: result.submissionId, action: "adverse_event.reviewed" },
    });
    expect(audit?.actorId).toBe(adminActor.userId);
  });
});
