import type { NextConfig } from "next";
import { EVERY_ANSWER_HEADERS, NO_SCRIPT_CONTENT_SECURITY_POLICY } from "./lib/http/security-headers.ts";

/*
 * A .mts file, which Node.js loads itself (type stripping), not next.config.ts: Next transpiles a
 * next.config.ts with its SWC compiler, and loading that compiler cost every production server about
 * 50 MB of memory for as long as it ran (docs/benchmarks.md, "Memory"). Only erasable TypeScript
 * here and in what it imports (no enums, namespaces or parameter properties); imports name their
 * .ts file. lib/runtime/next-config.test.ts checks that Next finds and applies this file.
 */

/**
 * The routes proxy.ts does not run for (it gives pages their per-request nonce policy): the JSON
 * API, the CDS Hooks and FHIR endpoints, the lab import and its CSV report, static files and the favicon. None of them may run a
 * script. HSTS depends on how the registry is reached, so scripts/serve.ts sets it at run time.
 */
const NO_PROXY_ROUTES = [
  "/api/:path*",
  "/cds-services",
  "/cds-services/:path*",
  "/fhir/:path*",
  "/prescriber/labs/imports",
  "/prescriber/labs/imports/:path*",
  "/_next/static/:path*",
  "/_next/image",
  "/favicon.ico",
];

const nextConfig: NextConfig = {
  // Separate build folders let several checkouts' test servers build side by side.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  poweredByHeader: false,
  // Packages with native binaries or wasm files loaded from their own folder stay outside the bundle.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "@prisma/schema-engine-wasm",
    "@node-rs/argon2",
    "@zxcvbn-ts/language-common",
    "pg",
    "pg-copy-streams",
    "pino",
  ],
  experimental: {
    // forbidden() renders app/forbidden.tsx with status 403.
    authInterrupts: true,
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [...EVERY_ANSWER_HEADERS],
      },
      ...NO_PROXY_ROUTES.map((source) => ({
        source,
        headers: [{ key: "Content-Security-Policy", value: NO_SCRIPT_CONTENT_SECURITY_POLICY }],
      })),
    ];
  },
};

export default nextConfig;
