import { describe, expect, it } from "vitest";
import { buildStartMessage, elapsedText, heartbeat } from "./progress";

describe("demo build progress", () => {
  it("says on the first run that the build takes a few minutes", () => {
    expect(buildStartMessage(true)).toBe("Building the app (first run only, a few minutes on a small machine)…");
    expect(buildStartMessage(false)).toMatch(/^Rebuilding the app/);
  });

  it("writes elapsed time in minutes and seconds", () => {
    expect(elapsedText(45_400)).toBe("45 s");
    expect(elapsedText(65_000)).toBe("1 min 05 s");
    expect(elapsedText(-5)).toBe("0 s");
  });

  it("fills only the build's silences", () => {
    const start = 1_000_000;
    expect(heartbeat(start, start + 10_000, start + 25_000)).toBeNull();
    expect(heartbeat(start, start + 10_000, start + 30_000)).toBe("  … still building (30 s so far)");
    expect(heartbeat(start, start, start + 125_000)).toBe("  … still building (2 min 05 s so far)");
  });
});
