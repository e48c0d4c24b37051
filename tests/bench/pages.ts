/**
 * Page benchmark (not a test): `npm run bench:pages`.
 *
 * 1. **Database.** Seeds the dispense benchmark's world (tests/bench/dispense-seed.ts: 100,000
 *    enrolled patients, 300 prescribers, 1.6 million lab results) into BENCH_DATABASE_URL and adds
 *    a year of dispense requests for the administrator's dashboard (tests/bench/dashboard-load.ts).
 *    BENCH_SKIP_SEED=1 reuses a database that already holds them. Then adds the accounts it signs
 *    in with (tests/bench/bench-accounts.ts).
 * 2. **Build.** Serves `.next` when it is newer than the sources, else builds it (BENCH_DIST_DIR
 *    serves a given build).
 * 3. **Server.** `scripts/serve.ts` with NODE_ENV=production on BENCH_PORT (3241), no background
 *    jobs. Signs in through the Auth.js credentials callback (tests/load/client.ts), with a TOTP
 *    code for the administrator and the pharmacist.
 * 4. **Page weight.** For the enrollment wizard's steps, the pharmacist's dispense page and the
 *    administrator's review queue, it reads the HTML the server renders and sums the gzip size
 *    (level 9) of every JavaScript chunk the page loads initially: the `<script src>` tags, the
 *    preloaded scripts and the chunks named by the page's client components in the inline React
 *    Server Components payload (each loaded before hydration), without the polyfill chunk
 *    (`noModule`, never loaded by current browsers). Chunks a component imports lazily (`import()`,
 *    `React.lazy`) are fetched once the page's scripts run and are not counted. The page's content
 *    must be in the HTML itself, not in a segment streamed in behind a Suspense fallback. The
 *    budget is PAGE_BUDGET_KB (150) per page.
 * 5. **Dashboards.** Loads the administrator's home (/admin), the prescriber's dashboard
 *    (/prescriber, for the prescriber whose patients have the longest histories) and the pharmacy's dashboard
 *    (/pharmacy) BENCH_LOADS (200) times each, one at a time after BENCH_WARMUP_LOADS (10), and
 *    prints p50 / p95 / p99 of the full answer (HTML streamed to the end). Every answer must be the
 *    page (200, the page's heading), not a redirect or an error.
 *
 * Exits 1 when a page is over its weight budget or a server fails (start-up, a wrong answer);
 * never because a dashboard is slow: the latency is printed against its 200 ms p95 target.
 * Environment: BENCH_DATABASE_URL, BENCH_PORT, BENCH_SKIP_SEED, BENCH_DIST_DIR, BENCH_LOADS,
 * BENCH_WARMUP_LOADS, BENCH_ONLY=weight|dashboards, PAGE_BUDGET_KB.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { keepAliveAgent, request, signIn } from "../load/client";
import { type BenchAccount, ensureBenchAccounts, signInCode } from "./bench-accounts";
import { addDashboardLoad, hasBenchData } from "./dashboard-load";
import { DEFAULT_BENCH_DATABASE_URL, seedBenchDatabase } from "./dispense-seed";
import {
  ensureBuild,
  fmt,
  log,
  machineLine,
  percentile,
  ROOT,
  type Server,
  startServer,
  stopServer,
  treeUsage,
  waitForHealth,
  appServerEnv,
} from "./harness";

const DB_URL = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const PORT = Number(process.env.BENCH_PORT ?? 3241);
const LOADS = Number(process.env.BENCH_LOADS ?? 200);
const WARMUP_LOADS = Number(process.env.BENCH_WARMUP_LOADS ?? 10);
const BUDGET_KB = Number(process.env.PAGE_BUDGET_KB ?? 150);
const P95_TARGET_MS = 200;
const ONLY = process.env.BENCH_ONLY;
const AUTH_SECRET = `bench-pages-${randomBytes(24).toString("hex")}`;

// ---------------------------------------------------------------------------------------------
// Page weight

interface Weighed {
  label: string;
  path: string;
  status: number;
  chunks: { file: string; raw: number; gzip: number }[];
  gzip: number;
  raw: number;
}

/** The JavaScript chunks a page's HTML makes the browser load before the page is interactive. */
export function initialChunks(html: string, polyfills: Set<string>): string[] {
  const found = new Set<string>();
  // Plain tags and the RSC payload (inside a JS string, so quotes may be escaped) alike.
  for (const m of html.matchAll(/(?:\/_next\/)?(static\/chunks\/[\w.\-~/]+?\.js)/g)) {
    const file = m[1] as string;
    if (!polyfills.has(file)) found.add(file);
  }
  return [...found].sort();
}

async function chunkSizes(distDir: string, files: string[]) {
  const cache = new Map<string, { raw: number; gzip: number }>();
  const out: Weighed["chunks"] = [];
  for (const file of files) {
    let size = cache.get(file);
    if (!size) {
      const bytes = await readFile(path.join(ROOT, distDir, file));
      size = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      cache.set(file, size);
    }
    out.push({ file, ...size });
  }
  return out;
}

async function weighPage(
  server: Server,
  distDir: string,
  polyfills: Set<string>,
  cookie: string,
  page: { label: string; path: string; expect: string },
): Promise<Weighed> {
  const answer = await request(`http://127.0.0.1:${server.port}${page.path}`, {
    headers: { cookie, accept: "text/html" },
  });
  if (answer.status !== 200 || !answer.body.includes(page.expect)) {
    throw new Error(
      `${page.path} answered ${answer.status} ${String(answer.headers.location ?? "")} without "${page.expect}": ${answer.body.slice(0, 300)}`,
    );
  }
  // The page's content must be in the HTML as it arrives, not streamed in later behind a Suspense
  // fallback (a hidden segment that only a script reveals): a split-off form stays usable without it.
  const marker = answer.body.indexOf(page.expect);
  const hiddenSegment = answer.body.indexOf('<div hidden id="S:');
  if (hiddenSegment !== -1 && hiddenSegment < marker) {
    throw new Error(`${page.path}: "${page.expect}" arrives in a streamed segment, not in the page itself`);
  }
  const chunks = await chunkSizes(distDir, initialChunks(answer.body, polyfills));
  return {
    ...page,
    status: answer.status,
    chunks,
    gzip: chunks.reduce((t, c) => t + c.gzip, 0),
    raw: chunks.reduce((t, c) => t + c.raw, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Dashboards

interface Timed {
  label: string;
  path: string;
  loads: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  serverCpuMsPerLoad: number;
  htmlKb: number;
}

async function timePage(server: Server, cookie: string, page: { label: string; path: string; expect: string }) {
  const agent = keepAliveAgent(1);
  const url = `http://127.0.0.1:${server.port}${page.path}`;
  const once = async () => {
    const answer = await request(url, { agent, headers: { cookie, accept: "text/html" } });
    if (answer.status !== 200 || !answer.body.includes(page.expect)) {
      throw new Error(
        `${page.path} answered ${answer.status} ${String(answer.headers.location ?? "")} without "${page.expect}": ${answer.body.slice(0, 300)}`,
      );
    }
    return answer;
  };
  for (let i = 0; i < WARMUP_LOADS; i++) await once();
  const pid = server.child.pid as number;
  const cpu0 = (await treeUsage(pid)).cpu;
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < LOADS; i++) {
    const answer = await once();
    times.push(answer.ms);
    bytes = answer.body.length;
  }
  const cpu1 = (await treeUsage(pid)).cpu;
  agent.destroy();
  const sorted = [...times].sort((a, b) => a - b);
  return {
    ...page,
    loads: LOADS,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    mean: times.reduce((t, x) => t + x, 0) / Math.max(1, times.length),
    serverCpuMsPerLoad: ((cpu1 - cpu0) * 1000) / Math.max(1, LOADS),
    htmlKb: bytes / 1024,
  } satisfies Timed;
}

// ---------------------------------------------------------------------------------------------

async function prepareDatabase(): Promise<void> {
  let client = new pg.Client({ connectionString: DB_URL });
  let ready = false;
  try {
    await client.connect();
    ready = process.env.BENCH_SKIP_SEED === "1" && (await hasBenchData(client));
  } catch {
    ready = false;
  }
  if (!ready) {
    await client.end().catch(() => undefined);
    if (process.env.BENCH_SKIP_SEED === "1")
      log("BENCH_SKIP_SEED=1 but the database holds no benchmark world: seeding");
    const world = await seedBenchDatabase({ url: DB_URL, log: (line) => log(line) });
    log(`seed: ${fmt(world.patients.length)} patients in ${fmt(world.seconds, 1)} s`);
    client = new pg.Client({ connectionString: DB_URL });
    await client.connect();
  } else {
    log(`seed: reusing ${new URL(DB_URL).pathname.slice(1)}`);
  }
  try {
    await addDashboardLoad(client);
  } finally {
    await client.end();
  }
}

async function signInAs(server: Server, account: BenchAccount): Promise<string> {
  return signIn(`http://127.0.0.1:${server.port}`, {
    email: account.email,
    password: account.password,
    code: signInCode(account),
  });
}

async function main(): Promise<number> {
  log(`page benchmark — ${new Date().toISOString()}`);
  log(`machine: ${machineLine()}`);
  await prepareDatabase();
  const accounts = await ensureBenchAccounts(DB_URL, AUTH_SECRET);
  log(
    `accounts: administrator, pharmacist, prescriber NPI ${accounts.prescriber.npi} (${fmt(accounts.prescriber.patients)} patients), applicant`,
  );
  const distDir = await ensureBuild();
  const manifest = JSON.parse(await readFile(path.join(ROOT, distDir, "build-manifest.json"), "utf8")) as {
    polyfillFiles?: string[];
  };
  const polyfills = new Set(manifest.polyfillFiles ?? []);

  // The accounts were made with this secret (their TOTP secrets are sealed with it).
  const server = startServer("app", "scripts/serve.ts", PORT, appServerEnv(PORT, DB_URL, distDir, { AUTH_SECRET }));
  let failed = false;
  try {
    await waitForHealth(server);
    const cookies = {
      admin: await signInAs(server, accounts.admin),
      pharmacist: await signInAs(server, accounts.pharmacist),
      prescriber: await signInAs(server, accounts.prescriber),
      applicant: await signInAs(server, accounts.applicant),
    };

    if (ONLY !== "dashboards") {
      const pages = [
        {
          label: "enrollment wizard: details",
          path: "/enroll/LEMTRADA/details",
          expect: 'id="field-npi"',
          cookie: cookies.applicant,
        },
        {
          label: "enrollment wizard: training",
          path: "/enroll/LEMTRADA/training",
          expect: "<main",
          cookie: cookies.applicant,
        },
        {
          label: "enrollment wizard: assessment",
          path: "/enroll/LEMTRADA/assessment",
          expect: "<main",
          cookie: cookies.applicant,
        },
        {
          label: "enrollment wizard: review",
          path: "/enroll/LEMTRADA/review",
          expect: "<main",
          cookie: cookies.applicant,
        },
        {
          label: "pharmacist: dispense",
          path: "/pharmacy/dispense",
          expect: 'id="prescriberNpi"',
          cookie: cookies.pharmacist,
        },
        { label: "admin: review queue", path: "/admin/applications", expect: "Review queue", cookie: cookies.admin },
      ];
      const weighed: Weighed[] = [];
      for (const { cookie, ...page } of pages) weighed.push(await weighPage(server, distDir, polyfills, cookie, page));
      // Chunks every measured page loads: the framework (React, the Next.js runtime) and the root layout.
      const shared = new Set(weighed[0]?.chunks.map((c) => c.file) ?? []);
      for (const w of weighed.slice(1)) {
        const files = new Set(w.chunks.map((c) => c.file));
        for (const file of shared) if (!files.has(file)) shared.delete(file);
      }
      const sharedGzip = (weighed[0]?.chunks ?? []).filter((c) => shared.has(c.file)).reduce((t, c) => t + c.gzip, 0);
      log(`\n== First-load JavaScript (gzip level 9; budget ${BUDGET_KB} kB per page)`);
      log(`   shared by all ${weighed.length} pages: ${shared.size} chunks, ${fmt(sharedGzip / 1000, 1)} kB`);
      for (const w of weighed) {
        const over = w.gzip / 1000 > BUDGET_KB;
        if (over) failed = true;
        log(
          `   ${over ? "OVER" : "ok  "} ${w.label.padEnd(32)} ${w.path.padEnd(28)} ${fmt(w.gzip / 1000, 1).padStart(7)} kB gzip` +
            ` (${fmt(w.raw / 1000, 1)} kB raw, ${w.chunks.length} chunks)`,
        );
        const own = w.chunks.filter((c) => !shared.has(c.file)).sort((a, b) => b.gzip - a.gzip);
        if (own.length) {
          log(
            `        own chunks: ${own
              .slice(0, 6)
              .map((c) => `${path.basename(c.file)} ${fmt(c.gzip / 1000, 1)} kB`)
              .join(", ")}`,
          );
        }
      }
      log(`\nJSON ${JSON.stringify({ weight: weighed.map(({ chunks, ...w }) => ({ ...w, chunks: chunks.length })) })}`);
    }

    if (ONLY !== "weight") {
      const dashboards = [
        { label: "administrator: /admin", path: "/admin", expect: "REMS administration", cookie: cookies.admin },
        {
          label: `prescriber: /prescriber (${accounts.prescriber.patients} patients, RETREAT)`,
          path: "/prescriber",
          expect: "Prescriber dashboard",
          cookie: cookies.prescriber,
        },
        { label: "pharmacy: /pharmacy", path: "/pharmacy", expect: "Pharmacy dashboard", cookie: cookies.pharmacist },
      ];
      const timed: Timed[] = [];
      for (const { cookie, ...d } of dashboards) timed.push(await timePage(server, cookie, d));
      log(
        `\n== Dashboards: ${LOADS} loads each, one at a time, after ${WARMUP_LOADS} warm-up loads (target p95 ≤ ${P95_TARGET_MS} ms)`,
      );
      log(`   machine now: ${machineLine()}`);
      for (const t of timed) {
        log(
          `   ${t.p95 <= P95_TARGET_MS ? "ok  " : "SLOW"} ${t.label.padEnd(44)} p50 ${fmt(t.p50, 1).padStart(6)}  p95 ${fmt(t.p95, 1).padStart(6)}` +
            `  p99 ${fmt(t.p99, 1).padStart(6)}  max ${fmt(t.max, 0).padStart(5)} ms; server CPU ${fmt(t.serverCpuMsPerLoad, 1)} ms/load; HTML ${fmt(t.htmlKb, 0)} kB`,
        );
      }
      log(`\nJSON ${JSON.stringify({ dashboards: timed })}`);
    }
  } catch (error) {
    failed = true;
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    log(server.output.join("").slice(-3000));
  } finally {
    await stopServer(server);
  }
  return failed ? 1 : 0;
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
