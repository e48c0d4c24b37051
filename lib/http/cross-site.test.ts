import { describe, expect, it } from "vitest";
import { hasSessionCookie, isCrossSite, requestSource } from "./cross-site";

const APP = "https://registry.example.org";
const source = (
  origin: string | null,
  secFetchSite: string | null = null,
  host: string | null = "registry.example.org",
) => ({
  origin,
  secFetchSite,
  host,
});

describe("isCrossSite", () => {
  it.each([
    ["the app's own origin", source("https://registry.example.org")],
    ["the host the request was sent to", source("http://127.0.0.1:3231", null, "127.0.0.1:3231")],
    ["Sec-Fetch-Site same-origin", source(null, "same-origin")],
    ["Sec-Fetch-Site none (typed in the address bar)", source(null, "none")],
    ["no Origin and no Sec-Fetch-Site (not a browser page)", source(null)],
  ])("allows %s", (_, s) => {
    expect(isCrossSite(s, APP)).toBe(false);
  });

  it.each([
    ["another site", source("https://evil.example")],
    ["another site with same-origin claimed by the page's host", source("https://evil.example", "same-origin")],
    ["a look-alike host", source("https://registry.example.org.evil.example")],
    ["another port", source("https://registry.example.org:8443")],
    ["plain http for an https app on another host", source("http://registry.example.org", null, "other.example")],
    ["Origin: null", source("null")],
    ["an unparsable Origin", source("not a url")],
    ["Sec-Fetch-Site cross-site", source(null, "cross-site")],
    ["Sec-Fetch-Site same-site (a sibling subdomain)", source(null, "same-site")],
    ["Sec-Fetch-Site cross-site with our Origin", source("https://registry.example.org", "Cross-Site")],
    ["a foreign Origin when the Host is unknown", source("https://evil.example", null, null)],
  ])("refuses %s", (_, s) => {
    expect(isCrossSite(s, APP)).toBe(true);
  });
});

describe("hasSessionCookie", () => {
  it.each([
    ["authjs.session-token=abc", true],
    ["a=1; __Secure-authjs.session-token=abc", true],
    ["authjs.session-token.0=abc; authjs.session-token.1=def", true],
    ["authjs.csrf-token=abc", false],
    ["my-authjs.session-token-copy=abc", false],
    ["", false],
  ])("%j → %s", (cookie, expected) => {
    expect(hasSessionCookie(cookie)).toBe(expected);
  });
  it("no Cookie header", () => expect(hasSessionCookie(null)).toBe(false));
});

describe("requestSource", () => {
  it("believes X-Forwarded-Host only behind a trusted proxy", () => {
    const headers = new Headers({ host: "10.0.0.5:3000", "x-forwarded-host": "registry.example.org", origin: APP });
    expect(requestSource(headers, false).host).toBe("10.0.0.5:3000");
    expect(requestSource(headers, true).host).toBe("registry.example.org");
  });
});
