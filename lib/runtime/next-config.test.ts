import path from "node:path";
import type { NextConfig } from "next";
import loadConfig from "next/dist/server/config";
import { PHASE_PRODUCTION_SERVER } from "next/dist/shared/lib/constants";
import { describe, expect, it } from "vitest";
import { EVERY_ANSWER_HEADERS, NO_SCRIPT_CONTENT_SECURITY_POLICY } from "../http/security-headers";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("next.config.mts", () => {
  // A Node.js without type stripping would not even look for a .mts file, and Next would run on its
  // defaults without a word: no security headers, packages bundled that must not be.
  it("is the file Next loads, on this Node.js, with its settings applied", async () => {
    expect((process.features as { typescript?: unknown }).typescript).toBeTruthy();
    const config = (await loadConfig(PHASE_PRODUCTION_SERVER, ROOT, { silent: true })) as NextConfig & {
      configFileName?: string;
    };
    expect(config.configFileName).toBe("next.config.mts");
    expect(config.poweredByHeader).toBe(false);
    expect(config.serverExternalPackages).toEqual(expect.arrayContaining(["pg", "@prisma/adapter-pg", "pino"]));
    const rules = (await config.headers?.()) ?? [];
    const everywhere = rules.find((rule) => rule.source === "/:path*");
    expect(everywhere?.headers).toEqual(EVERY_ANSWER_HEADERS);
    const api = rules.find((rule) => rule.source === "/api/:path*");
    expect(api?.headers).toEqual([{ key: "Content-Security-Policy", value: NO_SCRIPT_CONTENT_SECURITY_POLICY }]);
  });
});
