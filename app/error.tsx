"use client";

import { ErrorView } from "./error-view";

/** Any page that fails below the root layout: an outage says so (see ErrorView). */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorView digest={error.digest} reset={reset} />;
}
