import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentMatches, signatureVerdict } from "./verify";

const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("contentMatches / signatureVerdict", () => {
  it("any one changed character breaks the match", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(), (content, n) => {
        const at = n % content.length;
        const changed = content.slice(0, at) + String.fromCharCode(content.charCodeAt(at) ^ 1) + content.slice(at + 1);
        expect(contentMatches(content, sha(content))).toBe(true);
        expect(contentMatches(changed, sha(content))).toBe(false);
      }),
    );
  });

  it("verified only when the trail's content and recorded hash both match the signature", () => {
    const content = '{"form":{"npi":"1234567893"}}';
    const stored = { contentSha256: sha(content) };
    expect(signatureVerdict(stored, { signedContent: content, contentSha256: sha(content) })).toBe("verified");
    expect(signatureVerdict(stored, { signedContent: content, contentSha256: sha("other") })).toBe("mismatch");
    expect(signatureVerdict({ contentSha256: sha("other") }, { signedContent: content, contentSha256: null })).toBe(
      "mismatch",
    );
    expect(signatureVerdict(stored, { signedContent: 42, contentSha256: null })).toBe("missing");
    expect(signatureVerdict(stored, null)).toBe("missing");
  });
});
