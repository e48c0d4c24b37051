/**
 * How Node.js runs the production server (scripts/serve.ts), wherever it is started: `npm start`,
 * the Dockerfile, the demo, the cluster, the end-to-end server, the benchmarks and the lab import
 * benchmark (the import runs inside the server). A unit test
 * (lib/runtime/server-node-args.test.ts) keeps package.json and the Dockerfile in step.
 *
 * The two V8 settings bound the server's memory under load. Left to its defaults on a machine with
 * many gigabytes, V8 gives the young generation 128 MB and lets the old generation fill with the
 * garbage of requests in flight without a full collection, so one instance's RSS climbed from
 * 180 MB idle to 470–600 MB within 20 s of 64 concurrent dispense requests (its live heap after a
 * full collection: about 85 MB). With a 16 MB semi-space and a 320 MB old-generation limit it
 * stays near 300 MB for a few tenths of a millisecond more CPU per request (docs/benchmarks.md).
 * 320 MB is well above what any request needs (the lab import streams, with its heap measured under
 * 160 MB); a deployer with a different memory budget changes it here.
 */
export const SERVER_NODE_ARGS: readonly string[] = ["--max-semi-space-size=16", "--max-old-space-size=320"];

/** The arguments after `node` that start the production server. */
export function serverCommandArgs(script = "scripts/serve.ts"): string[] {
  return [...SERVER_NODE_ARGS, "--import", "tsx", script];
}

/**
 * Why this Node.js cannot run the registry, or null. Node.js 24 is what package.json's `engines`
 * asks for; below 22.18 Node cannot load next.config.mts itself, and Next would then look for no
 * configuration at all and run without its security headers.
 */
export function unsupportedNodeReason(
  version: string = process.versions.node,
  typeStripping: unknown = (process.features as { typescript?: unknown }).typescript,
): string | null {
  const major = Number(version.split(".")[0]);
  if (major >= 24 && typeStripping) return null;
  return `remsgate needs Node.js 24 (this is Node.js ${version}${major >= 24 ? " with type stripping turned off" : ""}). Install Node.js 24 and run the command again.`;
}

/** Ends the process with unsupportedNodeReason's message when this Node.js cannot run the registry. */
export function exitOnUnsupportedNode(): void {
  const reason = unsupportedNodeReason();
  if (reason === null) return;
  console.error(reason);
  process.exit(1);
}
