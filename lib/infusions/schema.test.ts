import { describe, expect, it } from "vitest";
import { generateRemsId } from "../identifiers/rems-id";
import { ZRecordInfusion } from "./schema";

const valid = {
  patientId: "0b7c1c52-64a4-4b59-9a55-1f7e3f1b2a10",
  infusedOn: "2026-03-02",
  doseMg: 12,
  vialLot: "A1234B",
  premedicationGiven: "yes",
  observationCompleted: "yes",
  reaction: "no",
} as const;

function errorPaths(input: unknown): string[] {
  const parsed = ZRecordInfusion.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join("."));
}

describe("ZRecordInfusion", () => {
  it("accepts a complete infusion without a reaction", () => {
    expect(errorPaths(valid)).toEqual([]);
  });
  it("requires severity and narrative when there was a reaction", () => {
    expect(errorPaths({ ...valid, reaction: "yes" }).sort()).toEqual(["reactionNarrative", "reactionSeverity"]);
    expect(
      errorPaths({ ...valid, reaction: "yes", reactionSeverity: "severe", reactionNarrative: "Anaphylaxis" }),
    ).toEqual([]);
  });
  it("refuses impossible dates, missing answers, a blank lot and a missing dose", () => {
    expect(errorPaths({ ...valid, infusedOn: "2026-02-30" })).toEqual(["infusedOn"]);
    expect(errorPaths({ ...valid, premedicationGiven: undefined })).toEqual(["premedicationGiven"]);
    expect(errorPaths({ ...valid, vialLot: "  " })).toEqual(["vialLot"]);
    expect(errorPaths({ ...valid, doseMg: Number.NaN })).toEqual(["doseMg"]);
  });
  it("normalises a typed authorization number and refuses one that is not a DA number", () => {
    const number = generateRemsId("DA");
    const typed = ` ${number.toLowerCase().replace(/-/g, " ")} `;
    expect(ZRecordInfusion.parse({ ...valid, authorizationNumber: typed }).authorizationNumber).toBe(number);
    expect(ZRecordInfusion.parse({ ...valid, authorizationNumber: "   " }).authorizationNumber).toBeUndefined();
    expect(errorPaths({ ...valid, authorizationNumber: generateRemsId("PT") })).toEqual(["authorizationNumber"]);
    expect(errorPaths({ ...valid, authorizationNumber: "DA-12" })).toEqual(["authorizationNumber"]);
  });
  it("calls a mistyped authorization number a typo", () => {
    const number = generateRemsId("DA");
    const typo = `${number.slice(0, 3)}${number.charAt(3) === "7" ? "8" : "7"}${number.slice(4)}`;
    const parsed = ZRecordInfusion.safeParse({ ...valid, authorizationNumber: typo });
    expect(parsed.success ? [] : parsed.error.issues.map((i) => i.message)).toEqual([
      "The check character does not match — probably a typo",
    ]);
  });
});
