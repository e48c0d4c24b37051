import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import { reportsSeriousAdverseEvent } from "./schema";

const form = lemtrada.monitoring?.statusForm?.form;
if (!form) throw new Error("LEMTRADA has a status form");

describe("reportsSeriousAdverseEvent", () => {
  const none = {
    labsUpToDate: "no",
    newAutoimmuneCondition: "no",
    seriousInfection: "no",
    malignancy: "no",
    pregnancy: "no",
  };

  it("is false when every serious-event question is answered no (labs not done is not an adverse event)", () => {
    expect(reportsSeriousAdverseEvent(form, none)).toBe(false);
  });

  it.each(["newAutoimmuneCondition", "seriousInfection", "malignancy", "pregnancy"])("is true for %s = yes", (id) => {
    expect(reportsSeriousAdverseEvent(form, { ...none, [id]: "yes" })).toBe(true);
  });
});
