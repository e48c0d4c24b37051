/**
 * `npx tsx scripts/ncpdp-examples.ts`: sends one NCPDP SCRIPT message of each kind to the running
 * demo (`npm run demo`; the identities come from .data/demo-world.json) and writes each request and
 * the registry's answer into docs/interop-ncpdp.md, between the "examples" markers. Every run asks
 * for new authorizations under new prescription numbers, so it can be run again at any time.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type ScriptFixture, scriptFixture } from "../tests/fixtures/ncpdp/fixtures";

interface DemoPatient {
  remsId: string;
  given: string;
  family: string;
  birthDate: string;
}

interface DemoWorld {
  baseUrl: string;
  ndc: string;
  prescribers: Record<"ada" | "ben", { npi: string }>;
  pharmacy: { ncpdpId: string; apiKey: string };
  setting: { id: string };
  patients: Record<"compliant" | "overdueLabs" | "betweenCourses", DemoPatient>;
  ncpdp: { registryId: string; endpoint: string };
}

const root = process.cwd();
const docsPath = path.join(root, "docs", "interop-ncpdp.md");
const world = JSON.parse(readFileSync(path.join(root, ".data", "demo-world.json"), "utf8")) as DemoWorld;
const endpoint = process.env.NCPDP_ENDPOINT ?? world.ncpdp.endpoint;
const run = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
let sequence = 0;

function values(patient: DemoPatient, overrides: Record<string, string | number> = {}) {
  sequence += 1;
  return {
    registryId: world.ncpdp.registryId,
    pharmacyNcpdpId: world.pharmacy.ncpdpId,
    messageId: `DEMO-${run}-${sequence}`,
    prescriptionId: `DEMO-NCPDP-${run}-${sequence}`,
    referenceId: `REF-${run}-${sequence}`,
    patientRemsId: patient.remsId,
    firstName: patient.given,
    lastName: patient.family,
    birthDate: patient.birthDate,
    prescriberNpi: world.prescribers.ada.npi,
    settingId: world.setting.id,
    ndc: world.ndc.replace(/-/g, ""),
    quantity: 3,
    ...overrides,
  };
}

interface Example {
  title: string;
  explanation: string;
  request: string;
  status: number;
  answer: string;
}

async function send(title: string, explanation: string, body: string): Promise<Example> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { authorization: `Bearer ${world.pharmacy.apiKey}`, "content-type": "application/xml" },
    body,
  });
  return { title, explanation, request: body.trim(), status: response.status, answer: (await response.text()).trim() };
}

interface Plan {
  title: string;
  explanation: string;
  fixture: ScriptFixture;
  /** Evaluated when the example's turn comes (the RxFill reads the approval before it). */
  values: () => Record<string, string | number>;
}

async function main() {
  const { compliant, overdueLabs, betweenCourses } = world.patients;
  let approvedNumber = "";
  const plans: Plan[] = [
    {
      title: "REMSInitiationRequest → REMSInitiationResponse Open",
      explanation:
        "The compliant demo patient, named by REMS patient id: the case is open, with its id and the deadline for the REMSRequest.",
      fixture: "rems-initiation-request",
      values: () => values(compliant),
    },
    {
      title: "REMSRequest → REMSResponse Approved",
      explanation:
        "The same patient with a certified prescriber and setting: the dispense gate approves, and the answer carries the authorization number (DA-…) and its period.",
      fixture: "rems-request",
      values: () => values(compliant),
    },
    {
      title: "RxFill → Status",
      explanation:
        "The pharmacy reports the dispense under that authorization: recorded once (a second RxFill for the same fill changes nothing).",
      fixture: "rx-fill",
      values: () => values(compliant, { authorizationNumber: approvedNumber, lotNumber: "DEMO-LOT-9102" }),
    },
    {
      title: "REMSRequest → REMSResponse Denied (several reasons)",
      explanation:
        "The patient whose monitoring labs are overdue, prescribed by dr.ben (application pending review): one DeniedReasonCode and one REMSNote per reason of the gate.",
      fixture: "rems-request",
      values: () => values(overdueLabs, { prescriberNpi: world.prescribers.ben.npi }),
    },
    {
      title: "REMSRequest → REMSResponse Denied (too early for the next course)",
      explanation: "The patient between courses.",
      fixture: "rems-request",
      values: () => values(betweenCourses),
    },
    {
      title: "REMSRequest → REMSResponse Closed (name and birth date only)",
      explanation:
        "No REMS patient id: a name and birth date that fit an enrolled patient never authorize a dispense; the note asks for the id.",
      fixture: "rems-request-name-dob",
      values: () => values(compliant),
    },
    {
      title: "REMSRequest → REMSResponse Closed (a drug outside every programme)",
      explanation: "An NDC that is no REMS product of the registry.",
      fixture: "rems-request",
      values: () => values(compliant, { ndc: "00002143380" }),
    },
    {
      title: "Error (a transaction the registry does not answer)",
      explanation: "A NewRx: SCRIPT, but not a REMS transaction.",
      fixture: "unsupported-newrx",
      values: () => values(compliant),
    },
    {
      title: "Error (a DTD)",
      explanation: "Any DOCTYPE or ENTITY declaration is refused before parsing.",
      fixture: "xxe",
      values: () => values(compliant),
    },
  ];
  const examples: Example[] = [];
  for (const plan of plans) {
    const example = await send(plan.title, plan.explanation, scriptFixture(plan.fixture, plan.values()));
    approvedNumber ||= /<REMSAuthorizationNumber>([^<]+)</.exec(example.answer)?.[1] ?? "";
    examples.push(example);
  }

  const rendered = examples
    .map(
      (e) =>
        `### ${e.title}\n\n${e.explanation}\n\n<details><summary>Request</summary>\n\n\`\`\`xml\n${e.request}\n\`\`\`\n\n</details>\n\nAnswer (HTTP ${e.status}):\n\n\`\`\`xml\n${e.answer}\n\`\`\`\n`,
    )
    .join("\n");
  const docs = readFileSync(docsPath, "utf8");
  const start = "<!-- examples:start -->";
  const end = "<!-- examples:end -->";
  const from = docs.indexOf(start);
  const to = docs.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${docsPath} has no ${start} … ${end} section`);
  const stamp = `_Produced by \`npx tsx scripts/ncpdp-examples.ts\` against the demo on ${new Date().toISOString().slice(0, 10)}._\n\n`;
  writeFileSync(docsPath, `${docs.slice(0, from + start.length)}\n${stamp}${rendered}\n${docs.slice(to)}`);
  console.log(`Wrote ${examples.length} examples to ${path.relative(root, docsPath)}.`);
}

void main();
