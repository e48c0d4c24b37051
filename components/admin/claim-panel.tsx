"use client";

import { useState, useTransition } from "react";
import { FormBanner } from "@/components/ui/field";
import { claimApplicationAction, releaseClaimAction } from "@/lib/certification/actions";

export interface ClaimView {
  name: string;
  /** Already formatted (UTC), so server and browser show the same text. */
  since: string;
  mine: boolean;
}

/** Who is reviewing the application, and the buttons to claim, release or take it over. */
export function ClaimPanel(props: {
  enrollmentId: string;
  claim: ClaimView | null;
  canClaim: boolean;
  returnTo: string;
}) {
  const { enrollmentId, claim, canClaim, returnTo } = props;
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  const run = (kind: "claim" | "takeOver" | "release") => {
    setError(null);
    startTransition(async () => {
      const result =
        kind === "release"
          ? await releaseClaimAction({ enrollmentId }, returnTo)
          : await claimApplicationAction({ enrollmentId, takeOver: kind === "takeOver" }, returnTo);
      if (result && !result.ok) setError(result.message);
    });
  };

  return (
    <section className="card" aria-labelledby="claim-title">
      <h2 id="claim-title">Reviewer</h2>
      {error ? (
        <FormBanner kind="error" id="claim-error">
          {error}
        </FormBanner>
      ) : null}
      {claim === null ? (
        <p data-testid="claim-status">Nobody is reviewing this application.</p>
      ) : claim.mine ? (
        <p data-testid="claim-status">You have been reviewing this application since {claim.since}.</p>
      ) : (
        <FormBanner kind="warn" id="claim-status">
          <span data-testid="claim-status">
            Being reviewed by {claim.name} since {claim.since}.
          </span>{" "}
          Take over the review before you act on it.
        </FormBanner>
      )}
      {canClaim ? (
        claim === null ? (
          <button type="button" className="button secondary" disabled={pending} onClick={() => run("claim")}>
            Claim for review
          </button>
        ) : claim.mine ? (
          <button type="button" className="button secondary" disabled={pending} onClick={() => run("release")}>
            Release claim
          </button>
        ) : (
          <button type="button" className="button secondary" disabled={pending} onClick={() => run("takeOver")}>
            Take over review
          </button>
        )
      ) : null}
    </section>
  );
}
