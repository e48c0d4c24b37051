import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deriveTotpKey } from "../auth/mfa-rules";
import type { ChainHead } from "./chain";
import {
  type AnchorFields,
  anchorSignatureValid,
  type CheckpointFields,
  chainHeadsRoot,
  checkpointMessage,
  checkpointOverHeads,
  checkpointSignatureValid,
  deriveCheckpointKey,
  signAnchor,
  signCheckpoint,
} from "./checkpoint-signature";

const key = deriveCheckpointKey("a-test-secret-of-reasonable-length");
const heads: ChainHead[] = [
  { chain: 0, seq: 1200n, hash: "0a".repeat(32) },
  { chain: 3, seq: 1234n, hash: "3b".repeat(32) },
  { chain: 9, seq: 1190n, hash: "9c".repeat(32) },
];
const fields: CheckpointFields = {
  ...checkpointOverHeads(heads),
  verifiedAt: new Date("2026-11-30T06:00:00.000Z"),
  writtenBy: "job",
};

describe("the root of the chain heads", () => {
  it("names the newest head's seq and hashes every head, whatever their order", () => {
    expect(checkpointOverHeads(heads).seq).toBe(1234n);
    expect(chainHeadsRoot([...heads].reverse())).toBe(chainHeadsRoot(heads));
    expect(chainHeadsRoot(heads)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, ChainHead[]]>([
    ["a head's seq", heads.map((h) => (h.chain === 3 ? { ...h, seq: 1235n } : h))],
    ["a head's hash", heads.map((h) => (h.chain === 0 ? { ...h, hash: "ff".repeat(32) } : h))],
    ["a head's chain", heads.map((h) => (h.chain === 9 ? { ...h, chain: 8 } : h))],
    ["a head removed", heads.slice(1)],
    ["a head added", [...heads, { chain: 12, seq: 5n, hash: "12".repeat(32) }]],
  ])("changes with %s", (_name, changed) => {
    expect(chainHeadsRoot(changed)).not.toBe(chainHeadsRoot(heads));
  });
});

describe("checkpoint signatures", () => {
  it("verifies the fields and heads it was made for", () => {
    const signature = signCheckpoint(key, fields);
    expect(signature).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(checkpointSignatureValid(key, fields, signature, heads)).toBe(true);
  });

  it("refuses heads that are not the ones the signed root was made from", () => {
    const signature = signCheckpoint(key, fields);
    const moved = heads.map((h) => (h.chain === 0 ? { ...h, seq: 1201n } : h));
    expect(checkpointSignatureValid(key, fields, signature, moved)).toBe(false);
    expect(checkpointSignatureValid(key, fields, signature, null)).toBe(false);
    expect(checkpointSignatureValid(key, fields, signature, [])).toBe(false);
    // Heads whose root matches but whose newest seq is not the signed one.
    const lower = heads.filter((h) => h.chain !== 3);
    const lowerFields = { ...fields, hash: chainHeadsRoot(lower) };
    expect(checkpointSignatureValid(key, lowerFields, signCheckpoint(key, lowerFields), lower)).toBe(false);
  });

  it("verifies a checkpoint signed before chains (v1: one chain, no heads) and only without heads", () => {
    const single: CheckpointFields = { ...fields, seq: 1234n, hash: "a".repeat(64) };
    const v1 = `v1:${createHmac("sha256", key).update(checkpointMessage(single, "v1"), "utf8").digest("hex")}`;
    expect(checkpointSignatureValid(key, single, v1)).toBe(true);
    expect(checkpointSignatureValid(key, single, v1, [{ chain: 0, seq: 1234n, hash: "a".repeat(64) }])).toBe(false);
    expect(checkpointSignatureValid(key, { ...single, seq: 1235n }, v1)).toBe(false);
    // A v2 signature is not a v1 one with another prefix.
    expect(checkpointSignatureValid(key, single, v1.replace(/^v1:/, "v2:"), heads)).toBe(false);
  });

  it.each<[string, Partial<CheckpointFields>]>([
    ["seq", { seq: 1235n }],
    ["hash", { hash: "b".repeat(64) }],
    ["verifiedAt", { verifiedAt: new Date("2026-11-30T06:00:00.001Z") }],
    ["writtenBy", { writtenBy: "admin:someone" }],
  ])("refuses a checkpoint whose %s was changed after signing", (_name, change) => {
    const signature = signCheckpoint(key, fields);
    expect(checkpointSignatureValid(key, { ...fields, ...change }, signature, heads)).toBe(false);
  });

  it("refuses a signature made with another secret, and one that is not a signature at all", () => {
    const other = deriveCheckpointKey("another-secret-entirely-000000000");
    expect(checkpointSignatureValid(key, fields, signCheckpoint(other, fields), heads)).toBe(false);
    expect(checkpointSignatureValid(key, fields, "", heads)).toBe(false);
    expect(checkpointSignatureValid(key, fields, "v1:zz")).toBe(false);
    expect(checkpointSignatureValid(key, fields, "v2:zz", heads)).toBe(false);
  });

  it("does not let one field spill into the next", () => {
    const a = signCheckpoint(key, { ...fields, writtenBy: "job" });
    const shifted = { ...fields, hash: `${fields.hash}\n2026`, writtenBy: "job" };
    expect(checkpointSignatureValid(key, shifted, a, heads)).toBe(false);
    expect(checkpointSignatureValid(key, { ...fields, writtenBy: "job\nx" }, signCheckpoint(key, fields), heads)).toBe(
      false,
    );
  });

  it("derives a different key than the one sealing TOTP secrets, and the same key every time", () => {
    expect(deriveCheckpointKey("s").equals(deriveCheckpointKey("s"))).toBe(true);
    expect(deriveCheckpointKey("s").equals(deriveCheckpointKey("t"))).toBe(false);
    expect(deriveCheckpointKey("s")).toHaveLength(32);
    expect(deriveCheckpointKey("s").equals(deriveTotpKey("s"))).toBe(false);
  });
});

describe("retention anchor signatures", () => {
  const anchor: AnchorFields = {
    chain: 3,
    seq: 1234n,
    hash: "3b".repeat(32),
    before: new Date("2025-01-01T00:00:00.000Z"),
    writtenAt: new Date("2026-11-30T06:00:00.000Z"),
    writtenBy: "retention",
  };

  it("verify with the key that signed them", () => {
    expect(anchorSignatureValid(key, anchor, signAnchor(key, anchor))).toBe(true);
  });

  it.each<[string, Partial<AnchorFields>]>([
    ["chain", { chain: 4 }],
    ["seq", { seq: 1235n }],
    ["hash", { hash: "ff".repeat(32) }],
    ["horizon", { before: new Date("2025-02-01T00:00:00.000Z") }],
    ["time written", { writtenAt: new Date("2026-11-30T06:00:00.001Z") }],
    ["writer", { writtenBy: "admin" }],
  ])("do not verify once the %s changed", (_name, change) => {
    expect(anchorSignatureValid(key, { ...anchor, ...change }, signAnchor(key, anchor))).toBe(false);
  });

  it("do not verify with another key, nor as a checkpoint's signature", () => {
    expect(
      anchorSignatureValid(deriveCheckpointKey("another-secret-of-reasonable-length"), anchor, signAnchor(key, anchor)),
    ).toBe(false);
    const asCheckpoint = signCheckpoint(key, {
      seq: anchor.seq,
      hash: anchor.hash,
      verifiedAt: anchor.writtenAt,
      writtenBy: anchor.writtenBy,
    });
    expect(anchorSignatureValid(key, anchor, asCheckpoint)).toBe(false);
    expect(
      anchorSignatureValid(key, { ...anchor, writtenBy: "a\nb" }, signAnchor(key, { ...anchor, writtenBy: "a\nb" })),
    ).toBe(false);
  });
});
