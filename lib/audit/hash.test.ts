import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AuditContent, auditHash, canonicalJson, chainGenesisHash, GENESIS_HASH, sha256Hex, toJson } from "./hash";

const content: AuditContent = {
  at: "2026-11-25T10:00:00.000Z",
  actorId: "4b6f0f7e-2d5c-4a57-9d0c-000000000001",
  actorRole: "ADMIN",
  action: "enrollment.approved",
  entityType: "Enrollment",
  entityId: "4b6f0f7e-2d5c-4a57-9d0c-000000000002",
  before: { status: "SUBMITTED" },
  after: { status: "CERTIFIED", certificationNumber: "LEM-P-000123" },
  requestId: "req-1",
};

describe("canonicalJson", () => {
  it("does not depend on key order, at any depth", () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } };
    const b = { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it("keeps array order (it is meaningful)", () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it("drops undefined members and maps undefined to null", () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson(null)).toBe("null");
  });

  it("escapes keys and strings as JSON does", () => {
    expect(canonicalJson({ 'q"k': 'line\n"x"' })).toBe('{"q\\"k":"line\\n\\"x\\""}');
  });

  it("is valid JSON that parses back to an equal value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("is stable under a JSON round trip (what jsonb storage does to a value)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalJson(value);
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(once);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
    );
  });

  it("is the same for an object and any reordering of its keys", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });
});

describe("toJson", () => {
  it("turns Dates into ISO strings, BigInts into strings and drops undefined members", () => {
    const at = new Date("2026-01-02T03:04:05.006Z");
    expect(toJson({ at, n: 12n, gone: undefined, nested: [at] })).toEqual({
      at: "2026-01-02T03:04:05.006Z",
      n: "12",
      nested: ["2026-01-02T03:04:05.006Z"],
    });
  });

  it("maps undefined to null", () => {
    expect(toJson(undefined)).toBeNull();
  });
});

describe("auditHash", () => {
  it("is a SHA-256 over the previous hash and the canonical content", () => {
    const h = auditHash(GENESIS_HASH, content);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).toBe(sha256Hex(`${GENESIS_HASH}\n${canonicalJson(content)}`));
    expect(GENESIS_HASH).toBe("0".repeat(64));
  });

  it("does not depend on the key order of the before/after documents", () => {
    const reordered = { ...content, after: { certificationNumber: "LEM-P-000123", status: "CERTIFIED" } };
    expect(auditHash(GENESIS_HASH, reordered)).toBe(auditHash(GENESIS_HASH, content));
  });

  it("changes when the previous hash changes", () => {
    const other = sha256Hex("another row");
    expect(auditHash(other, content)).not.toBe(auditHash(GENESIS_HASH, content));
  });

  const altered: [keyof AuditContent, unknown][] = [
    ["at", "2026-11-25T10:00:00.001Z"],
    ["actorId", null],
    ["actorRole", "PHARMACIST"],
    ["action", "enrollment.rejected"],
    ["entityType", "Patient"],
    ["entityId", "4b6f0f7e-2d5c-4a57-9d0c-000000000003"],
    ["before", { status: "DRAFT" }],
    ["after", { status: "CERTIFIED", certificationNumber: "LEM-P-000124" }],
    ["requestId", null],
  ];
  it.each(altered)("changes when %s changes", (field, value) => {
    expect(auditHash(GENESIS_HASH, { ...content, [field]: value })).not.toBe(auditHash(GENESIS_HASH, content));
  });

  it("changes for any change of the action text", () => {
    fc.assert(
      fc.property(fc.string(), (action) => {
        fc.pre(action !== content.action);
        expect(auditHash(GENESIS_HASH, { ...content, action })).not.toBe(auditHash(GENESIS_HASH, content));
      }),
    );
  });
});

describe("chainGenesisHash", () => {
  it("is the one chain's old genesis for chain 0 and distinct for every other chain", () => {
    expect(chainGenesisHash(0)).toBe(GENESIS_HASH);
    const all = Array.from({ length: 16 }, (_, chain) => chainGenesisHash(chain));
    expect(new Set(all).size).toBe(16);
    for (const hash of all) expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chainGenesisHash(15)).toBe(`${"0".repeat(63)}f`);
  });
});
