import { describe, expect, it } from "vitest";
import { makeAncProgramInput } from "./example-anc-program.fixture";
import { lemtrada } from "./lemtrada";
import {
  createProgramRegistry,
  getProgramDefinition,
  getProgramDefinitionByNdc,
  listProgramDefinitions,
} from "./registry";
import { defineProgram } from "./schema";

describe("programme registry", () => {
  it("finds LEMTRADA by its code", () => {
    expect(getProgramDefinition("LEMTRADA")).toBe(lemtrada);
  });

  it("answers undefined for an unknown code (codes are exact)", () => {
    expect(getProgramDefinition("CLOZAPINE")).toBeUndefined();
    expect(getProgramDefinition("lemtrada")).toBeUndefined();
    expect(getProgramDefinition("")).toBeUndefined();
  });

  it("lists only LEMTRADA for now", () => {
    expect(listProgramDefinitions().map((d) => d.code)).toEqual(["LEMTRADA"]);
  });

  it("finds the programme of an NDC", () => {
    expect(getProgramDefinitionByNdc("58468-0200-01")).toBe(lemtrada);
    expect(getProgramDefinitionByNdc("58468-0200-02")).toBeUndefined();
    expect(getProgramDefinitionByNdc("58468020001")).toBeUndefined();
  });

  it("holds several programmes side by side", () => {
    const anc = defineProgram(makeAncProgramInput());
    const registry = createProgramRegistry([lemtrada, anc]);
    expect(registry.get("ANC_EXAMPLE")).toBe(anc);
    expect(registry.get("LEMTRADA")).toBe(lemtrada);
    expect(registry.getByNdc("12345-6789-02")).toBe(anc);
    expect(registry.list().map((d) => d.code)).toEqual(["LEMTRADA", "ANC_EXAMPLE"]);
  });

  it("refuses two programmes with one code or one NDC", () => {
    const anc = defineProgram(makeAncProgramInput());
    expect(() => createProgramRegistry([anc, anc])).toThrow("Two programme definitions use the code ANC_EXAMPLE");
    const sameNdc = defineProgram({ ...makeAncProgramInput(), code: "OTHER", ndcs: ["12345-6789-02"] });
    expect(() => createProgramRegistry([anc, sameNdc])).toThrow("NDC 12345-6789-02 is in both ANC_EXAMPLE and OTHER");
  });
});
