/**
 * A generated export of a previous registry (docs/migration-import.md) for N patients, with their
 * prescribers, healthcare settings, pharmacies, certifications/enrollments and lab history, and —
 * when asked — deliberately dirty rows, each listed with the reason the import must give.
 * Identifiers carry a random tag so every generated export is new to the database it is loaded in.
 */
import { randomInt } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { addDays } from "../../lib/calendar";
import { csvLine } from "../../lib/csv/writer";
import { makeRemsId, REMS_ID_BODY_LENGTH } from "../../lib/identifiers/rems-id";
import { REGISTRY_COLUMNS, type RegistryEntity, registryFileName } from "../../lib/migration/schema";
import { uniqueNcpdpId, uniqueNpi } from "./identifiers";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const EXPORT_PROGRAM = "LEMTRADA";

export interface ExpectedRejection {
  entity: RegistryEntity;
  line: number;
  /** A piece of text the reason must contain. */
  reason: string;
}

export interface GeneratedExport {
  lines: Record<RegistryEntity, string[][]>;
  rejections: ExpectedRejection[];
  /** Rows per entity that must be written on a first run. */
  valid: Record<RegistryEntity, number>;
}

function base32(n: number, width: number): string {
  let s = "";
  for (let i = 0; i < width; i++) {
    s = CROCKFORD[n % 32] + s;
    n = Math.floor(n / 32);
  }
  return s;
}

/** seq → a value from `draw`, the same for the same seq, never the same for two. */
function distinctBySeq(draw: () => string): (seq: number) => string {
  const bySeq = new Map<number, string>();
  const used = new Set<string>();
  return (seq) => {
    let value = bySeq.get(seq);
    if (value === undefined) {
      do value = draw();
      while (used.has(value));
      used.add(value);
      bySeq.set(seq, value);
    }
    return value;
  };
}

export function generateRegistryExport(options: { patients: number; dirty?: boolean }): GeneratedExport {
  const n = options.patients;
  // Random identifiers, the same for the same number within the export and distinct from each other:
  // a few bits of tag left two exports of one run sharing NCPDP ids about once in a thousand, and
  // REMS ids (15 bits of tag) about once in two thousand runs.
  const remsIdsByPrefix = new Map<string, (seq: number) => string>();
  const remsId = (prefix: string, seq: number) => {
    let byPrefix = remsIdsByPrefix.get(prefix);
    if (!byPrefix) {
      byPrefix = distinctBySeq(() => makeRemsId(prefix, base32(randomInt(0, 2 ** 40), REMS_ID_BODY_LENGTH)));
      remsIdsByPrefix.set(prefix, byPrefix);
    }
    return byPrefix(seq);
  };
  const npi = distinctBySeq(uniqueNpi);
  const ncpdp = distinctBySeq(uniqueNcpdpId);
  const prescriberCount = Math.max(2, Math.ceil(n / 25));
  const settingCount = Math.max(2, Math.ceil(n / 100));
  const pharmacyCount = Math.max(2, Math.ceil(n / 100));

  const lines = Object.fromEntries(Object.keys(REGISTRY_COLUMNS).map((e) => [e, []])) as unknown as Record<
    RegistryEntity,
    string[][]
  >;
  const valid = { prescribers: 0, settings: 0, pharmacies: 0, patients: 0, certifications: 0, labs: 0 };
  const rejections: ExpectedRejection[] = [];
  /** Adds a row; the header is line 1, so the row's line is its index + 2. */
  const add = (entity: RegistryEntity, row: string[], rejection?: string) => {
    lines[entity].push(row);
    if (rejection) rejections.push({ entity, line: lines[entity].length + 1, reason: rejection });
    else valid[entity]++;
  };
  const certification = (kind: string, id: string, number: string, status: string, on: string, rejection?: string) =>
    add("certifications", [EXPORT_PROGRAM, kind, id, status, number, on, addDays(on, 730)], rejection);

  for (let i = 0; i < prescriberCount; i++) {
    add("prescribers", [npi(i), `Firstname${i}`, `Lastname${i}`, "MD", "Neurology", "NY", `p${i}@example.org`]);
    certification("PRESCRIBER", npi(i), remsId("RX", i), "CERTIFIED", addDays("2023-01-02", i % 600));
  }
  for (let i = 0; i < settingCount; i++) {
    add("settings", [remsId("HS", i), npi(5000 + i), `Infusion Centre ${i}`, "INFUSION_CENTER", "NJ"]);
    certification("HEALTHCARE_SETTING", remsId("HS", i), remsId("HC", i), "CERTIFIED", addDays("2023-03-01", i % 500));
  }
  for (let i = 0; i < pharmacyCount; i++) {
    add("pharmacies", [remsId("PH", i), ncpdp(i), npi(7500 + i), `Specialty Pharmacy ${i}`, "SPECIALTY", "PA"]);
    certification("PHARMACY", ncpdp(i), remsId("DP", i), i % 10 === 9 ? "SUSPENDED" : "CERTIFIED", "2023-05-10");
  }
  for (let i = 0; i < n; i++) {
    const dob = addDays("1950-01-01", (i * 37) % 18000);
    add("patients", [
      remsId("PT", i),
      `Pat${i}`,
      `Family${i}`,
      dob,
      i % 2 ? "F" : "M",
      "CA",
      npi(i % prescriberCount),
      i % 3 === 0 ? "" : remsId("HS", i % settingCount),
    ]);
    const enrolledOn = addDays("2024-01-01", i % 500);
    add("certifications", [EXPORT_PROGRAM, "PATIENT", remsId("PT", i), "ENROLLED", "", enrolledOn, ""]);
    add("labs", [remsId("PT", i), EXPORT_PROGRAM, "CBC_DIFF", addDays(enrolledOn, 30), "normal", `L-${i}-1`]);
    add("labs", [
      remsId("PT", i),
      EXPORT_PROGRAM,
      "TSH",
      addDays(enrolledOn, 92),
      i % 7 ? "normal" : "abnormal",
      `L-${i}-2`,
    ]);
  }

  if (options.dirty) {
    const badNpi = `${npi(4999).slice(0, 9)}${(Number(npi(4999)[9]) + 1) % 10}`;
    add("prescribers", [badNpi, "Wrong", "Digit", "MD", "", "NY", ""], "has a wrong check digit");
    add("prescribers", [npi(0), "Firstname0", "Lastname0", "MD", "Neurology", "NY", ""], "duplicate npi");
    const badHs = remsId("HS", 9999);
    const typo = `${badHs.slice(0, -1)}${badHs.endsWith("0") ? "1" : "0"}`;
    add("settings", [typo, "", "Typo Centre", "INFUSION_CENTER", "NJ"], "has a wrong check character");
    const badNcpdp = `${ncpdp(999).slice(0, 6)}${(Number(ncpdp(999)[6]) + 1) % 10}`;
    add("pharmacies", [remsId("PH", 9999), badNcpdp, "", "Bad Ncpdp", "RETAIL", "PA"], "is not a valid NCPDP id");
    const orphan = remsId("PT", n + 1);
    add("patients", [orphan, "Orphan", "Patient", "1980-05-05", "F", "CA", npi(4998), ""], "unknown prescriber NPI");
    const impossible = remsId("PT", n + 2);
    add("patients", [impossible, "Leap", "Day", "2025-02-30", "M", "CA", npi(0), ""], "is not a real date");
    add("patients", [remsId("PT", n + 3), "Future", "Born", "2099-01-01", "M", "CA", npi(0), ""], "is in the future");
    const first = lines.patients[0] as string[];
    add("patients", [...first], "duplicate rems_id");
    add(
      "certifications",
      [EXPORT_PROGRAM, "PATIENT", orphan, "ENROLLED", "", "2024-02-02", ""],
      `unknown patient ${orphan}`,
    );
    add(
      "certifications",
      [EXPORT_PROGRAM, "PRESCRIBER", npi(1), "ACTIVE", remsId("RX", 9000), "2024-02-02", ""],
      "unknown status",
    );
    add("labs", [impossible, EXPORT_PROGRAM, "TSH", "2025-03-01", "normal", "L-X-1"], `unknown patient ${impossible}`);
    add("labs", [remsId("PT", 0), EXPORT_PROGRAM, "TSH", "2025-13-01", "normal", "L-X-2"], "is not a real date");
    add("labs", [remsId("PT", 0), EXPORT_PROGRAM, "XRAY", "2025-03-01", "normal", "L-X-3"], "unknown test code XRAY");
  }
  return { lines, rejections, valid };
}

function csvOf(entity: RegistryEntity, rows: string[][]): string {
  return [REGISTRY_COLUMNS[entity], ...rows].map((r) => csvLine(r)).join("");
}

/**
 * Writes the export as UTF-8 files. `latin1Line` re-encodes one line of one file as Latin-1 (with
 * an accented name), the "mixed encodings" a hand-edited export ends up with.
 */
export async function writeRegistryExport(
  folder: string,
  generated: GeneratedExport,
  options: { latin1Line?: { entity: RegistryEntity; line: number } } = {},
) {
  await mkdir(folder, { recursive: true });
  for (const [entity, rows] of Object.entries(generated.lines) as [RegistryEntity, string[][]][]) {
    const text = csvOf(entity, rows);
    let bytes = Buffer.from(text, "utf8");
    if (options.latin1Line?.entity === entity) {
      const all = text.split("\n");
      const at = options.latin1Line.line - 1;
      all[at] = (all[at] ?? "").replace(/^([^,]*,)[^,]*/, "$1Zoé");
      bytes = Buffer.concat(
        all.map((l, i) => Buffer.from(i < all.length - 1 ? `${l}\n` : l, i === at ? "latin1" : "utf8")),
      );
    }
    await writeFile(path.join(folder, registryFileName(entity)), bytes);
  }
}
