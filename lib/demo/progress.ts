/*
 * What `npm run demo` says while it builds: the first build takes minutes on a small machine, and a
 * silent terminal for that long looks like a hang. Pure, so the wording and the timing are tested.
 */

/** The line printed before the build starts. */
export function buildStartMessage(firstRun: boolean): string {
  return firstRun
    ? "Building the app (first run only, a few minutes on a small machine)…"
    : "Rebuilding the app (the sources changed since the last build)…";
}

/** "45 s", "1 min 05 s". */
export function elapsedText(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return minutes === 0 ? `${seconds} s` : `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

/**
 * The progress line to print when the build has said nothing for `quietMs` (null while it talks):
 * the build's own output is forwarded, this only fills its long silences.
 */
export function heartbeat(startedAt: number, lastOutputAt: number, now: number, quietMs = 20_000): string | null {
  if (now - lastOutputAt < quietMs) return null;
  return `  … still building (${elapsedText(now - startedAt)} so far)`;
}
