import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_ARGS, serverCommandArgs } from "./server-node-args";

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
