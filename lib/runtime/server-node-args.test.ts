import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_ARGS, serverCommandArgs, unsupportedNodeReason } from "./server-node-args";

const root = path.resolve(__dirname, "../..");

describe("the production server's Node.js settings", () => {
  it("are the ones npm start uses", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`node ${serverCommandArgs().join(" ")}`);
  });

  it("are the ones the lab import benchmark runs with (the import runs inside the server)", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["bench:lab-import"]).toBe(
      `node --expose-gc ${serverCommandArgs("tests/bench/lab-import.ts").join(" ")}`,
    );
  });

  it("are the ones the container image runs with", () => {
    const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
    const cmd = dockerfile.split("\n").find((line) => line.startsWith("CMD "));
    expect(cmd).toContain(`exec node ${serverCommandArgs().join(" ")}"`);
  });

  it("bound both generations of the heap", () => {
    expect(SERVER_NODE_ARGS.some((a) => /^--max-semi-space-size=\d+$/.test(a))).toBe(true);
    expect(SERVER_NODE_ARGS.some((a) => /^--max-old-space-size=\d+$/.test(a))).toBe(true);
  });
});

describe("unsupportedNodeReason", () => {
  it("accepts Node.js 24 that strips types, and says why anything else cannot run the registry", () => {
    expect(unsupportedNodeReason("24.22.3", "strip")).toBeNull();
    expect(unsupportedNodeReason("20.20.0", undefined)).toMatch(/needs Node\.js 24 \(this is Node\.js 20\.20\.0\)/);
    expect(unsupportedNodeReason("24.1.0", false)).toMatch(/type stripping turned off/);
    // The Node.js running the tests is one the registry runs on.
    expect(unsupportedNodeReason()).toBeNull();
  });
});
