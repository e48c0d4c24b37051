import { describe, expect, it } from "vitest";
import { etagOf, matchesIfNoneMatch } from "./etag";

describe("etagOf / matchesIfNoneMatch", () => {
  it("gives the same strong tag for the same bytes and another for any change", () => {
    const a = etagOf('{"certified":true}');
    expect(a).toBe(etagOf('{"certified":true}'));
    expect(a).not.toBe(etagOf('{"certified":false}'));
    expect(a).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
  });

  it("matches a listed, weak or wildcard validator and nothing else", () => {
    const tag = etagOf("x");
    expect(matchesIfNoneMatch(tag, tag)).toBe(true);
    expect(matchesIfNoneMatch(`"a", ${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch(`W/${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch("*", tag)).toBe(true);
    expect(matchesIfNoneMatch(null, tag)).toBe(false);
    expect(matchesIfNoneMatch('"a", "b"', tag)).toBe(false);
    expect(matchesIfNoneMatch(tag.slice(0, -2), tag)).toBe(false);
  });
});
