import { describe, expect, it } from "vitest";
import { lemtrada } from "../programs/lemtrada";
import { ZNonCompliance } from "../programs/schema";

/** The programme definition's nonCompliance section, as its zod schema holds it. */
describe("ZNonCompliance", () => {
  const caseTypes = [{ code: "OTHER", label: "Other", appliesTo: ["prescriber"] }];

  it("accepts LEMTRADA's section, whose case types cover every stakeholder kind", () => {
    const section = lemtrada.nonCompliance;
    expect(ZNonCompliance.safeParse(section).success).toBe(true);
    const kinds = new Set(section?.caseTypes.flatMap((t) => t.appliesTo));
    expect([...kinds].sort()).toEqual(["healthcareSetting", "patient", "pharmacy", "prescriber"]);
  });

  it("refuses a ladder out of order, a repeated measure, a plan without days and days on another measure", () => {
    const problems = (ladder: unknown) =>
      ZNonCompliance.safeParse({ caseTypes, ladder }).error?.issues.map((i) => i.message) ?? [];
    expect(
      problems([
        { measure: "SUSPEND", label: "S" },
        { measure: "NOTICE", label: "N" },
      ]),
    ).toEqual(["The ladder goes from the mildest measure to the strictest"]);
    expect(
      problems([
        { measure: "NOTICE", label: "N" },
        { measure: "NOTICE", label: "N2" },
      ]),
    ).toContain('Duplicate measure "NOTICE"');
    expect(problems([{ measure: "CORRECTIVE_ACTION", label: "P" }])).toEqual([
      "A corrective action plan needs a number of days to complete it",
    ]);
    expect(problems([{ measure: "NOTICE", label: "N", dueDays: 5 }])).toEqual([
      "Only a corrective action plan has a due date",
    ]);
    expect(problems([])).not.toEqual([]);
  });

  it("refuses repeated case type codes and unknown stakeholder kinds", () => {
    const ladder = [{ measure: "NOTICE", label: "N" }];
    const repeated = ZNonCompliance.safeParse({
      caseTypes: [...caseTypes, { code: "OTHER", label: "Again", appliesTo: ["pharmacy"] }],
      ladder,
    });
    expect(repeated.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["caseTypes.1.code", 'Duplicate case type "OTHER"'],
    ]);
    const unknown = ZNonCompliance.safeParse({
      caseTypes: [{ code: "OTHER", label: "Other", appliesTo: ["wholesaler"] }],
      ladder,
    });
    expect(unknown.error?.issues.map((i) => i.path.join("."))).toEqual(["caseTypes.0.appliesTo.0"]);
  });
});
