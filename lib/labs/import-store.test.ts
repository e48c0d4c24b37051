import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { RowsToStore } from "./import-store";
import { labResultDedupeKey } from "./service";

const into = { importId: randomUUID(), userId: randomUUID() };
const row = (labId: string, collectedOn = "2026-01-02") => ({
  patientId: randomUUID(),
  programId: randomUUID(),
  testCode: "TSH",
  collectedOn,
  abnormal: labId.length % 2 === 0,
  labId,
});

describe("RowsToStore", () => {
  it("writes each row as a CSV line of LabResult's columns that reads back to the same values", () => {
    const rows = [row("LAB-1"), row('Labor "Süd", Zentrale'), row("line\nbreak ✓"), row("")];
    const batch = new RowsToStore(into);
    rows.forEach((r, i) => {
      batch.add(r, i + 2);
    });
    expect(batch.size).toBe(4);
    expect(batch.lines).toEqual([2, 3, 4, 5]);
    const read: string[][] = parse(batch.linesOf([0, 1, 2, 3]).toString("utf8"));
    expect(read).toHaveLength(4);
    read.forEach((fields, i) => {
      const r = rows[i]!;
      const key = labResultDedupeKey(r.patientId, r.testCode, r.collectedOn, r.labId);
      expect(batch.keys[i]).toBe(key);
      const [id, ...rest] = fields;
      // A version 4 UUID in PostgreSQL's hyphen-less input form.
      expect(id).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      expect(rest).toEqual([
        r.patientId,
        r.programId,
        r.testCode,
        r.collectedOn,
        String(r.abnormal),
        r.labId,
        "import",
        into.importId,
        key,
        into.userId,
      ]);
    });
  });

  it("gives new ids, and the chosen rows in the order asked, past the first buffer's size", () => {
    const batch = new RowsToStore(into);
    const long = "x".repeat(60);
    for (let i = 0; i < 6000; i++) batch.add(row(`${long}-${i}`), i);
    const read: string[][] = parse(batch.linesOf([5999, 0, 3000]).toString("utf8"));
    expect(read.map((f) => f[6])).toEqual([`${long}-5999`, `${long}-0`, `${long}-3000`]);
    const all: string[][] = parse(batch.linesOf([...Array(6000).keys()]).toString("utf8"));
    expect(new Set(all.map((f) => f[0])).size).toBe(6000);
  });
});
