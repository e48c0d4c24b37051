/**
 * Who may call each server action, as a table checked against the services. Every server action
 * is a public POST endpoint: the HTTP matrix (tests/e2e/authz-matrix.spec.ts) covers pages and
 * route handlers, and this covers the actions, at the service each one calls (the action itself
 * only resolves the signed-in actor and passes it on).
 *
 * Each row names the action, the resource its input points at (owned by one of the callers) and the
 * callers allowed to act on it. Every caller is tried with the same input: the allowed ones must
 * get past authorization (any answer but FORBIDDEN, NOT_FOUND or UNAUTHENTICATED — a VALIDATION or
 * CONFLICT about the content is fine: that is the service talking to someone it serves), the others
 * must be refused with FORBIDDEN or NOT_FOUND (another organisation's records are not confirmed to
 * exist) and leave nothing behind. A new server action without a row fails the test.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changePassword, requestEmailChange } from "../../lib/auth/account-changes";
import type { Actor } from "../../lib/auth/actor";
import { confirmTotpEnrolment, disableMfa, regenerateRecoveryCodes, resetMfa } from "../../lib/auth/mfa";
import { forcePasswordReset } from "../../lib/auth/recovery";
import { endSession, signOutEverywhere } from "../../lib/auth/service";
import { decideApplication, setClaim } from "../../lib/certification/service";
import { requestFullVerification, verifyAuditNow } from "../../lib/audit/integrity";
import { db, disconnectDb, type Tx } from "../../lib/db";
import { createApiKey, revokeApiKey } from "../../lib/dispensing/api-keys";
import { callerFromActor } from "../../lib/dispensing/caller";
import { confirmDispense, reverseDispense } from "../../lib/dispensing/confirm";
import { endEnforcementDiscretion, recordFollowUp, startEnforcementDiscretion } from "../../lib/dispensing/discretion";
import { requestDispenseAuthorization } from "../../lib/dispensing/request";
import {
  acknowledgeTrainingSection,
  restartEnrollment,
  saveEnrollmentForm,
  setAttestation,
  signEnrollment,
  submitAssessment,
} from "../../lib/enrollment/service";
import { isAppError } from "../../lib/errors";
import { recordInfusion } from "../../lib/infusions/service";
import { createInvitation, revokeInvitation } from "../../lib/invitations/service";
import { recordLabResult } from "../../lib/labs/service";
import { addLink, addNote } from "../../lib/noncompliance/evidence-service";
import { openCase, takeStep } from "../../lib/noncompliance/service";
import {
  coSignPatientEnrollment,
  enrollPatient,
  setPatientStatus,
  signOwnEnrollment,
  transferPatient,
} from "../../lib/patients/service";
import { markAdverseEventReviewed, submitStatusForm } from "../../lib/status-forms/service";
import {
  deactivateUser,
  decideAdministratorRequest,
  endUserSessions,
  reactivateUser,
  requestAdministrator,
  unlockUser,
} from "../../lib/users/service";
import { actorFor, createAccount } from "../factories/applications";
import { createPharmacyEnrollment, createPrescriberEnrollment, createSettingEnrollment } from "../factories/certified";
import { createPatient, prescriberActor, settingActor } from "../factories/clinical";
import { createDispenseAuthorization } from "../factories/dispense";
import { createDelegate } from "../factories/enrollment";
import { createUser, requestContext, signIn, stepUpCode, uniqueEmail } from "../factories/users";
import { serverActionNames } from "../setup/server-actions-scan";

const CALLERS = [
  "admin",
  "prescriber",
  "otherPrescriber",
  "delegate",
  "pharmacist",
  "otherPharmacist",
  "settingRep",
  "otherSettingRep",
  "patient",
] as const;
type Caller = (typeof CALLERS)[number];

interface World {
  actors: Record<Caller, Actor>;
  prescriberNpi: string;
  otherPrescriberNpi: string;
  prescriberEnrollmentId: string;
  pharmacyEnrollmentId: string;
  patientId: string;
  transferPatientId: string;
  pendingApplicationId: string;
  authorizationId: string;
  apiKeyId: string;
  invitationId: string;
  adverseEventId: string;
  targetUserId: string;
  administratorRequestId: string;
  endedDiscretionId: string;
  discretionAuthorizationId: string;
  nonComplianceCaseId: string;
  settingRef: string;
  patientRemsId: string;
}

interface Row {
  /** Whose resource the input points at (for the report). */
  resource: string;
  /** Callers that get past authorization. */
  allow: readonly Caller[];
  run: (actor: Actor, w: World) => Promise<unknown>;
}

/** Actions that take no signed-in actor: the credentials or the single-use token in the input are the authority. */
const PUBLIC_ACTIONS: Record<string, string> = {
  signUpAction: "anyone may ask for an account (answered the same for every address)",
  completeSignUpAction: "the e-mailed verification token",
  requestPasswordResetAction: "anyone may ask (answered the same for every address)",
  resetPasswordAction: "the e-mailed reset token",
  signInAction: "the credentials",
  confirmEmailChangeAction: "the token mailed to the new address",
  acceptInvitationAction: "the invitation token",
  signOutToAcceptAction: "ends the caller's own session, if any, before an invitation is accepted",
};

const EVERYONE = CALLERS;
const signature = () => ({ printedName: "Someone", password: "not the password", attestations: [] as string[] });

const TABLE: Record<string, Row[]> = {
  // The caller's own account and session: everyone signed in, for themselves only.
  signOutAction: [{ resource: "own session", allow: EVERYONE, run: (a) => endSession(a) }],
  signOutEverywhereAction: [{ resource: "own account", allow: EVERYONE, run: (a) => signOutEverywhere(a) }],
  changePasswordAction: [
    {
      resource: "own account",
      allow: EVERYONE,
      run: (a) =>
        changePassword(
          a,
          {
            currentPassword: "not the password",
            password: "Orchid lantern 1234",
            confirmPassword: "Orchid lantern 1234",
          },
          requestContext(),
        ),
    },
  ],
  requestEmailChangeAction: [
    {
      resource: "own account",
      allow: EVERYONE,
      run: (a) => requestEmailChange(a, { email: uniqueEmail("new"), password: "not the password" }, requestContext()),
    },
  ],
  confirmMfaAction: [
    {
      resource: "own account",
      allow: EVERYONE,
      run: (a) => confirmTotpEnrolment(a, { password: "not the password", code: "000000" }),
    },
  ],
  regenerateRecoveryCodesAction: [
    {
      resource: "own account",
      allow: EVERYONE,
      run: (a) => regenerateRecoveryCodes(a, { password: "not the password" }),
    },
  ],
  disableMfaAction: [
    {
      resource: "own account",
      // Administrators and pharmacists must keep a second factor.
      allow: ["prescriber", "otherPrescriber", "delegate", "settingRep", "otherSettingRep", "patient"],
      run: (a) => disableMfa(a, { password: "not the password" }),
    },
  ],

  // Enrollment: the applicant's own application (certified here, so an allowed change is refused
  // for its state: nothing changes); a prescriber's office staff may fill it in but not sign it.
  saveEnrollmentFormAction: [
    {
      resource: "prescriber's application",
      allow: ["prescriber", "delegate"],
      run: (a, w) =>
        saveEnrollmentForm(a, { programCode: "LEMTRADA", enrollmentId: w.prescriberEnrollmentId, values: {} }),
    },
    {
      resource: "pharmacy's application",
      allow: ["pharmacist"],
      run: (a, w) =>
        saveEnrollmentForm(a, { programCode: "LEMTRADA", enrollmentId: w.pharmacyEnrollmentId, values: {} }),
    },
  ],
  acknowledgeTrainingAction: [
    {
      resource: "prescriber's application",
      // Training is the prescriber's own: office staff cannot take it for them.
      allow: ["prescriber"],
      run: (a, w) =>
        acknowledgeTrainingSection(a, {
          enrollmentId: w.prescriberEnrollmentId,
          sectionId: "no-such-section",
          acknowledged: true,
        }),
    },
  ],
  submitAssessmentAction: [
    {
      resource: "pharmacy's application",
      allow: ["pharmacist"],
      run: (a, w) => submitAssessment(a, { enrollmentId: w.pharmacyEnrollmentId, attemptNumber: 1, answers: {} }),
    },
  ],
  setAttestationAction: [
    {
      resource: "prescriber's application",
      allow: ["prescriber"],
      run: (a, w) =>
        setAttestation(a, { enrollmentId: w.prescriberEnrollmentId, attestationId: "no-such", checked: true }),
    },
  ],
  signEnrollmentAction: [
    {
      resource: "prescriber's application",
      allow: ["prescriber"],
      run: (a, w) =>
        signEnrollment(a, { enrollmentId: w.prescriberEnrollmentId, ...signature(), reviewDigest: "0".repeat(64) }),
    },
  ],
  restartEnrollmentAction: [
    {
      resource: "pharmacy's application",
      allow: ["pharmacist"],
      run: (a, w) => restartEnrollment(a, { enrollmentId: w.pharmacyEnrollmentId }),
    },
  ],

  // Patients: the treating prescriber's; the patient signs only their own enrollment.
  enrollPatientAction: [
    {
      resource: "new patient of the caller",
      // Office staff enroll for the prescriber they work for (the prescriber co-signs later).
      allow: ["prescriber", "otherPrescriber", "delegate"],
      run: (a) =>
        enrollPatient(a, {
          programCode: "LEMTRADA",
          values: {},
          healthcareSettingId: "",
          counselledMaterialIds: [],
          signatureMethod: "PAPER",
        }),
    },
  ],
  setPatientStatusAction: [
    {
      resource: "prescriber's patient",
      allow: ["prescriber"],
      // ENROLLED → ENROLLED is refused as no change: content, not authorization.
      run: (a, w) => setPatientStatus(a, { patientId: w.patientId, status: "ENROLLED", reason: "" }),
    },
  ],
  transferPatientAction: [
    {
      resource: "prescriber's patient",
      allow: ["prescriber"],
      run: (a, w) =>
        transferPatient(a, {
          patientId: w.transferPatientId,
          toPrescriberNpi: w.otherPrescriberNpi,
          reason: "Moved to another clinic",
        }),
    },
  ],
  coSignPatientEnrollmentAction: [
    {
      resource: "prescriber's patient",
      allow: ["prescriber"],
      run: (a, w) => coSignPatientEnrollment(a, { patientId: w.patientId, ...signature() }),
    },
  ],
  signOwnEnrollmentAction: [
    { resource: "the patient's own enrollment", allow: ["patient"], run: (a) => signOwnEnrollment(a, signature()) },
  ],
  recordLabResultAction: [
    {
      resource: "prescriber's patient",
      // Office staff record results for the prescriber they work for.
      allow: ["prescriber", "delegate"],
      run: (a, w) =>
        recordLabResult(a, {
          patientId: w.patientId,
          testCode: "NO-SUCH-TEST",
          collectedOn: "2026-11-01",
          abnormal: false,
        }),
    },
  ],
  recordInfusionAction: [
    {
      resource: "patient treated at the setting",
      allow: ["settingRep"],
      run: (a, w) =>
        // A dose the programme does not use: refused for its content once past authorization.
        recordInfusion(a, {
          patientId: w.patientId,
          infusedOn: "2026-11-01",
          doseMg: 999,
          vialLot: "L1",
          premedicationGiven: "yes",
          observationCompleted: "yes",
          reaction: "no",
          authorizationNumber: "",
        }),
    },
  ],
  submitStatusFormAction: [
    {
      resource: "prescriber's patient",
      allow: ["prescriber"],
      run: (a, w) => submitStatusForm(a, { patientId: w.patientId, answers: {}, ...signature() }),
    },
  ],

  // Invitations: a prescriber invites office staff, a pharmacy's representative its pharmacists.
  createInvitationAction: [
    {
      resource: "the caller's team",
      allow: ["prescriber", "otherPrescriber", "pharmacist", "otherPharmacist"],
      run: (a) =>
        createInvitation(a, {
          email: uniqueEmail("invitee"),
          role: a.role === "PHARMACIST" ? "PHARMACIST" : "PRESCRIBER_DELEGATE",
        }),
    },
  ],
  revokeInvitationAction: [
    { resource: "prescriber's invitation", allow: ["prescriber"], run: (a, w) => revokeInvitation(a, w.invitationId) },
  ],

  // Administration.
  decideApplicationAction: [
    {
      resource: "a submitted application",
      allow: ["admin"],
      // A stale version: refused as a conflict once past authorization, so nothing is decided.
      run: (a, w) => decideApplication(a, { enrollmentId: w.pendingApplicationId, version: 999, event: "APPROVE" }),
    },
  ],
  setClaimAction: [
    {
      resource: "a submitted application",
      allow: ["admin"],
      run: async (a, w) => {
        await setClaim(a, { enrollmentId: w.pendingApplicationId, mode: "claim" });
        return setClaim(a, { enrollmentId: w.pendingApplicationId, mode: "release" });
      },
    },
  ],
  markAdverseEventReviewedAction: [
    {
      resource: "a reported adverse event",
      allow: ["admin"],
      run: (a, w) => markAdverseEventReviewed(a, { submissionId: w.adverseEventId }),
    },
  ],
  "manageUserAction:unlock": [
    {
      resource: "another user",
      allow: ["admin"],
      run: (a, w) => unlockUser(a, { userId: w.targetUserId, reason: "Test" }),
    },
  ],
  "manageUserAction:end-sessions": [
    {
      resource: "another user",
      allow: ["admin"],
      run: (a, w) => endUserSessions(a, { userId: w.targetUserId, reason: "Test" }),
    },
  ],
  "manageUserAction:force-password-reset": [
    { resource: "another user", allow: ["admin"], run: (a, w) => forcePasswordReset(a, w.targetUserId, "Test") },
  ],
  "manageUserAction:reset-mfa": [
    { resource: "another user", allow: ["admin"], run: (a, w) => resetMfa(a, w.targetUserId, "Test") },
  ],
  "manageUserAction:deactivate": [
    {
      resource: "another user",
      allow: ["admin"],
      run: (a, w) => deactivateUser(a, { userId: w.targetUserId, reason: "Test" }),
    },
  ],
  "manageUserAction:reactivate": [
    {
      resource: "another user",
      allow: ["admin"],
      run: (a, w) => reactivateUser(a, { userId: w.targetUserId, reason: "Test" }),
    },
  ],
  requestAdministratorAction: [
    {
      resource: "a new administrator",
      allow: ["admin"],
      run: (a) =>
        requestAdministrator(a, { name: "New Administrator", email: uniqueEmail("new-admin"), reason: "Cover" }),
    },
  ],
  decideAdministratorRequestAction: [
    {
      resource: "another administrator's request",
      allow: ["admin"],
      run: (a, w) =>
        decideAdministratorRequest(a, { requestId: w.administratorRequestId, decision: "DECLINE", reason: "No" }),
    },
  ],
  startDiscretionAction: [
    {
      resource: "the programme",
      allow: ["admin"],
      // Ends in the past: refused for its content once past authorization, so nothing starts.
      run: (a) =>
        startEnforcementDiscretion(a, { programCode: "LEMTRADA", reason: "Outage", endsAt: "2000-01-01T00:00:00Z" }),
    },
  ],
  endDiscretionAction: [
    {
      resource: "a period that has ended",
      allow: ["admin"],
      // Already over: refused as a conflict once past authorization.
      run: (a, w) => endEnforcementDiscretion(a, { discretionId: w.endedDiscretionId, reason: "Over" }),
    },
  ],
  recordFollowUpAction: [
    {
      resource: "an authorization given under discretion",
      allow: ["admin"],
      run: (a, w) => recordFollowUp(a, { authorizationId: w.discretionAuthorizationId, note: "Called the pharmacy" }),
    },
  ],

  // Non-compliance: administrators open and run cases. An empty description or note, a stale
  // version and an unknown DA- number are refused for their content once past authorization.
  openCaseAction: [
    {
      resource: "the pharmacy's certification",
      allow: ["admin"],
      run: (a, w) => openCase(a, { enrollmentId: w.pharmacyEnrollmentId, type: "OTHER", description: "" }),
    },
  ],
  takeStepAction: [
    {
      resource: "a case against the pharmacy",
      allow: ["admin"],
      run: (a, w) => takeStep(a, { caseId: w.nonComplianceCaseId, version: 999, step: "NOTICE", reason: "Test" }),
    },
  ],
  addNoteAction: [
    {
      resource: "a case against the pharmacy",
      allow: ["admin"],
      run: (a, w) => addNote(a, { caseId: w.nonComplianceCaseId, note: "" }),
    },
  ],
  addLinkAction: [
    {
      resource: "a case against the pharmacy",
      allow: ["admin"],
      run: (a, w) =>
        addLink(a, { caseId: w.nonComplianceCaseId, linkType: "DISPENSE_AUTHORIZATION", reference: "DA-NONE" }),
    },
  ],

  // The audit trail's integrity: administrators verify it.
  verifyAuditNowAction: [
    {
      resource: "the audit trail",
      allow: ["admin"],
      run: (a) => (a.role === "ADMIN" ? rolledBack((tx) => verifyAuditNow(a, tx)) : verifyAuditNow(a)),
    },
  ],
  startFullVerificationAction: [
    {
      resource: "the audit trail",
      allow: ["admin"],
      run: (a) =>
        a.role === "ADMIN" ? rolledBack((tx) => requestFullVerification(a, tx)) : requestFullVerification(a),
    },
  ],

  // Dispensing: a pharmacy's own authorizations and keys.
  requestDispenseAction: [
    {
      resource: "the caller's pharmacy",
      allow: ["pharmacist", "otherPharmacist"],
      run: (a, w) =>
        requestDispenseAuthorization(callerFromActor(a), randomUUID(), {
          programCode: "LEMTRADA",
          prescriberNpi: w.prescriberNpi,
          patientRemsId: w.patientRemsId,
          healthcareSettingId: w.settingRef,
          ndc: "58468-0200-01",
          quantity: 1,
          prescriptionId: `RX-${randomUUID()}`,
        }),
    },
  ],
  confirmDispenseAction: [
    {
      resource: "pharmacy's authorization",
      allow: ["pharmacist"],
      // More than authorized: refused for its content once past authorization.
      run: (a, w) =>
        confirmDispense(callerFromActor(a), w.authorizationId, {
          quantity: 99,
          lotNumber: "L1",
          dispensedAt: new Date().toISOString(),
        }),
    },
  ],
  reverseDispenseAction: [
    {
      resource: "pharmacy's authorization",
      allow: ["pharmacist"],
      // Not dispensed yet: refused as a conflict once past authorization.
      run: (a, w) => reverseDispense(callerFromActor(a), w.authorizationId, { reason: "Not picked up" }),
    },
  ],
  createApiKeyAction: [
    {
      resource: "the caller's pharmacy",
      allow: ["pharmacist", "otherPharmacist"],
      run: (a) => createApiKey(a, { name: "Pharmacy system", password: "not the password" }),
    },
  ],
  revokeApiKeyAction: [
    { resource: "pharmacy's API key", allow: ["pharmacist"], run: (a, w) => revokeApiKey(a, w.apiKeyId) },
  ],
};

const REFUSED = new Set(["FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"]);

class RolledBack extends Error {}

/**
 * Runs an allowed call in a transaction that is then rolled back: for actions whose effect is
 * registry-wide (a checkpoint, a queued re-walk) and would race other suites on the shared database.
 * Refused callers are called plainly: a refusal is audited in a transaction of its own, which on the
 * embedded database (one connection) could not start inside this one.
 */
async function rolledBack(work: (tx: Tx) => Promise<unknown>): Promise<void> {
  try {
    await db().$transaction(async (tx) => {
      await work(tx);
      throw new RolledBack();
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
}

let world: World;
const outcomes: string[] = [];

beforeAll(async () => {
  const prescriber = await createPrescriberEnrollment({ status: "CERTIFIED" });
  const otherPrescriber = await createPrescriberEnrollment({ status: "CERTIFIED" });
  const pharmacy = await createPharmacyEnrollment({ status: "CERTIFIED" });
  const otherPharmacy = await createPharmacyEnrollment({ status: "CERTIFIED" });
  const setting = await createSettingEnrollment({ status: "CERTIFIED" });
  const otherSetting = await createSettingEnrollment({ status: "CERTIFIED" });
  const delegate = await createDelegate(prescriber.prescriber.id);
  const team = { prescriberId: prescriber.prescriber.id, healthcareSettingId: setting.setting.id };
  const { patient } = await createPatient(team);
  const { patient: toTransfer } = await createPatient(team);
  // A patient with an account, who signs their own enrollment.
  const own = await createPatient({ ...team, withAccount: true });
  const pending = await createPrescriberEnrollment({ status: "SUBMITTED" });
  const admin = actorFor(await createAccount("ADMIN", "Table Admin"));
  const target = await createUser({ name: "Target Person" });

  const pharmacist = (await signIn(pharmacy)).actor;
  const apiKey = await createApiKey(pharmacist, {
    name: "Table key",
    password: pharmacy.password,
    code: await stepUpCode(pharmacist.userId),
  });
  const authorization = await createDispenseAuthorization({
    patient,
    pharmacyId: pharmacy.pharmacy.id,
    status: "APPROVED",
  });
  const prescriberSignedIn = await prescriberActor(prescriber);
  const invitation = await createInvitation(prescriberSignedIn, {
    email: uniqueEmail("staff"),
    role: "PRESCRIBER_DELEGATE",
  });
  const program = await db().program.findFirstOrThrow({ where: { code: "LEMTRADA" }, select: { id: true } });
  const adverseEvent = await db().statusFormSubmission.create({
    data: {
      patientId: patient.id,
      programId: program.id,
      submittedByUserId: prescriberSignedIn.userId,
      answers: {},
      seriousAdverseEvent: true,
    },
    select: { id: true },
  });
  if (!own.account) throw new Error("the patient's account was not created");
  const secondAdmin = actorFor(await createAccount("ADMIN", "Second Admin"));
  const administratorRequest = await requestAdministrator(secondAdmin, {
    name: "Proposed Administrator",
    email: uniqueEmail("proposed"),
    reason: "Holiday cover",
  });
  const ended = await db().enforcementDiscretion.create({
    data: {
      programId: program.id,
      reason: "An outage that is over",
      startsAt: new Date(Date.now() - 2 * 86_400_000),
      endsAt: new Date(Date.now() - 86_400_000),
      createdByUserId: secondAdmin.userId,
    },
    select: { id: true },
  });
  const nonComplianceCase = await openCase(admin, {
    enrollmentId: pharmacy.enrollment?.id ?? "",
    type: "OTHER",
    description: "A case the table's callers act on",
  });
  const underDiscretion = await createDispenseAuthorization({
    patient,
    pharmacyId: pharmacy.pharmacy.id,
    status: "APPROVED",
    enforcementDiscretion: true,
  });

  world = {
    actors: {
      admin,
      prescriber: prescriberSignedIn,
      otherPrescriber: await prescriberActor(otherPrescriber),
      delegate: (await signIn({ user: delegate.user, password: delegate.password })).actor,
      pharmacist,
      otherPharmacist: (await signIn(otherPharmacy)).actor,
      settingRep: await settingActor(setting),
      otherSettingRep: await settingActor(otherSetting),
      patient: (await signIn(own.account)).actor,
    },
    prescriberNpi: prescriber.prescriber.npi,
    otherPrescriberNpi: otherPrescriber.prescriber.npi,
    prescriberEnrollmentId: prescriber.enrollment?.id ?? "",
    pharmacyEnrollmentId: pharmacy.enrollment?.id ?? "",
    patientId: patient.id,
    transferPatientId: toTransfer.id,
    pendingApplicationId: pending.enrollment?.id ?? "",
    authorizationId: authorization.id,
    apiKeyId: apiKey.id,
    invitationId: invitation.id,
    adverseEventId: adverseEvent.id,
    targetUserId: target.user.id,
    administratorRequestId: administratorRequest.id,
    endedDiscretionId: ended.id,
    discretionAuthorizationId: underDiscretion.id,
    nonComplianceCaseId: nonComplianceCase.id,
    settingRef: setting.setting.npi ?? "",
    patientRemsId: patient.remsId,
  };
}, 180_000);

afterAll(async () => {
  console.log(`action authorization: ${outcomes.length} (action × caller) cases\n  ${outcomes.join("\n  ")}`);
  await disconnectDb();
});

async function outcomeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "OK";
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

describe("server actions: who may call each one", () => {
  it("has a row for every server action, and no row for an action that does not exist", () => {
    const inSource = new Set(serverActionNames());
    const covered = new Set([...Object.keys(TABLE).map((k) => k.split(":")[0] ?? k), ...Object.keys(PUBLIC_ACTIONS)]);
    expect([...inSource].filter((name) => !covered.has(name)).sort()).toEqual([]);
    expect([...covered].filter((name) => !inSource.has(name)).sort()).toEqual([]);
  });

  for (const [action, rows] of Object.entries(TABLE)) {
    for (const row of rows) {
      it(`${action} on ${row.resource}: ${row.allow.join(", ")} may; everyone else is refused`, async () => {
        const denied = CALLERS.filter((c) => !row.allow.includes(c));
        // The refused first, so nothing an allowed call changes can explain a refusal.
        for (const caller of denied) {
          const actor = world.actors[caller];
          const auditBefore = await db().auditEvent.count({ where: { actorId: actor.userId } });
          const outcome = await outcomeOf(() => row.run(actor, world));
          outcomes.push(`${action} × ${caller}: ${outcome}`);
          expect(["FORBIDDEN", "NOT_FOUND"], `${action} as ${caller} answered ${outcome}`).toContain(outcome);
          // A refusal may be audited as such, but nothing else is written in the caller's name.
          const written = await db().auditEvent.findMany({
            where: { actorId: actor.userId },
            orderBy: { seq: "desc" },
            take: 5,
            select: { action: true },
          });
          const after = await db().auditEvent.count({ where: { actorId: actor.userId } });
          const newActions = written.slice(0, after - auditBefore).map((e) => e.action);
          expect(newActions.filter((a) => !/denied|forbidden|authorization_failure/.test(a))).toEqual([]);
        }
        for (const caller of row.allow) {
          const outcome = await outcomeOf(() => row.run(world.actors[caller], world));
          outcomes.push(`${action} × ${caller}: ${outcome}`);
          expect(REFUSED.has(outcome), `${action} as ${caller} was refused (${outcome})`).toBe(false);
        }
      });
    }
  }
});
