import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PGLITE_DIR, describeDatabase, resolveDatabaseConfig } from "./config";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("resolveDatabaseConfig", () => {
  it.each(["", "   "])("uses the default PGlite directory for %j", (url) => {
    expect(resolveDatabaseConfig(url)).toEqual({ kind: "pglite", dir: path.resolve(DEFAULT_PGLITE_DIR) });
  });

  it("reads DATABASE_URL when no URL is passed, and defaults to PGlite when it is unset", () => {
    vi.stubEnv("DATABASE_URL", "postgresql://app@db.internal:5432/remsgate");
    expect(resolveDatabaseConfig()).toEqual({ kind: "postgres", url: "postgresql://app@db.internal:5432/remsgate" });
    vi.stubEnv("DATABASE_URL", undefined);
    expect(resolveDatabaseConfig()).toEqual({ kind: "pglite", dir: path.resolve(DEFAULT_PGLITE_DIR) });
  });

  it.each([
    "postgresql://postgres@127.0.0.1:5432/remsgate_test",
    "postgres://u:p@db.example.com/remsgate?sslmode=require",
  ])("treats %s as PostgreSQL, keeping the URL as given", (url) => {
    expect(resolveDatabaseConfig(url)).toEqual({ kind: "postgres", url });
  });

  it("trims surrounding whitespace (a common .env mistake)", () => {
    expect(resolveDatabaseConfig("  postgresql://h/db \n")).toEqual({ kind: "postgres", url: "postgresql://h/db" });
  });

  it("resolves a pglite: directory against the working directory", () => {
    expect(resolveDatabaseConfig("pglite:./.data/mine")).toEqual({ kind: "pglite", dir: path.resolve(".data/mine") });
    expect(resolveDatabaseConfig("pglite:/var/lib/remsgate")).toEqual({ kind: "pglite", dir: "/var/lib/remsgate" });
  });

  it("uses the default directory for a bare pglite:", () => {
    expect(resolveDatabaseConfig("pglite:")).toEqual({ kind: "pglite", dir: path.resolve(DEFAULT_PGLITE_DIR) });
  });

  it("gives an in-memory database for pglite:memory", () => {
    expect(resolveDatabaseConfig("pglite:memory")).toEqual({ kind: "pglite", dir: "memory://" });
  });

  it.each(["mysql://root:hunter2@db/remsgate", "file:./dev.db", "sqlite:x", "localhost:5432"])(
    "refuses %s, naming only the scheme (never the credentials)",
    (url) => {
      expect(() => resolveDatabaseConfig(url)).toThrow(/DATABASE_URL must start with postgresql:\/\/ .* or pglite:/);
      expect(() => resolveDatabaseConfig(url)).not.toThrow(/hunter2/);
    },
  );
});

describe("describeDatabase", () => {
  it("names the host, port and database without the credentials", () => {
    const text = describeDatabase({ kind: "postgres", url: "postgresql://app:s3cret@db.example.com:6543/remsgate" });
    expect(text).toBe("PostgreSQL db.example.com:6543/remsgate");
    expect(text).not.toContain("s3cret");
  });

  it("defaults the port to 5432", () => {
    expect(describeDatabase({ kind: "postgres", url: "postgresql://db.example.com/remsgate" })).toBe(
      "PostgreSQL db.example.com:5432/remsgate",
    );
  });

  it("names the PGlite directory", () => {
    expect(describeDatabase({ kind: "pglite", dir: "/data/pglite" })).toBe("embedded PGlite (/data/pglite)");
  });
});
