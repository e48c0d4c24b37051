import { describe, expect, it } from "vitest";
import { walkStart } from "./anchors";
import type { ChainHead } from "./chain";

const head = (chain: number, seq: bigint, hash = `h${chain}-${seq}`): ChainHead => ({ chain, seq, hash });

describe("where each chain's walk starts", () => {
  it("is the checkpoint's head when no anchor is later, and that head must still be there", () => {
    const start = walkStart([head(1, 50n), head(2, 60n)], [head(1, 10n)]);
    expect(start).toEqual({
      after: [head(1, 50n), head(2, 60n)],
      toCheck: [head(1, 50n), head(2, 60n)],
      conflict: null,
    });
  });

  it("is the anchor when retention removed the checkpoint's head or more, and the anchor is not re-read", () => {
    const start = walkStart([head(1, 50n), head(2, 60n)], [head(1, 70n), head(2, 60n), head(3, 5n)]);
    expect(start).toEqual({ after: [head(1, 70n), head(2, 60n), head(3, 5n)], toCheck: [], conflict: null });
  });

  it("names a checkpoint head and an anchor at the same event that disagree on its hash", () => {
    expect(walkStart([head(2, 60n, "a")], [head(2, 60n, "b")]).conflict).toBe(60n);
  });

  it("is every chain's genesis with neither", () => {
    expect(walkStart([], [])).toEqual({ after: [], toCheck: [], conflict: null });
  });
});
