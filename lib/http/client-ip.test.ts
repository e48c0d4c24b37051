import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

describe("clientIp", () => {
  it("uses the address the server wrote into X-Real-IP", () => {
    expect(clientIp(new Headers({ "x-real-ip": "203.0.113.7" }))).toBe("203.0.113.7");
  });

  it("trims surrounding whitespace", () => {
    expect(clientIp(new Headers({ "x-real-ip": "  198.51.100.2 " }))).toBe("198.51.100.2");
  });

  it("never believes X-Forwarded-For, which any client can write", () => {
    const headers = new Headers({ "x-forwarded-for": "1.2.3.4, 5.6.7.8" });
    expect(clientIp(headers)).toBe("unknown");
    headers.set("x-real-ip", "192.0.2.10");
    expect(clientIp(headers)).toBe("192.0.2.10");
  });

  it("falls back to one shared bucket when no address is known", () => {
    expect(clientIp(new Headers())).toBe("unknown");
    expect(clientIp(new Headers({ "x-real-ip": "   " }))).toBe("unknown");
  });
});
