import { describe, expect, it } from "vitest";
import { deriveTotpKey } from "../auth/mfa-rules";
import {
  type CheckpointFields,
  checkpointSignatureValid,
  deriveCheckpointKey,
  signCheckpoint,
} from "./checkpoint-signature";

const key = deriveCheckpointKey("a-test-secret-of-reasonable-length");
const fields: CheckpointFields = {
  seq: 1234n,
  hash: "a".repeat(64),
  verifiedAt: new Date("2026-11-30T06:00:00.000Z"),
  writtenBy: "job",
};

describe("checkpoint signatures", () => {
  it("verifies the fields it was made for", () => {
    const signature = signCheckpoint(key, fields);
    expect(signature).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(checkpointSignatureValid(key, fields, signature)).toBe(true);
  });

  it.each<[string, Partial<CheckpointFields>]>([
    ["seq", { seq: 1235n }],
    ["hash", { hash: "b".repeat(64) }],
    ["verifiedAt", { verifiedAt: new Date("2026-11-30T06:00:00.001Z") }],
    ["writtenBy", { writtenBy: "admin:someone" }],
  ])("refuses a checkpoint whose %s was changed after signing", (_name, change) => {
    const signature = signCheckpoint(key, fields);
    expect(checkpointSignatureValid(key, { ...fields, ...change }, signature)).toBe(false);
  });

  it("refuses a signature made with another secret, and one that is not a signature at all", () => {
    const other = deriveCheckpointKey("another-secret-entirely-000000000");
    expect(checkpointSignatureValid(key, fields, signCheckpoint(other, fields))).toBe(false);
    expect(checkpointSignatureValid(key, fields, "")).toBe(false);
    expect(checkpointSignatureValid(key, fields, "v1:zz")).toBe(false);
  });

  it("does not let one field spill into the next", () => {
    const a = signCheckpoint(key, { ...fields, writtenBy: "job" });
    const shifted = { ...fields, hash: `${fields.hash}\n2026`, writtenBy: "job" };
    expect(checkpointSignatureValid(key, shifted, a)).toBe(false);
    expect(checkpointSignatureValid(key, { ...fields, writtenBy: "job\nx" }, signCheckpoint(key, fields))).toBe(false);
  });

  it("derives a different key than the one sealing TOTP secrets, and the same key every time", () => {
    expect(deriveCheckpointKey("s").equals(deriveCheckpointKey("s"))).toBe(true);
    expect(deriveCheckpointKey("s").equals(deriveCheckpointKey("t"))).toBe(false);
    expect(deriveCheckpointKey("s")).toHaveLength(32);
    expect(deriveCheckpointKey("s").equals(deriveTotpKey("s"))).toBe(false);
  });
});
