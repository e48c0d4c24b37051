import { describe, expect, it } from "vitest";
import { checkRegistryRow, naturalKeys } from "./rules";
import { firstNonUtf8Line } from "./service";

const TODAY = "2026-06-15";

describe("checkRegistryRow", () => {
  it("accepts a valid prescriber and normalises it", () => {
    const check = checkRegistryRow("prescribers", ["1234567893", " Ada ", "Lovelace", "MD", "", "ny", ""], TODAY);
    expect(check).toEqual({
      ok: true,
      row: {
        npi: "1234567893",
        firstName: "Ada",
        lastName: "Lovelace",
        credentials: "MD",
        specialty: null,
        state: "NY",
        email: null,
      },
    });
    if (check.ok) expect(naturalKeys("prescribers", check.row)).toEqual(["npi 1234567893"]);
  });

  it("gives every reason a row is refused", () => {
    const check = checkRegistryRow("prescribers", ["1234567890", "", "Lovelace", "MD", "", "New York", "x"], TODAY);
    expect(check).toEqual({
      ok: false,
      reasons: [
        "npi 1234567890 has a wrong check digit",
        "first_name is missing",
        'state "NEW YORK" is not a 2-letter state code',
        'email "x" is not an e-mail address',
      ],
    });
  });

  it("refuses impossible and future dates, unknown statuses and a wrong column count", () => {
    const patient = (dob: string) =>
      checkRegistryRow("patients", ["", "A", "B", dob, "F", "CA", "1234567893", ""], TODAY);
    expect(patient("2025-02-30")).toEqual({
      ok: false,
      reasons: ["rems_id is missing", 'date_of_birth "2025-02-30" is not a real date (YYYY-MM-DD)'],
    });
    expect(patient("2026-06-16")).toMatchObject({
      ok: false,
      reasons: expect.arrayContaining(["date_of_birth 2026-06-16 is in the future"]),
    });
    const cert = checkRegistryRow(
      "certifications",
      ["LEMTRADA", "PRESCRIBER", "1234567893", "ACTIVE", "", "2024-01-01", ""],
      TODAY,
    );
    expect(cert).toEqual({
      ok: false,
      reasons: [
        'unknown status "ACTIVE" (expected CERTIFIED, SUSPENDED, DECERTIFIED, EXPIRED)',
        "certification_number is missing",
      ],
    });
    expect(checkRegistryRow("labs", ["a", "b"], TODAY)).toEqual({
      ok: false,
      reasons: ["expected 6 columns, found 2"],
    });
  });
});

describe("firstNonUtf8Line", () => {
  it("names the first line holding bytes that are not UTF-8", () => {
    expect(firstNonUtf8Line(Buffer.from("a,b\nZoé,c\n", "utf8"))).toBeNull();
    const mixed = Buffer.concat([Buffer.from("a,b\nx,y\n", "utf8"), Buffer.from("Zoé,c\n", "latin1")]);
    expect(firstNonUtf8Line(mixed)).toBe(3);
  });
});
