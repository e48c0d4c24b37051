import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type APIRequestContext, type Browser, expect, type Page, request, test } from "@playwright/test";
import {
  enrolTotp,
  fillSignatureCode,
  saveRecoveryCodes,
  signIn,
  signUpAndActivate,
  uniqueEmail,
  type World,
  type WorldIds,
  world,
  worldIds,
} from "./helpers";
import { uniqueNpi, uniqueNcpdpId } from "../factories/identifiers";

/*
 * The authorization matrix for pages and route handlers: every app/**\/page.tsx and every method a
 * app/**\/route.ts exports, asked over real HTTP of the production server by every kind of caller,
 * against ONE table of who may use it. A route in the tree without an entry fails (so nobody adds a
 * route without deciding who may use it), and so does an entry whose route is gone. Server actions
 * are covered at the service level by tests/integration/authz-actions.test.ts.
 *
 * Callers: anonymous; each demo account (admin, ada a certified prescriber, ben a prescriber whose
 * enrollment awaits review, pharmacist, infusion a setting representative); office staff invited by
 * ada; a patient of ada with an account; and a pharmacist of another pharmacy signed up here. The
 * ids in URLs are the demo world's (ada's patients and enrollment, the demo pharmacy's
 * authorizations), so ben, the other pharmacist and the rest are the IDOR cases.
 *
 * Outcomes: "allow" is a 2xx (or a redirect to the same path) for GET, and for a mutation any answer
 * past the access check (not 401/403/404, never 5xx: the bodies sent are refused as invalid or in
 * the wrong state, so the shared world is not changed); "deny" is 401/403/404, or for anonymous a
 * redirect to /sign-in; "redirect" is a redirect elsewhere (a signed-in person on /sign-in); "open"
 * is any answer but a 5xx (the Auth.js endpoints). Nothing may answer 5xx.
 */

const ACTORS = [
  "anonymous",
  "admin",
  "ada",
  "ben",
  "delegate",
  "pharmacist",
  "otherPharmacist",
  "infusion",
  "patient",
] as const;
type ActorName = (typeof ACTORS)[number];
type Outcome = "allow" | "deny" | "redirect" | "open";

interface Ids extends WorldIds {
  labImport: string;
}

interface Entry {
  /** The concrete URL asked (dynamic segments filled from the demo world). Default: the route path. */
  url?: (ids: Ids, w: World) => string;
  /** Request body for a mutation (JSON unless `contentType` says otherwise). */
  body?: unknown;
  contentType?: string;
  allow?: readonly ActorName[];
  redirect?: readonly ActorName[];
  /** Everyone may: a public page or endpoint. */
  everyone?: true;
  /** Any answer but a 5xx, for everyone. */
  open?: true;
}

const SIGNED_IN = ACTORS.filter((a) => a !== "anonymous");
const PRESCRIBER_OFFICE = ["ada", "ben", "delegate"] as const;
const PHARMACISTS = ["pharmacist", "otherPharmacist"] as const;
const ENROLLING = ["ada", "ben", "delegate", "pharmacist", "otherPharmacist", "infusion"] as const;
/** A step page: the other pharmacist's enrollment is still in progress; the rest are done. */
const IN_PROGRESS = { allow: ["otherPharmacist"], redirect: ENROLLING.filter((a) => a !== "otherPharmacist") } as const;
const ADA_PATIENT = (ids: Ids) => ids.patients.compliant;
const DISPENSED = (ids: Ids) => ids.authorizations["DEMO-RX-1001"] ?? "missing-DEMO-RX-1001";
const REVERSED = (ids: Ids) => ids.authorizations["DEMO-RX-1002"] ?? "missing-DEMO-RX-1002";

/**
 * THE table: "<METHOD> <route path>" (route groups dropped, dynamic segments as in the folder name)
 * → who may use it. Every actor not listed is denied. Adding a route means adding one line here.
 */
const ROUTES: Record<string, Entry> = {
  // Public pages
  "GET /": { everyone: true },
  "GET /sign-in": { allow: ["anonymous"], redirect: SIGNED_IN },
  "GET /sign-up": { allow: ["anonymous"], redirect: SIGNED_IN },
  "GET /lookup": { everyone: true },
  "GET /api-docs": { everyone: true },
  "GET /invitations/[token]": { url: () => "/invitations/not-a-real-invitation-token-000000000000000", everyone: true },
  "GET /forgot-password": { everyone: true },
  "GET /reset-password/[token]": {
    url: () => "/reset-password/not-a-real-reset-token-0000000000000000",
    everyone: true,
  },
  "GET /verify-email/[token]": {
    url: () => "/verify-email/not-a-real-activation-token-000000000000000",
    everyone: true,
  },
  "GET /confirm-email/[token]": {
    url: () => "/confirm-email/not-a-real-confirmation-token-00000000000000",
    everyone: true,
  },
  // Any signed-in person
  "GET /account": { allow: SIGNED_IN },
  "GET /account/security": { allow: SIGNED_IN },
  "GET /dashboard": { redirect: SIGNED_IN },
  // Enrollment: each enrolling role is sent to its own enrollment's current step or status page.
  "GET /enroll": { redirect: ENROLLING },
  "GET /enroll/[program]": { url: (_, w) => `/enroll/${w.programCode}`, redirect: ENROLLING },
  "GET /enroll/[program]/details": { url: (_, w) => `/enroll/${w.programCode}/details`, ...IN_PROGRESS },
  "GET /enroll/[program]/training": { url: (_, w) => `/enroll/${w.programCode}/training`, ...IN_PROGRESS },
  "GET /enroll/[program]/assessment": { url: (_, w) => `/enroll/${w.programCode}/assessment`, redirect: ENROLLING },
  "GET /enroll/[program]/review": { url: (_, w) => `/enroll/${w.programCode}/review`, ...IN_PROGRESS },
  "GET /enrollment": { allow: ENROLLING },
  // ada's enrollment: her office staff may read it (enrollment:read:linked); administrators use /admin/stakeholders.
  "GET /enrollment/[id]": { url: (ids) => `/enrollment/${ids.enrollments.ada}`, allow: ["ada", "delegate"] },
  // Administration
  "GET /admin": { allow: ["admin"] },
  "GET /admin/adverse-events": { allow: ["admin"] },
  "GET /admin/applications": { allow: ["admin"] },
  "GET /admin/applications/[id]": { url: (ids) => `/admin/applications/${ids.enrollments.ben}`, allow: ["admin"] },
  "GET /admin/enforcement-discretion": { allow: ["admin"] },
  "GET /admin/authorizations": { url: () => "/admin/authorizations?decision=DENIED", allow: ["admin"] },
  "GET /admin/reports": {
    url: () => "/admin/reports?program=LEMTRADA&from=2026-01-01&to=2026-01-31",
    allow: ["admin"],
  },
  "GET /admin/reports/report.csv": {
    url: () => "/admin/reports/report.csv?program=LEMTRADA&from=2026-01-01&to=2026-01-31",
    allow: ["admin"],
  },
  "GET /admin/reports/report.pdf": {
    url: () => "/admin/reports/report.pdf?program=LEMTRADA&from=2026-01-01&to=2026-01-31",
    allow: ["admin"],
  },
  "GET /admin/users": { allow: ["admin"] },
  "GET /admin/users/[id]": { url: (ids) => `/admin/users/${ids.users.infusion}`, allow: ["admin"] },
  "GET /admin/users/administrators": { allow: ["admin"] },
  "GET /admin/audit": { allow: ["admin"] },
  // The demo world's first audit event (the seed writes the trail from its start).
  "GET /admin/audit/[seq]": { url: () => "/admin/audit/1", allow: ["admin"] },
  "GET /admin/audit/export.csv": { url: () => "/admin/audit/export.csv?action=enrollment.approve", allow: ["admin"] },
  "GET /admin/non-compliance": { allow: ["admin"] },
  "GET /admin/non-compliance/new": { allow: ["admin"] },
  "GET /admin/non-compliance/[ref]": {
    url: (ids) => `/admin/non-compliance/${ids.nonCompliance.caseId}`,
    allow: ["admin"],
  },
  // A JSON body is not an upload: the administrator gets 400, everyone else is refused before it is read.
  "POST /admin/non-compliance/[ref]/evidence": {
    url: (ids) => `/admin/non-compliance/${ids.nonCompliance.caseId}/evidence`,
    body: {},
    allow: ["admin"],
  },
  "GET /admin/non-compliance/[ref]/evidence/[evidenceId]": {
    url: (ids) => `/admin/non-compliance/${ids.nonCompliance.caseId}/evidence/${ids.nonCompliance.fileId}`,
    allow: ["admin"],
  },
  "GET /admin/stakeholders/[enrollmentId]": {
    url: (ids) => `/admin/stakeholders/${ids.enrollments.ada}`,
    allow: ["admin"],
  },
  "GET /admin/registry": { allow: ["admin"] },
  "GET /admin/registry/[kind]": {
    url: (_, w) => `/admin/registry/patients?q=${w.patients.compliant.remsId}`,
    allow: ["admin"],
  },
  "GET /admin/registry/[kind]/[key]": {
    url: (_, w) => `/admin/registry/prescribers/${w.prescribers.ada.npi}`,
    allow: ["admin"],
  },
  "GET /admin/programs": { allow: ["admin"] },
  "GET /admin/programs/[key]": { url: (_, w) => `/admin/programs/${w.programCode.toLowerCase()}`, allow: ["admin"] },
  // Prescriber portal (ids are ada's patient: ben is another prescriber)
  "GET /prescriber": { allow: PRESCRIBER_OFFICE },
  "GET /prescriber/labs": { allow: PRESCRIBER_OFFICE },
  "GET /prescriber/patients": { allow: PRESCRIBER_OFFICE },
  "GET /prescriber/patients/new": { allow: PRESCRIBER_OFFICE },
  "GET /prescriber/patients/[id]": {
    url: (ids) => `/prescriber/patients/${ADA_PATIENT(ids)}`,
    allow: ["ada", "delegate"],
  },
  "GET /prescriber/patients/[id]/labs": {
    url: (ids) => `/prescriber/patients/${ADA_PATIENT(ids)}/labs`,
    allow: ["ada", "delegate"],
  },
  "GET /prescriber/patients/[id]/timeline": {
    url: (ids) => `/prescriber/patients/${ADA_PATIENT(ids)}/timeline`,
    allow: ["ada", "delegate"],
  },
  "GET /prescriber/patients/[id]/status-form": {
    url: (ids) => `/prescriber/patients/${ADA_PATIENT(ids)}/status-form`,
    allow: ["ada", "delegate"],
  },
  "GET /prescriber/team": { allow: ["ada", "ben"] },
  "POST /prescriber/labs/imports": {
    url: () => "/prescriber/labs/imports?mode=valid_rows&fileName=matrix.csv",
    body: "",
    contentType: "text/csv",
    // Every prescriber may import (rows are checked against their own patients one by one).
    allow: PRESCRIBER_OFFICE,
  },
  "GET /prescriber/labs/imports/[id]/report.csv": {
    url: (ids) => `/prescriber/labs/imports/${ids.labImport}/report.csv`,
    allow: ["ada"],
  },
  // Pharmacy portal (ids are the demo pharmacy's: otherPharmacist is another pharmacy)
  "GET /pharmacy": { allow: PHARMACISTS },
  "GET /pharmacy/authorizations": { allow: PHARMACISTS },
  "GET /pharmacy/authorizations/[id]": {
    url: (ids) => `/pharmacy/authorizations/${DISPENSED(ids)}`,
    allow: ["pharmacist"],
  },
  "GET /pharmacy/dispense": { allow: PHARMACISTS },
  "GET /pharmacy/api-keys": { allow: PHARMACISTS },
  "GET /pharmacy/team": { allow: PHARMACISTS },
  // Healthcare setting portal
  "GET /setting": { allow: ["infusion"] },
  "GET /setting/infusions/new": { allow: ["infusion"] },
  // Patient portal
  "GET /patient": { allow: ["patient"] },
  // Documents
  "GET /documents/dispense-authorizations/[id]/slip.pdf": {
    url: (ids) => `/documents/dispense-authorizations/${DISPENSED(ids)}/slip.pdf`,
    allow: ["pharmacist"],
  },
  "GET /documents/enrollments/[id]/certificate.pdf": {
    url: (ids) => `/documents/enrollments/${ids.enrollments.pharmacy}/certificate.pdf`,
    allow: ["pharmacist", "admin"],
  },
  "GET /documents/enrollments/[id]/signed-form.pdf": {
    url: (ids) => `/documents/enrollments/${ids.enrollments.ada}/signed-form.pdf`,
    allow: ["ada", "delegate", "admin"],
  },
  // JSON API
  "GET /api/health": { everyone: true },
  "GET /api/ready": { everyone: true },
  // The admin section's live views poll these.
  "GET /api/admin/dashboard": { allow: ["admin"] },
  "GET /api/admin/applications": { allow: ["admin"] },
  "GET /api/admin/applications/[id]/claim": {
    url: (ids) => `/api/admin/applications/${ids.enrollments.ben}/claim`,
    allow: ["admin"],
  },
  "GET /api/v1/openapi.json": { everyone: true },
  "GET /api/v1/programs/[code]/certifications": {
    url: (_, w) => `/api/v1/programs/${w.programCode}/certifications?npi=${w.prescribers.ada.npi}`,
    everyone: true,
  },
  "GET /api/v1/dispense-authorizations": { allow: PHARMACISTS },
  "POST /api/v1/dispense-authorizations": { body: {}, allow: PHARMACISTS },
  "GET /api/v1/dispense-authorizations/[id]": {
    url: (ids) => `/api/v1/dispense-authorizations/${DISPENSED(ids)}`,
    allow: ["pharmacist"],
  },
  // Already reversed: the owner is answered 409, anyone else must not learn that.
  "POST /api/v1/dispense-authorizations/[id]/dispense": {
    url: (ids) => `/api/v1/dispense-authorizations/${REVERSED(ids)}/dispense`,
    body: { quantity: 3, lotNumber: "MATRIX-LOT-1" },
    allow: ["pharmacist"],
  },
  "POST /api/v1/dispense-authorizations/[id]/reverse": {
    url: (ids) => `/api/v1/dispense-authorizations/${REVERSED(ids)}/reverse`,
    body: { reason: "Authorization matrix: reversing an authorization that is already reversed." },
    allow: ["pharmacist"],
  },
  // NCPDP SCRIPT: a pharmacy system's API key only; a browser session (any role) is 401.
  "POST /api/ncpdp/script": {
    body: '<?xml version="1.0"?><Message><Header/><Body/></Message>',
    contentType: "application/xml",
  },
  // Auth.js endpoints: public by nature; never a 5xx.
  "GET /api/auth/[...nextauth]": { url: () => "/api/auth/session", open: true },
  // CDS Hooks and FHIR: machine endpoints authenticated by a CDS Hooks JWT (or, for FHIR, a
  // pharmacy's API key); a browser session is not a credential there, so everyone gets 401.
  "GET /cds-services": { everyone: true },
  "POST /cds-services/[service]": { url: () => "/cds-services/rems-order-sign", body: {} },
  "POST /fhir/GuidanceResponse/[operation]": { url: () => "/fhir/GuidanceResponse/$rems-etasu", body: {} },
  "POST /api/auth/[...nextauth]": { url: () => "/api/auth/callback/credentials", body: {}, open: true },
};

// ---------- The route tree ----------

const APP = path.resolve("app");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : [full];
  });
}

/** "app/(portal)/pharmacy/authorizations/[id]/page.tsx" → "/pharmacy/authorizations/[id]". */
function routePath(file: string): string {
  const segments = path
    .relative(APP, path.dirname(file))
    .split(path.sep)
    .filter((s) => s !== "" && !/^\(.*\)$/.test(s));
  return `/${segments.join("/")}`;
}

/** The methods a route module exports: `export async function GET` or `export const { GET, POST } = …`. */
function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:async\s+)?function\s+([A-Z]+)\b/g)) found.add(m[1] ?? "");
  for (const m of source.matchAll(/export\s+const\s+([A-Z]+)\s*=/g)) found.add(m[1] ?? "");
  for (const m of source.matchAll(/export\s+const\s+\{([^}]*)\}\s*=/g)) {
    for (const name of (m[1] ?? "").split(",")) found.add(name.split(":").pop()?.trim() ?? "");
  }
  return [...found].filter((m) => METHODS.includes(m));
}

function routeTree(): string[] {
  const keys: string[] = [];
  for (const file of files(APP)) {
    const name = path.basename(file);
    if (name === "page.tsx") keys.push(`GET ${routePath(file)}`);
    if (name === "route.ts") {
      for (const method of exportedMethods(readFileSync(file, "utf8"))) keys.push(`${method} ${routePath(file)}`);
    }
  }
  return keys.sort();
}

function expected(entry: Entry, actor: ActorName): Outcome {
  if (entry.open) return "open";
  if (entry.everyone || entry.allow?.includes(actor)) return "allow";
  if (entry.redirect?.includes(actor)) return "redirect";
  return "deny";
}

// ---------- The callers ----------

const PASSWORD = "Copper-Kettle-Winter-42";

async function createAccount(page: Page, link: string, name: string) {
  await page.goto(link);
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).not.toHaveURL(/\/invitations\//);
}

/** Office staff for ada, through ada's invitation. */
async function inviteDelegate(ada: Page, fresh: Page) {
  await ada.goto("/prescriber/team");
  const email = uniqueEmail("matrix-delegate");
  await ada.getByLabel("E-mail address").fill(email);
  await ada.getByRole("button", { name: "Send invitation" }).click();
  await expect(ada.getByText(`Invitation sent to ${email}`)).toBeVisible();
  await createAccount(fresh, await ada.getByLabel("Invitation link").inputValue(), "Matrix Delegate");
  await expect(fresh).toHaveURL(/\/prescriber$/);
}

/** A patient of ada who signs in to their own account (enrolled with an invitation). */
async function invitePatient(ada: Page, fresh: Page, password: string) {
  await ada.goto("/prescriber/patients/new");
  await ada.getByLabel("First name").fill("Matrix");
  await ada.getByLabel("Last name").fill(`Patient${Date.now().toString(36)}`);
  await ada.getByLabel("Date of birth").fill("1984-06-15");
  await ada.getByLabel("Sex").selectOption("female");
  await ada.getByLabel("Street address").fill("12 Elm Street");
  await ada.getByLabel("City").fill("Springfield");
  await ada.getByLabel("State").selectOption("IL");
  await ada.getByLabel("ZIP code").fill("62701");
  await ada.getByLabel("Phone").fill("217-555-0177");
  const setting = ada.locator("#healthcareSettingId option", { hasText: "Demo Infusion Center" });
  await ada.getByLabel("Certified healthcare setting").selectOption((await setting.getAttribute("value")) ?? "");
  for (const box of await ada.locator('input[name="counselledMaterialIds"]').all()) await box.check();
  await ada.locator("#field-email").fill(uniqueEmail("matrix-patient"));
  await ada.getByLabel("Signs in their own account").check();
  for (const box of await ada.locator('input[name="coAttestations"]').all()) await box.check();
  await ada.getByLabel("Printed name").fill("Ada Lovelace");
  await ada.getByLabel("Your password").fill(password);
  await fillSignatureCode(ada, world().accounts.ada);
  await ada.getByRole("button", { name: "Sign and enroll" }).click();
  await expect(ada.getByRole("heading", { name: "Enrollment saved, waiting for signatures" })).toBeVisible();
  await createAccount(fresh, await ada.getByLabel("Invitation link").inputValue(), "Matrix Patient");
  await expect(fresh).toHaveURL(/\/patient$/);
}

/** A representative of another pharmacy: signed up, the pharmacy's enrollment form saved (so it exists). */
async function otherPharmacist(page: Page) {
  const email = uniqueEmail("matrix-pharmacist");
  await signUpAndActivate(page, {
    as: "Pharmacy authorized representative",
    name: "Matrix Other-Pharmacist",
    email,
    password: PASSWORD,
  });
  // A pharmacist's account needs a second factor before anything else.
  await expect(page).toHaveURL(/\/account\/security\?required=1$/);
  await enrolTotp(page, email, PASSWORD);
  await saveRecoveryCodes(page);
  await expect(page).toHaveURL(/\/pharmacy$/);
  await page.getByRole("link", { name: "Start enrollment" }).click();
  await page.getByLabel("Pharmacy name").fill("Matrix Other Pharmacy");
  await page.getByLabel("Type of pharmacy").selectOption("specialty");
  await page.getByLabel("NCPDP provider ID").fill(uniqueNcpdpId());
  await page.getByLabel("NPI").fill(uniqueNpi());
  await page.getByLabel("Street address").fill("1 Elsewhere Road");
  await page.getByLabel("City").fill("Portland");
  await page.getByLabel("State").selectOption("ME");
  await page.getByLabel("ZIP code").fill("04101");
  await page.getByLabel("Contact phone").fill("207-555-0199");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/training$/);
}

async function signedInContext(browser: Browser, setup: (page: Page) => Promise<void>, baseURL: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await setup(page);
  const state = await context.storageState();
  await context.close();
  return request.newContext({ baseURL, storageState: state });
}

// ---------- The matrix ----------

function judge(outcome: Outcome, actor: ActorName, method: string, url: string, status: number, location: string) {
  if (status >= 500) return `answered ${status}`;
  const target = location ? new URL(location, "http://x").pathname : "";
  const asked = new URL(url, "http://x").pathname;
  const redirect = status >= 300 && status < 400;
  const denied = [401, 403, 404].includes(status) || (actor === "anonymous" && redirect && target === "/sign-in");
  switch (outcome) {
    case "open":
      return null;
    case "deny":
      return denied ? null : `expected denied, got ${status}${location ? ` → ${location}` : ""}`;
    case "redirect":
      return redirect && target !== asked && target !== "/sign-in" ? null : `expected a redirect, got ${status}`;
    case "allow":
      if (method === "GET") {
        return (status >= 200 && status < 300) || (redirect && target === asked)
          ? null
          : `expected allowed, got ${status}${location ? ` → ${location}` : ""}`;
      }
      return denied || redirect ? `expected past the access check, got ${status}` : null;
  }
}

test.describe("authorization matrix", () => {
  test("every page and route handler in the tree has exactly one entry in the table", () => {
    const tree = routeTree();
    // Guards against the scan silently finding nothing.
    expect(tree).toEqual(
      expect.arrayContaining(["GET /pharmacy/authorizations/[id]", "POST /prescriber/labs/imports"]),
    );
    const missing = tree.filter((key) => !(key in ROUTES)).map((k) => `no entry for ${k}`);
    const stale = Object.keys(ROUTES)
      .filter((key) => !tree.includes(key))
      .map((k) => `entry for a route that does not exist: ${k}`);
    expect([...missing, ...stale]).toEqual([]);
  });

  test("each caller is allowed or denied as the table says, never a 5xx", async ({ browser, baseURL }) => {
    test.setTimeout(240_000);
    const base = baseURL ?? "";
    const w = world();
    const contexts = new Map<ActorName, APIRequestContext>();
    contexts.set("anonymous", await request.newContext({ baseURL: base }));
    const demo = {
      admin: w.accounts.admin,
      ada: w.accounts.ada,
      ben: w.accounts.ben,
      pharmacist: w.accounts.pharmacist,
      infusion: w.accounts.infusion,
    };
    for (const [name, email] of Object.entries(demo) as [ActorName, string][]) {
      contexts.set(name, await signedInContext(browser, (page) => signIn(page, email, w.password), base));
    }
    // ada's browser makes the delegate's and the patient's invitations.
    const adaContext = await browser.newContext({ baseURL: base });
    const adaPage = await adaContext.newPage();
    await signIn(adaPage, w.accounts.ada, w.password);
    contexts.set("delegate", await signedInContext(browser, (page) => inviteDelegate(adaPage, page), base));
    contexts.set("patient", await signedInContext(browser, (page) => invitePatient(adaPage, page, w.password), base));
    await adaContext.close();
    contexts.set("otherPharmacist", await signedInContext(browser, otherPharmacist, base));

    // A lab import of ada's (one rejected row, so no result is recorded) for the report.csv case.
    const ada = contexts.get("ada");
    if (!ada) throw new Error("no ada");
    const imported = await ada.post("/prescriber/labs/imports?mode=valid_rows&fileName=matrix-setup.csv", {
      headers: { "content-type": "text/csv", origin: base },
      data: `rems_patient_id,test_code,collected_date,result_flag,lab_id\n${w.patients.compliant.remsId},NOT_A_TEST,2026-01-06,normal,LAB-MATRIX\n`,
    });
    expect(imported.status(), await imported.text()).toBe(201);
    const ids: Ids = { ...worldIds(), labImport: ((await imported.json()) as { importId: string }).importId };

    const failures: string[] = [];
    let cases = 0;
    for (const key of routeTree()) {
      const entry = ROUTES[key];
      if (!entry) continue; // reported by the test above
      const [method = "GET"] = key.split(" ");
      const url = entry.url ? entry.url(ids, w) : key.slice(method.length + 1);
      for (const actor of ACTORS) {
        const context = contexts.get(actor);
        if (!context) throw new Error(`no context for ${actor}`);
        const data =
          entry.body === undefined
            ? undefined
            : typeof entry.body === "string"
              ? entry.body
              : JSON.stringify(entry.body);
        const response = await context.fetch(url, {
          method,
          maxRedirects: 0,
          failOnStatusCode: false,
          headers: method === "GET" ? {} : { origin: base, "content-type": entry.contentType ?? "application/json" },
          data,
        });
        cases++;
        const problem = judge(
          expected(entry, actor),
          actor,
          method,
          url,
          response.status(),
          response.headers().location ?? "",
        );
        if (problem) failures.push(`${key} as ${actor} (${url}): ${problem}`);
      }
    }
    for (const context of contexts.values()) await context.dispose();
    console.log(`authorization matrix: ${cases} (route × caller) cases checked over HTTP`);
    expect(failures).toEqual([]);
  });
});
