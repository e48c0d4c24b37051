/**
 * One engine: the same patient state gives the same decision through every channel. The demo world
 * is seeded (lib/demo, as `npm run demo` does), and each demo patient is asked about through the
 * JSON dispense API service, CDS Hooks order-sign, FHIR $rems-etasu (with the published FHIR
 * examples, lib/interop/examples.ts) and an NCPDP SCRIPT REMSRequest from the demo pharmacy's system.
 * Each channel's answer is reduced to "every requirement met?" and the set of dispense-gate reason
 * codes it reports (NCPDP: each REMSNote names the gate's code before its text); all must agree.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { type DemoWorld, DEMO, seedDemoWorld } from "../../lib/demo/seed";
import type { DemoPatients } from "../../lib/demo/patients";
import { authenticateApiKey } from "../../lib/dispensing/api-keys";
import { callerFromActor } from "../../lib/dispensing/caller";
import { requestDispenseAuthorization } from "../../lib/dispensing/request";
import { env, resetEnvCache } from "../../lib/env";
import { runCdsService } from "../../lib/interop/cds-hooks";
import { remsEtasu } from "../../lib/interop/etasu";
import { etasuParameters, type FhirExample, fhirExample, orderSignRequest } from "../../lib/interop/examples";
import { answerScriptMessage } from "../../lib/interop/ncpdp/service";
import { parseScriptXml } from "../../lib/interop/ncpdp/xml";
import { getProgramDefinition } from "../../lib/programs/registry";
import { actorFor } from "../factories/applications";
import { scriptFixture } from "../fixtures/ncpdp/fixtures";

const APP_URL = "http://localhost:3000";
/**
 * One vial: the JSON API and NCPDP channels each store an approval, and the gate counts the vials
 * already approved for a course, so the compliant patient's course 3 (3 vials) holds both channels'
 * approvals and the read-only channels see the same answer before them.
 */
const QUANTITY = 1;

interface ChannelAnswer {
  allMet: boolean;
  /** Reason codes the channel reports, sorted, without duplicates. */
  codes: string[];
}

interface Case {
  key: keyof DemoPatients;
  example: FhirExample;
  world: DemoWorld;
}

interface Channel {
  name: string;
  ask: (c: Case) => Promise<ChannelAnswer>;
}

const sorted = (codes: string[]) => [...new Set(codes)].sort();

function pick(node: unknown, ...names: string[]): unknown {
  let current = node;
  for (const name of names) current = (current as Record<string, unknown> | undefined)?.[name];
  return current;
}

const CHANNELS: Channel[] = [
  {
    name: "NCPDP SCRIPT REMSRequest",
    ask: async ({ key, world }) => {
      const caller = await authenticateApiKey(`Bearer ${world.pharmacy.apiKey ?? ""}`, randomUUID());
      if (caller.kind !== "apiKey") throw new Error("the demo pharmacy's key did not authenticate");
      const patient = world.patients[key];
      const xml = scriptFixture("rems-request", {
        registryId: env().NCPDP_REGISTRY_ID,
        pharmacyNcpdpId: world.pharmacy.ncpdpId,
        messageId: `ONE-ENGINE-${randomUUID()}`,
        prescriptionId: `ONE-ENGINE-${randomUUID().slice(0, 8)}`,
        referenceId: `REF-${randomUUID().slice(0, 8)}`,
        patientRemsId: patient.remsId,
        firstName: patient.given,
        lastName: patient.family,
        birthDate: patient.birthDate,
        prescriberNpi: world.prescribers.ada.npi,
        settingId: world.setting.id,
        ndc: world.ndc.replace(/-/g, ""),
        quantity: QUANTITY,
      });
      const answer = await answerScriptMessage(caller, xml, { registryId: env().NCPDP_REGISTRY_ID });
      expect(answer.status, answer.xml).toBe(200);
      const status = pick(parseScriptXml(answer.xml), "Message", "Body", "REMSResponse", "Response", "ResponseStatus");
      const notes = [pick(status, "Denied", "REMSNote"), pick(status, "Approved", "REMSNote")].flatMap((n) =>
        n === undefined ? [] : Array.isArray(n) ? n : [n],
      );
      const codes = notes.map(
        (note) =>
          String(typeof note === "object" && note ? (note as { "#text"?: unknown })["#text"] : note).split(":")[0] ??
          "",
      );
      return { allMet: pick(status, "Approved") !== undefined && notes.length === 0, codes: sorted(codes) };
    },
  },
  {
    name: "JSON dispense API",
    ask: async ({ key, world }) => {
      const user = await db().user.findUniqueOrThrow({
        where: { email: world.accounts.pharmacist },
        select: { id: true, email: true, name: true, role: true, pharmacyId: true },
      });
      const caller = callerFromActor({ ...actorFor(user), pharmacyId: user.pharmacyId });
      const { answer } = await requestDispenseAuthorization(caller, randomUUID(), {
        programCode: world.programCode,
        prescriberNpi: world.prescribers.ada.npi,
        patientRemsId: world.patients[key].remsId,
        healthcareSettingId: world.setting.id,
        ndc: world.ndc,
        quantity: QUANTITY,
        prescriptionId: `ONE-ENGINE-${randomUUID().slice(0, 8)}`,
      });
      const codes = [...(answer.decision === "DENIED" ? answer.reasons : []), ...answer.warnings].map((r) => r.code);
      return { allMet: answer.decision === "APPROVED" && answer.warnings.length === 0, codes: sorted(codes) };
    },
  },
  {
    name: "CDS Hooks order-sign",
    ask: async ({ example }) => {
      const { cards } = await runCdsService("rems-order-sign", orderSignRequest(example, randomUUID()));
      return {
        allMet: cards.length === 1 && cards[0]?.indicator === "info",
        codes: sorted(cards.flatMap((c) => c.extension["remsgate-reason-codes"])),
      };
    },
  },
  {
    name: "FHIR $rems-etasu",
    ask: async ({ example }) => {
      const out = (await remsEtasu({ pharmacyId: null }, etasuParameters(example))) as {
        parameter: { name: string; resource: Guidance }[];
      };
      type Guidance = {
        status: string;
        contained?: { parameter: { resource?: { reasonCode?: { coding: { code: string }[] }[] } }[] }[];
      };
      const guidance = out.parameter.find((p) => p.name === "rems-etasu")?.resource;
      const codes = (guidance?.contained?.[0]?.parameter ?? []).flatMap((p) =>
        (p.resource?.reasonCode ?? []).flatMap((r) => r.coding.map((c) => c.code)),
      );
      return { allMet: guidance?.status === "success", codes: sorted(codes) };
    },
  },
];

let world: DemoWorld;
let manifestDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  process.env.APP_URL = APP_URL;
  process.env.AUTH_SECRET ??= "integration-secret-0123456789-0123456789-01";
  resetEnvCache();
  manifestDir = await mkdtemp(path.join(tmpdir(), "remsgate-world-"));
  world = await seedDemoWorld(db(), { baseUrl: APP_URL, manifestPath: path.join(manifestDir, "world.json") });
}, 600_000);

afterAll(async () => {
  await rm(manifestDir, { recursive: true, force: true });
  process.env = saved;
  resetEnvCache();
  await disconnectDb();
});

function caseFor(key: keyof DemoPatients): Case {
  const program = getProgramDefinition(world.programCode);
  if (!program) throw new Error("no programme");
  const patient = world.patients[key];
  const example = fhirExample({
    appUrl: APP_URL,
    program,
    patient: { key, ...patient },
    prescriber: { key: "ada", npi: world.prescribers.ada.npi, given: "Ada", family: "Lovelace" },
    quantity: QUANTITY,
  });
  return { key, example, world };
}

/** What the demo patients are for (lib/demo/patients.ts): a check that the world is what it says. */
const EXPECTED: Record<keyof DemoPatients, { allMet: boolean; includes: string[] }> = {
  compliant: { allMet: true, includes: [] },
  overdueLabs: { allMet: false, includes: ["MONITORING_OVERDUE"] },
  betweenCourses: { allMet: false, includes: ["COURSE_INTERVAL_TOO_SHORT"] },
  // Her first course's 5 vials are dispensed (2) or approved and waiting (3): no more for it.
  firstCourse: { allMet: false, includes: ["QUANTITY_EXCEEDS_COURSE"] },
  disenrolled: { allMet: false, includes: ["PATIENT_NOT_ENROLLED"] },
};

describe("one engine: every channel gives the same decision for each demo patient", () => {
  it.each(Object.keys(EXPECTED) as (keyof DemoPatients)[])("%s", async (key) => {
    const c = caseFor(key);
    // The read-only channels first: the JSON API stores an authorization (a new prescription each time).
    const answers: { name: string; answer: ChannelAnswer }[] = [];
    for (const channel of [...CHANNELS].reverse()) answers.push({ name: channel.name, answer: await channel.ask(c) });
    const reference = answers.at(-1)?.answer;
    expect(reference?.allMet, JSON.stringify(answers)).toBe(EXPECTED[key].allMet);
    for (const code of EXPECTED[key].includes) expect(reference?.codes).toContain(code);
    for (const { name, answer } of answers)
      expect({ channel: name, ...answer }).toEqual({ channel: name, ...reference });
  });

  it("the demo world names the patients as EHRs need them", () => {
    expect(world.interop.remsPatientIdSystem).toBe(`${APP_URL}/fhir/sid/rems-patient-id`);
    expect(world.patients.compliant).toMatchObject({
      given: "Maria",
      family: "Santos",
      birthDate: "1986-03-14",
      caseNumber: world.patients.compliant.remsId,
    });
    expect(DEMO.programCode).toBe(world.programCode);
  });
});
