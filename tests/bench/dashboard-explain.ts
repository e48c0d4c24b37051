/**
 * `npm run bench:explain-dashboard`: checks that the administrator's dashboard does not grow with
 * the registry. On the dispense benchmark's dataset (100,000 patients, 1.6 million lab results;
 * seeded here when missing or when RESEED=1) plus a year of dispense requests (300,000, added here
 * once), it runs EXPLAIN ANALYZE on every dashboard statement (lib/admin/dashboard-sql.ts), for all
 * programmes and for one, and fails when a plan reads a large table (more than LARGE_ROWS rows)
 * with a sequential scan — unless the table is a monthly partition whose whole month lies inside
 * the statement's own time window (the 30-day chart reads all of the current month: a sequential
 * scan of that partition reads only rows it asked for). Prints each statement's plan nodes and time.
 *
 * BENCH_DATABASE_URL picks the database (default: the benchmark's).
 */
import pg from "pg";
import { dashboardStatements } from "../../lib/admin/dashboard-sql";
import { dashboardWindow } from "../../lib/admin/dashboard";
import { addDashboardLoad, hasBenchData } from "./dashboard-load";
import { DEFAULT_BENCH_DATABASE_URL, seedBenchDatabase } from "./dispense-seed";
import { partitionRanges, scanInsideWindow, tableSizes } from "./table-sizes";

const LARGE_ROWS = 10_000;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
  let client = new pg.Client({ connectionString: url });
  let ready = false;
  try {
    await client.connect();
    ready = process.env.RESEED !== "1" && (await hasBenchData(client));
  } catch {
    ready = false;
  }
  if (!ready) {
    await client.end().catch(() => undefined);
    console.log("Seeding the benchmark dataset…");
    await seedBenchDatabase({ url, log: (line) => console.log(line) });
    client = new pg.Client({ connectionString: url });
    await client.connect();
  }
  try {
    await addDashboardLoad(client);
    const sizes = await tableSizes(client);
    const ranges = await partitionRanges(client);
    const program = await client.query(`SELECT "id" FROM "Program" LIMIT 1`);
    const programId = (program.rows[0] as { id: string } | undefined)?.id ?? null;
    const failures: string[] = [];
    for (const scope of [null, programId]) {
      const statements = dashboardStatements(dashboardWindow(new Date(), scope));
      for (const [name, s] of Object.entries(statements)) {
        const label = `${name}${scope ? " (one programme)" : ""}`;
        const result = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.sql}`, s.values);
        const explained = (result.rows[0] as { "QUERY PLAN": { Plan: PlanNode; "Execution Time": number }[] })[
          "QUERY PLAN"
        ][0];
        if (!explained) throw new Error(`no plan for ${label}`);
        const all = nodes(explained.Plan);
        const seq = all.filter(
          (n) =>
            n["Node Type"] === "Seq Scan" &&
            (sizes.get(n["Relation Name"] ?? "") ?? 0) > LARGE_ROWS &&
            !scanInsideWindow(n["Relation Name"] ?? "", n.Filter, ranges),
        );
        const summary = all
          .filter((n) => n["Relation Name"])
          .map(
            (n) =>
              `${n["Node Type"]} ${n["Relation Name"]}${n["Index Name"] ? ` (${n["Index Name"]})` : ""}` +
              (n["Node Type"] === "Seq Scan" && scanInsideWindow(n["Relation Name"] ?? "", n.Filter, ranges)
                ? " [its whole month inside the window]"
                : ""),
          )
          .join("; ");
        console.log(
          `${seq.length ? "FAIL" : "ok  "} ${label}: ${explained["Execution Time"].toFixed(2)} ms — ${summary}`,
        );
        for (const n of seq) {
          failures.push(
            `${label}: sequential scan of "${n["Relation Name"]}" (${sizes.get(n["Relation Name"] ?? "")} rows)`,
          );
        }
      }
    }
    if (failures.length) {
      console.error(`\n${failures.length} statement(s) scan a large table:\n${failures.join("\n")}`);
      process.exitCode = 1;
    } else {
      console.log("\nNo dashboard statement scans a large table sequentially beyond its own time window.");
    }
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
