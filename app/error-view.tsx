"use client";

import { useEffect, useState } from "react";

type Diagnosis = "checking" | "unavailable" | "error";

/**
 * What the error pages show. The server hides an error's details from the browser, so the page asks
 * the readiness check whether the database is reachable: if not, this is an outage, and the person is
 * told to try again in a minute rather than that something is broken.
 */
export function ErrorView({ digest, reset }: { digest?: string; reset?: () => void }) {
  const [diagnosis, setDiagnosis] = useState<Diagnosis>("checking");
  useEffect(() => {
    let cancelled = false;
    fetch("/api/ready", { cache: "no-store" })
      .then(async (response) => {
        if (response.status !== 503) return "error" as const;
        const body = (await response.json().catch(() => null)) as { database?: string } | null;
        return body?.database === "unreachable" ? ("unavailable" as const) : ("error" as const);
      })
      .catch(() => "unavailable" as const)
      .then((result) => {
        if (!cancelled) setDiagnosis(result);
      });
    return () => {
      cancelled = true;
    };
  }, []);

  if (diagnosis === "unavailable") {
    return (
      <div className="narrow" role="alert">
        <h1>The registry is temporarily unavailable</h1>
        <p>
          It cannot reach its database right now, usually for a minute or two during maintenance. Nothing you had not
          already saved was recorded. Try again in a minute.
        </p>
        <button type="button" className="button secondary" onClick={() => (reset ? reset() : location.reload())}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <div className="narrow" role="alert">
      <h1>Something went wrong</h1>
      <p>
        {diagnosis === "checking"
          ? "This page could not be shown."
          : "This page could not be shown because of an error on our side."}{" "}
        Try again; if it keeps happening, contact support{digest ? ` and quote reference ${digest}` : ""}.
      </p>
      <button type="button" className="button secondary" onClick={() => (reset ? reset() : location.reload())}>
        Try again
      </button>
    </div>
  );
}
