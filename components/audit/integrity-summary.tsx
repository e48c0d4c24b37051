import type { IntegrityStatus } from "@/lib/audit/integrity";
import { formatBreakReason } from "@/lib/audit/schema";
import { formatDateTime } from "@/lib/format";

function plural(n: bigint | number, one: string, many: string): string {
  return `${n.toString()} ${n === 1 || n === 1n ? one : many}`;
}

/**
 * The audit trail's integrity in one or two sentences (the dashboard's card and the audit page):
 * a break or a forged checkpoint first and loudly, otherwise how far the chain is verified.
 */
export function IntegritySummary({ status }: { status: IntegrityStatus }) {
  if (status.broken) {
    return (
      <p className="banner error" role="alert" data-testid="audit-chain" data-state="broken">
        Audit chain BROKEN at event #{status.broken.brokenAt.toString()}: {formatBreakReason(status.broken.reason)}.
        Found by a {status.broken.kind === "FULL" ? "full re-walk" : "verification"} on{" "}
        {formatDateTime(status.broken.at)}. No checkpoint is written past a break.
      </p>
    );
  }
  if (status.forgedCheckpoints > 0) {
    return (
      <p className="banner error" role="alert" data-testid="audit-chain" data-state="forged-checkpoint">
        {plural(status.forgedCheckpoints, "checkpoint does", "checkpoints do")} not verify: written or edited outside
        the application. Run “Verify now” to record the finding.
      </p>
    );
  }
  if (!status.checkpoint) {
    return (
      <p data-testid="audit-chain" data-state="unverified">
        Not verified yet: {plural(status.headSeq, "event", "events")} await the first verification.
      </p>
    );
  }
  return (
    <p data-testid="audit-chain" data-state="verified">
      Verified up to #{status.checkpoint.seq.toString()} at {formatDateTime(status.checkpoint.verifiedAt)}.{" "}
      {status.unverified === 0n
        ? "No events written since."
        : `Up to ${plural(status.unverified, "newer event", "newer events")} not yet verified.`}
    </p>
  );
}

/** The newest full re-walk: progress while it runs, its outcome after. */
export function FullWalkProgress({ walk }: { walk: IntegrityStatus["fullWalk"] }) {
  if (!walk) return <p data-testid="full-walk">No full re-walk has been run.</p>;
  const percent = walk.total > 0 ? Math.floor((walk.checked / walk.total) * 100) : 0;
  switch (walk.status) {
    case "QUEUED":
      return (
        <p data-testid="full-walk" data-state="queued">
          Full re-walk queued at {formatDateTime(walk.requestedAt)}.
        </p>
      );
    case "RUNNING":
      return (
        <div data-testid="full-walk" data-state="running">
          <label htmlFor="full-walk-progress">
            Full re-walk started {formatDateTime(walk.startedAt)}: {walk.checked} of {walk.total} events checked.
          </label>{" "}
          <progress id="full-walk-progress" max={100} value={percent}>
            {percent}%
          </progress>
        </div>
      );
    case "VERIFIED":
      return (
        <p data-testid="full-walk" data-state="verified">
          Last full re-walk: started {formatDateTime(walk.startedAt)}, finished {formatDateTime(walk.finishedAt)};{" "}
          {plural(walk.checked, "event", "events")} verified from the start of the chain.
        </p>
      );
    case "BROKEN":
      return (
        <p className="banner error" role="alert" data-testid="full-walk" data-state="broken">
          Last full re-walk (finished {formatDateTime(walk.finishedAt)}) found the chain BROKEN at event #
          {walk.brokenAt?.toString()}: {formatBreakReason(walk.reason)}.
        </p>
      );
    default:
      return (
        <p className="banner warn" data-testid="full-walk" data-state="failed">
          The last full re-walk did not finish ({formatBreakReason(walk.reason)}). Start it again.
        </p>
      );
  }
}
