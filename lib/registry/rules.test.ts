import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { makeRemsId } from "../identifiers/rems-id";
import { buildRegistryQuery } from "./query";
import {
  type Cursor,
  decodeCursor,
  encodeCursor,
  likeContains,
  likePrefix,
  MAX_SEARCH_LENGTH,
  MAX_SEARCH_TERMS,
  REGISTRY_KINDS,
  REGISTRY_SORTS,
  searchProblem,
  searchTerms,
  sortKeyTypes,
} from "./rules";

const ID = "0b7f3c9e-2a41-4c1e-9d5e-3f0a6b8c1d2e";

describe("page cursors", () => {
  it("read back exactly what was written, for every list and sort", () => {
    for (const kind of REGISTRY_KINDS) {
      for (const sort of REGISTRY_SORTS) {
        const values = sortKeyTypes(kind, sort).map((t, i) =>
          t === "timestamp" ? "2026-11-30T06:01:02.345Z" : `o'brien-${i} "quoted" é`,
        );
        for (const back of [false, true]) {
          const cursor: Cursor = { sort, back, id: ID, values };
          expect(decodeCursor(encodeCursor(cursor), kind, sort)).toEqual(cursor);
        }
      }
    }
  });

  it("are refused when written for another sort or another list's key", () => {
    const byName = encodeCursor({ sort: "name", back: false, id: ID, values: ["a", "b"] });
    expect(decodeCursor(byName, "patients", "newest")).toBeNull();
    // An organisation's name key has one value, a person's two.
    expect(decodeCursor(byName, "pharmacies", "name")).toBeNull();
  });

  it("are refused, never thrown on, when they are garbage", () => {
    const garbage = [
      "",
      "!!!",
      "x".repeat(5000),
      Buffer.from("not json").toString("base64url"),
      Buffer.from("{}").toString("base64url"),
      Buffer.from(JSON.stringify(["name", 0, "not-a-uuid", "a", "b"])).toString("base64url"),
      Buffer.from(JSON.stringify(["name", 2, ID, "a", "b"])).toString("base64url"),
      Buffer.from(JSON.stringify(["name", 0, ID, "a\u0000", "b"])).toString("base64url"),
      Buffer.from(JSON.stringify(["name", 0, ID, "\ud800", "b"])).toString("base64url"),
      Buffer.from(JSON.stringify(["name", 0, ID, 1, 2])).toString("base64url"),
      Buffer.from(JSON.stringify(["newest", 0, ID, "yesterday"])).toString("base64url"),
      Buffer.from(JSON.stringify(["newest", 0, ID, "2026-02-31T00:00:00.000Z"])).toString("base64url"),
    ];
    for (const raw of garbage) {
      expect(decodeCursor(raw, "patients", raw.length > 100 ? "name" : "newest"), raw.slice(0, 40)).toBeNull();
      expect(decodeCursor(raw, "patients", "name"), raw.slice(0, 40)).toBeNull();
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        const result = decodeCursor(raw, "prescribers", "name");
        expect(result === null || result.sort === "name").toBe(true);
      }),
    );
  });
});

describe("search terms", () => {
  it("classify e-mail addresses, REMS ids, numbers and names", () => {
    const remsId = makeRemsId("PT", "12AB34CD");
    expect(searchTerms(`  Jordan  ${remsId.toLowerCase().replace(/-/g, "")} 1234567893 ADA@Example.org `)).toEqual([
      { kind: "text", value: "jordan" },
      { kind: "remsId", value: remsId },
      { kind: "number", value: "1234567893" },
      { kind: "email", value: "ada@example.org" },
    ]);
  });

  it("match a word without digits that reads as an id also as a name", () => {
    // An 11-letter surname folds to an id shape (I → 1): it is searched as both.
    expect(searchTerms("Christensen")).toEqual([{ kind: "remsId", value: "CH-R1ST-ENSE-N", text: "christensen" }]);
    const lettersOnly = ["ABCDEFGH", "BCDEFGHJ", "CDEFGHJK", "DEFGHJKM", "EFGHJKMN"]
      .map((body) => makeRemsId("PT", body))
      .find((id) => !/\d/.test(id));
    expect(lettersOnly).toBeDefined();
    expect(searchTerms(lettersOnly ?? "")).toEqual([
      { kind: "remsId", value: lettersOnly, text: (lettersOnly ?? "").toLowerCase() },
    ]);
  });

  it(`use at most ${MAX_SEARCH_TERMS} words`, () => {
    expect(searchTerms("a b c d e f g h")).toHaveLength(MAX_SEARCH_TERMS);
  });

  it("refuse text no field can hold, and text that is too long", () => {
    expect(searchProblem("Franklin")).toBeNull();
    expect(searchProblem("a\u0000b")).toMatch(/NUL/);
    expect(searchProblem("a\ud800b")).toMatch(/surrogate/);
    expect(searchProblem("x".repeat(MAX_SEARCH_LENGTH + 1))).toMatch(/at most 100/);
  });

  it("make %, _ and \\ literal in LIKE patterns", () => {
    expect(likePrefix("50%_a\\b")).toBe("50\\%\\_a\\\\b%");
    expect(likeContains("_")).toBe("%\\_%");
  });
});

describe("the list query", () => {
  it("passes every value as a parameter, never in the SQL text", () => {
    const hostile = "o'brien%_\\; DROP TABLE";
    const { text, values } = buildRegistryQuery({
      kind: "patients",
      terms: searchTerms(hostile),
      sort: "name",
      cursor: { sort: "name", back: false, id: ID, values: ["o'b", "x"] },
      status: "ENROLLED",
      state: "IL",
      limit: 25,
    });
    expect(text).not.toContain("o'b");
    expect(text).not.toContain("DROP");
    expect(values).toContain("o'brien\\%\\_\\\\;%");
    expect(text).toContain("LIMIT 26");
  });

  it("breaks ties by id and flips the order when going back", () => {
    const forward = buildRegistryQuery({ kind: "pharmacies", terms: [], sort: "newest", cursor: null, limit: 10 });
    expect(forward.text).toMatch(/ORDER BY s\."createdAt" DESC, s\."id" DESC/);
    const back = buildRegistryQuery({
      kind: "pharmacies",
      terms: [],
      sort: "newest",
      cursor: { sort: "newest", back: true, id: ID, values: ["2026-11-30T06:01:02.345Z"] },
      limit: 10,
    });
    expect(back.text).toMatch(/ORDER BY s\."createdAt" ASC, s\."id" ASC/);
    expect(back.text).toMatch(/\(s\."createdAt", s\."id"\) > \(\$1::timestamptz, \$2::uuid\)/);
  });
});
