/**
 * Summarizes a V8 .cpuprofile (written by `node --cpu-prof`, see BENCH_NODE_ARGS in
 * docs/benchmarks.md): the functions with the most self time, and the share of time spent under
 * named groups of code (a subtree counts once however deep it recurses).
 *
 * `npx tsx tests/bench/cpuprofile-summary.ts <file.cpuprofile> [top=30]`
 *
 * Start-up (module loading, the first requests compiling their code) is left out: the summary
 * starts 5 s after the first sample inside Next's request handler.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code comes from, by its file. Order matters: the first match wins. */
const AREAS: [string, RegExp][] = [
  ["(garbage collector)", /^\(garbage collector\)$/],
  ["(idle)", /^\(idle\)$/],
  ["(program)", /^\(program\)$/],
  ["prisma client runtime", /@prisma\/client|generated\/prisma|prisma\/client\/runtime/],
  ["prisma adapter-pg", /@prisma\/adapter-pg|driver-adapter-utils/],
  ["pg driver", /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-)/],
  ["next server", /node_modules\/next\//],
  ["next compiled route (.next)", /\.next[^/]*\/server\//],
  ["zod", /node_modules\/zod\//],
  ["pino", /node_modules\/(pino|sonic-boom|fast-redact)/],
  ["tsx loader", /node_modules\/tsx\//],
  ["node internals", /^node:|^internal\//],
  ["app sources", /\/(lib|app|scripts)\//],
];

function areaOf(frame: CallFrame): string {
  const key = frame.url || frame.functionName;
  for (const [name, pattern] of AREAS) if (pattern.test(key)) return name;
  return frame.url ? "other js" : "(native)";
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm !== -1) return url.slice(nm + "node_modules/".length);
  const at = url.search(/\/(lib|app|scripts|tests|\.next[^/]*)\//);
  return at === -1 ? url : url.slice(at + 1);
}

const file = process.argv[2];
if (!file) throw new Error("usage: cpuprofile-summary.ts <file.cpuprofile> [top]");
const top = Number(process.argv[3] ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function onStack(id: number, test: (f: CallFrame) => boolean): boolean {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)?.callFrame;
    if (f && test(f)) return true;
  }
  return false;
}

const at: number[] = [];
profile.timeDeltas.reduce((t, d, i) => {
  at[i] = t + d;
  return t + d;
}, profile.startTime);
const firstRequest = profile.samples.findIndex((id) => onStack(id, (f) => f.functionName === "handleRequestImpl"));
const from = firstRequest === -1 ? profile.startTime : (at[firstRequest] ?? 0) + 5_000_000;

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if ((at[i] ?? 0) < from) return;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = [...selfUs.entries()]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)")
  .reduce((a, [, us]) => a + us, 0);
const busyUs = totalUs - idleUs;
const pct = (us: number) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;

console.log(`${file}\n  sampled ${ms(totalUs)}, busy ${ms(busyUs)} (percentages are of busy time)\n`);

// Self time by function.
const selfByFn = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)?.callFrame;
  if (!f || f.functionName === "(idle)") continue;
  const key = `${f.functionName || "(anonymous)"}  ${shortUrl(f.url)}:${f.lineNumber + 1}`;
  selfByFn.set(key, (selfByFn.get(key) ?? 0) + us);
}
console.log(`Self time, top ${top} functions:`);
for (const [key, us] of [...selfByFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)} ${ms(us)}  ${key}`);
}

// Self time by area.
const selfByArea = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)?.callFrame;
  if (!f || f.functionName === "(idle)") continue;
  const area = areaOf(f);
  selfByArea.set(area, (selfByArea.get(area) ?? 0) + us);
}
console.log("\nSelf time by area (where the CPU actually ran):");
for (const [area, us] of [...selfByArea.entries()].sort((a, b) => b[1] - a[1])) {
  console.log(`${pct(us)} ${ms(us)}  ${area}`);
}

// Inclusive (subtree) time of selected functions: each sample counts once per named function on its stack.
const SUBTREES: [string, (f: CallFrame) => boolean][] = [
  ["route handler POST (app)", (f) => f.functionName === "POST" && /dispense-authorizations/.test(f.url)],
  ["requestDispenseAuthorization", (f) => f.functionName === "requestDispenseAuthorization"],
  ["decideAndStore", (f) => f.functionName === "decideAndStore"],
  ["authenticateApiKey", (f) => f.functionName === "authenticateApiKey"],
  ["enforceDispenseRateLimit", (f) => f.functionName === "enforceDispenseRateLimit"],
  ["recordAudit", (f) => f.functionName === "recordAudit"],
  ["loadFacts", (f) => f.functionName === "loadFacts"],
  ["decideDispense", (f) => f.functionName === "decideDispense"],
  ["zod (any)", (f) => /node_modules\/zod\//.test(f.url)],
  ["prisma client (any)", (f) => /@prisma\/client|generated\/prisma/.test(f.url)],
  ["pg driver (any)", (f) => /node_modules\/(pg|pg-protocol|pg-pool)\//.test(f.url)],
  ["next server (any)", (f) => /node_modules\/next\//.test(f.url)],
  ["pino (any)", (f) => /node_modules\/pino/.test(f.url)],
  ["JSON.stringify", (f) => f.functionName === "stringify" && f.url === ""],
  ["JSON.parse", (f) => f.functionName === "parse" && f.url === ""],
];
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  if (byId.get(id)?.callFrame.functionName === "(idle)") continue;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)?.callFrame;
    if (!f) break;
    for (const [name, match] of SUBTREES) if (!seen.has(name) && match(f)) seen.add(name);
  }
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
}
console.log("\nSubtree (inclusive) time:");
for (const [name] of SUBTREES) console.log(`${pct(inclusive.get(name) ?? 0)} ${ms(inclusive.get(name) ?? 0)}  ${name}`);
