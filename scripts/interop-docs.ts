/**
 * `npx tsx scripts/interop-docs.ts [baseUrl] [manifest]` — against a running demo (`npm run demo`
 * answers CDS Hooks and FHIR calls without a JWT), asks every CDS Hooks and FHIR endpoint with the
 * demo patients, then writes:
 * - docs/interop/examples/<patient>.json: a FHIR Bundle (Practitioner, Patient, MedicationRequest)
 *   per demo patient, as an EHR would hold them;
 * - the generated part of docs/interop.md (between its "interop-examples" markers): each request
 *   and the answer the demo gave.
 * Defaults: http://localhost:3000 and .data/demo-world.json. REMS ids differ per installation.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DemoWorld } from "../lib/demo/seed";
import { generateRemsId } from "../lib/identifiers/rems-id";
import {
  etasuParameters,
  exampleBundle,
  type FhirExample,
  fhirExample,
  orderSignRequest,
} from "../lib/interop/examples";
import { getProgramDefinition } from "../lib/programs/registry";

const baseUrl = (process.argv[2] ?? "http://localhost:3000").replace(/\/+$/, "");
const manifest = process.argv[3] ?? path.resolve(".data/demo-world.json");
const world = JSON.parse(readFileSync(manifest, "utf8")) as DemoWorld;
const program = getProgramDefinition(world.programCode);
if (!program) throw new Error(`No programme ${world.programCode}`);
const PATIENTS = ["compliant", "overdueLabs", "betweenCourses", "disenrolled"] as const;
const QUANTITY = 3;

function example(key: (typeof PATIENTS)[number]): FhirExample {
  if (!program) throw new Error("no programme");
  return fhirExample({
    appUrl: world.baseUrl,
    program,
    patient: { key, ...world.patients[key] },
    prescriber: { key: "ada", npi: world.prescribers.ada.npi, given: "Ada", family: "Lovelace" },
    quantity: QUANTITY,
  });
}

const sections: string[] = [];
const json = (value: unknown) => `\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``;

async function ask(title: string, method: "GET" | "POST", route: string, body?: unknown, note?: string) {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers:
      body === undefined
        ? {}
        : { "content-type": route.startsWith("/fhir") ? "application/fhir+json" : "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const answer = text ? (JSON.parse(text) as unknown) : null;
  sections.push(
    [
      `### ${title}`,
      note ?? "",
      `\`${method} ${route}\``,
      body === undefined ? "" : json(body),
      `Answer: **${response.status}**`,
      json(answer),
    ]
      .filter(Boolean)
      .join("\n\n"),
  );
  return answer;
}

async function main() {
  const dir = path.resolve("docs/interop/examples");
  mkdirSync(dir, { recursive: true });
  for (const key of PATIENTS) {
    writeFileSync(path.join(dir, `${key}.json`), `${JSON.stringify(exampleBundle(example(key)), null, 2)}\n`);
  }

  await ask("Discovery", "GET", "/cds-services");
  for (const key of PATIENTS) {
    const who = world.patients[key];
    await ask(
      `order-sign: ${who.name} (${key})`,
      "POST",
      "/cds-services/rems-order-sign",
      orderSignRequest(example(key), randomUUID()),
      `The published example docs/interop/examples/${key}.json as a draft order, with the Patient and Practitioner prefetched.`,
    );
  }
  const stranger = example("compliant");
  stranger.patient = {
    resourceType: "Patient",
    id: "chart-new",
    name: [{ use: "official", family: "Okonkwo", given: ["Adaeze"] }],
    gender: "female",
    birthDate: "1992-09-17",
  };
  await ask(
    "order-sign: a patient the registry does not know",
    "POST",
    "/cds-services/rems-order-sign",
    orderSignRequest(stranger, randomUUID()),
    "No REMS patient id in the chart: the card links to the enrollment form, prefilled from the Patient.",
  );
  const proposed = example("compliant");
  proposed.patient = { ...proposed.patient, identifier: [] };
  await ask(
    "order-sign: name and birth date only",
    "POST",
    "/cds-services/rems-order-sign",
    orderSignRequest(proposed, randomUUID()),
    "An enrolled patient's name and birth date, without the REMS patient id: a proposal to confirm, nothing reported met.",
  );
  const other = orderSignRequest(example("compliant"), randomUUID());
  const order = other.context.draftOrders.entry[0]?.resource as Record<string, unknown>;
  order.medicationCodeableConcept = {
    coding: [
      { system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "197361", display: "amlodipine 5 MG Oral Tablet" },
    ],
  };
  await ask("order-sign: a drug outside every programme", "POST", "/cds-services/rems-order-sign", other);
  const select = orderSignRequest(example("compliant"), randomUUID());
  await ask("order-select", "POST", "/cds-services/rems-order-select", {
    ...select,
    hook: "order-select",
    context: {
      ...select.context,
      selections: [`MedicationRequest/${String(example("compliant").medicationRequest.id)}`],
    },
  });
  const overdue = example("overdueLabs");
  await ask("patient-view", "POST", "/cds-services/rems-patient-view", {
    hook: "patient-view",
    hookInstance: randomUUID(),
    context: { userId: `Practitioner/${String(overdue.practitioner.id)}`, patientId: String(overdue.patient.id) },
    prefetch: {
      patient: overdue.patient,
      practitioner: overdue.practitioner,
      medicationRequests: {
        resourceType: "Bundle",
        type: "searchset",
        entry: [{ resource: { ...overdue.medicationRequest, status: "active" } }],
      },
    },
  });
  const noPrefetch = orderSignRequest(example("compliant"), randomUUID()) as Record<string, unknown>;
  noPrefetch.prefetch = {};
  noPrefetch.fhirServer = "https://ehr.example.org/fhir";
  await ask(
    "order-sign without prefetch",
    "POST",
    "/cds-services/rems-order-sign",
    noPrefetch,
    "The named fhirServer is not on the allow-list: it is not contacted, and the answer is 412.",
  );
  await ask("A malformed call", "POST", "/cds-services/rems-order-sign", { hook: "order-sign", context: {} });

  const etasu = "/fhir/GuidanceResponse/$rems-etasu";
  await ask("$rems-etasu: patient and MedicationRequest", "POST", etasu, etasuParameters(example("compliant")));
  await ask("$rems-etasu: case number", "POST", etasu, {
    resourceType: "Parameters",
    parameter: [{ name: "case_number", valueString: world.patients.overdueLabs.caseNumber }],
  });
  await ask("$rems-etasu: no case", "POST", etasu, {
    resourceType: "Parameters",
    parameter: [{ name: "caseNumber", valueString: generateRemsId("PT") }],
  });
  await ask("$rems-etasu: invalid input", "POST", etasu, { resourceType: "Patient" });

  const doc = path.resolve("docs/interop.md");
  const text = readFileSync(doc, "utf8");
  const start = "<!-- interop-examples:start -->";
  const end = "<!-- interop-examples:end -->";
  const before = text.slice(0, text.indexOf(start) + start.length);
  const after = text.slice(text.indexOf(end));
  const header = `\n\n_Generated by \`npx tsx scripts/interop-docs.ts\` against the demo (${new Date().toISOString().slice(0, 10)}). REMS ids, card uuids and dates differ per installation and day._\n\n`;
  writeFileSync(doc, `${before}${header}${sections.join("\n\n")}\n\n${after}`);
  // The repository's formatter has the last word on the JSON layout.
  spawnSync("npx", ["biome", "format", "--write", dir], { stdio: "inherit" });
  console.log(
    `Wrote ${sections.length} examples to docs/interop.md and ${PATIENTS.length} bundles to docs/interop/examples/.`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
