import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * WCAG 2.2 non-text contrast (1.4.11) for the focus indicator: at least 3:1 against every light
 * background the pages paint, computed from the CSS itself so a colour change cannot slip through.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const globals = readFileSync(path.join(ROOT, "app/globals.css"), "utf8");

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return cssFiles(full);
    return entry.name.endsWith(".css") ? [full] : [];
  });
}

const rootVars = new Map(
  [...globals.matchAll(/(--[a-z-]+):\s*(#[0-9a-f]{6})\b/gi)].map((m) => [m[1] ?? "", (m[2] ?? "").toLowerCase()]),
);

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Every background colour any stylesheet paints, with variables resolved. */
function backgrounds(): string[] {
  const found = new Set<string>();
  for (const file of [...cssFiles(path.join(ROOT, "app")), ...cssFiles(path.join(ROOT, "components"))]) {
    for (const m of readFileSync(file, "utf8").matchAll(/background(?:-color)?:\s*([^;]+);/g)) {
      const value = (m[1] ?? "").trim();
      const v = /^var\((--[a-z-]+)\)$/.exec(value);
      const hex = v ? rootVars.get(v[1] ?? "") : /^#[0-9a-f]{6}$/i.test(value) ? value.toLowerCase() : undefined;
      if (hex) found.add(hex);
      if (value === "#fff") found.add("#ffffff");
    }
  }
  return [...found];
}

describe("focus indicator contrast", () => {
  it("computes WCAG contrast ratios correctly", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#7fb2ff", "#ffffff")).toBeLessThan(3); // the old ring: about 2.2:1
  });

  it("draws every focus ring with --focus", () => {
    expect(globals).toMatch(/:focus-visible\s*\{\s*outline:\s*3px solid var\(--focus\)/);
    for (const file of [...cssFiles(path.join(ROOT, "app")), ...cssFiles(path.join(ROOT, "components"))]) {
      for (const m of readFileSync(file, "utf8").matchAll(/outline(?:-color)?:\s*([^;]+);/g)) {
        expect(m[1], file).toMatch(/var\(--focus\)|none|0/);
      }
    }
  });

  it("is at least 3:1 against white and every light background the pages use", () => {
    const focus = rootVars.get("--focus");
    expect(focus).toBeDefined();
    const light = backgrounds().filter((bg) => luminance(bg) > 0.5);
    expect(light).toEqual(expect.arrayContaining(["#ffffff", rootVars.get("--bg"), rootVars.get("--warn-bg")]));
    for (const bg of light) {
      expect(contrast(focus ?? "", bg), `focus ring on ${bg}`).toBeGreaterThanOrEqual(3);
    }
    expect(contrast(focus ?? "", "#ffffff")).toBeGreaterThanOrEqual(6.5);
  });
});
