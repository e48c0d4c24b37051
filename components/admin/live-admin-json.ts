"use client";

import { useEffect, useState } from "react";

export interface LiveAdminJson<T> {
  data: T;
  isFetching: boolean;
  error: Error | null;
}

/**
 * The live state of a read-only admin view: the server-rendered `initial` data at once, then the
 * same TanStack Query polling as before (every ADMIN_POLL_MS while the tab is visible, a refresh
 * when it comes back, one retry), through the section's shared query client. The query code is
 * loaded once the page is interactive, so it is not part of the page's first load.
 */
export function useLiveAdminJson<T>(queryKey: readonly unknown[], url: string, initial: T): LiveAdminJson<T> {
  const [state, setState] = useState<LiveAdminJson<T>>({ data: initial, isFetching: false, error: null });
  const key = JSON.stringify(queryKey);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key's content (not its identity) and the URL name the query; `initial` only seeds it.
  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void import("./live-admin-observer").then(({ observeAdminJson }) => {
      if (!cancelled) stop = observeAdminJson(JSON.parse(key) as unknown[], url, initial, setState);
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [key, url]);
  return state;
}
