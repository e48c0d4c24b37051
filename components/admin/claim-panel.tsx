"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ADMIN_POLL_MS, fetchAdminJson } from "@/components/admin/admin-json";
import { AdminQueryProvider } from "@/components/admin/query-provider";
import { FormBanner } from "@/components/ui/field";
import { setClaimAction } from "@/lib/certification/actions";
import type { ClaimState } from "@/lib/certification/service";
import { formatDateTime } from "@/lib/format";

export interface ClaimView {
  name: string;
  /** Already formatted (UTC), so server and browser show the same text. */
  since: string;
  mine: boolean;
}

type Mode = "claim" | "takeOver" | "release";

const DONE: Record<Mode, string> = {
  claim: "You are now reviewing this application.",
  takeOver: "You have taken over the review of this application.",
  release: "You are no longer reviewing this application.",
};

const PENDING_LABEL: Record<Mode, string> = {
  claim: "Claiming…",
  takeOver: "Taking over…",
  release: "Releasing…",
};

/**
 * Who is reviewing the application, kept current by polling, and the buttons to claim, release or
 * take it over. A click shows its outcome at once (optimistic) and rolls back when the server refuses.
 */
export function ClaimPanel(props: ClaimPanelProps) {
  return (
    <AdminQueryProvider>
      <ClaimPanelBody {...props} />
    </AdminQueryProvider>
  );
}

interface ClaimPanelProps {
  enrollmentId: string;
  claim: ClaimView | null;
  canClaim: boolean;
}

function ClaimPanelBody(props: ClaimPanelProps) {
  const { enrollmentId, canClaim } = props;
  const router = useRouter();
  const queryClient = useQueryClient();
  const key = ["admin", "claim", enrollmentId];
  const [error, setError] = useState<string | null>(null);
  const { data } = useQuery({
    queryKey: key,
    queryFn: () => fetchAdminJson<ClaimState>(`/api/admin/applications/${encodeURIComponent(enrollmentId)}/claim`),
    initialData: { awaitsDecision: true, claim: props.claim },
    refetchInterval: ADMIN_POLL_MS,
  });
  const mutation = useMutation({
    mutationFn: async (mode: Mode) => {
      const result = await setClaimAction({ enrollmentId, mode });
      if (!result.ok) throw new Error(result.message);
      return result.data;
    },
    onMutate: async (mode) => {
      setError(null);
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<ClaimState>(key);
      queryClient.setQueryData<ClaimState>(key, (old) => ({
        awaitsDecision: old?.awaitsDecision ?? true,
        claim: mode === "release" ? null : { name: "you", since: formatDateTime(new Date()), mine: true },
      }));
      return { previous };
    },
    onError: (err, _mode, context) => {
      if (context?.previous) queryClient.setQueryData(key, context.previous);
      setError(err.message);
    },
    onSuccess: (state) => {
      if (state) queryClient.setQueryData(key, state);
      // The decision form below depends on the claim: re-render the page around the banner.
      router.refresh();
    },
  });
  const claim = data.claim;
  const pending = mutation.isPending;
  const button = (mode: Mode, label: string) => (
    <button
      type="button"
      className="button secondary"
      disabled={pending}
      aria-busy={pending}
      onClick={() => mutation.mutate(mode)}
    >
      {pending && mutation.variables === mode ? PENDING_LABEL[mode] : label}
    </button>
  );

  return (
    <section className="card" aria-labelledby="claim-title">
      <h2 id="claim-title">Reviewer</h2>
      {error ? (
        <FormBanner kind="error" id="claim-error">
          {error}
        </FormBanner>
      ) : mutation.isSuccess ? (
        <FormBanner kind="ok" id="claim-done">
          {DONE[mutation.variables]}
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
      {canClaim && data.awaitsDecision
        ? claim === null
          ? button("claim", "Claim for review")
          : claim.mine
            ? button("release", "Release claim")
            : button("takeOver", "Take over review")
        : null}
    </section>
  );
}
