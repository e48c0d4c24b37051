/**
 * Enrolled patients written straight to the database (no patient service involved): a Patient
 * with a fresh REMS id and an ENROLLED patient enrollment in LEMTRADA, for a given prescriber.
 */
import { type Db, db } from "../../lib/db";
import { generateRemsId } from "../../lib/identifiers/rems-id";
import { createPrescriberEnrollment, ensureProgram, uniqueWord } from "./certified";

export async function createEnrolledPatient(
  prescriberId: string,
  options: { dateOfBirth?: string; enrolledAt?: Date; client?: Db; lastName?: string } = {},
) {
  const client = options.client ?? db();
  const program = await ensureProgram(client);
  const patient = await client.patient.create({
    data: {
      remsId: generateRemsId("PT"),
      firstName: "Jordan",
      lastName: options.lastName ?? uniqueWord("Patient"),
      dateOfBirth: new Date(`${options.dateOfBirth ?? "1985-04-12"}T00:00:00Z`),
      sex: "female",
      prescriberId,
      signatureMethod: "paper",
      counselledAt: new Date(),
    },
    select: { id: true, remsId: true, firstName: true, lastName: true, dateOfBirth: true },
  });
  await client.enrollment.create({
    data: {
      programId: program.id,
      kind: "PATIENT",
      status: "ENROLLED",
      patientId: patient.id,
      createdAt: options.enrolledAt ?? new Date(),
      certifiedAt: options.enrolledAt ?? new Date(),
    },
  });
  return { ...patient, programId: program.id };
}

/** A certified prescriber (with account and password) and `count` enrolled patients of theirs. */
export async function createPrescriberWithPatients(count = 1, client: Db = db()) {
  const prescriber = await createPrescriberEnrollment({ client });
  const patients = [];
  for (let i = 0; i < count; i++) patients.push(await createEnrolledPatient(prescriber.prescriber.id, { client }));
  return { ...prescriber, patients };
}
