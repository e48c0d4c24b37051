import { QueryObserver } from "@tanstack/react-query";
import { ADMIN_POLL_MS, fetchAdminJson } from "./admin-json";
import type { LiveAdminJson } from "./live-admin-json";
import { adminQueryClient } from "./query-provider";

/**
 * Polls one admin JSON route through the section's query client (loaded lazily by
 * useLiveAdminJson). Returns the function that stops observing.
 */
export function observeAdminJson<T>(
  queryKey: unknown[],
  url: string,
  initial: T,
  onChange: (state: LiveAdminJson<T>) => void,
): () => void {
  const client = adminQueryClient();
  // Mounting (counted) is what makes the client refetch when the tab becomes visible again.
  client.mount();
  const observer = new QueryObserver<T, Error>(client, {
    queryKey,
    queryFn: () => fetchAdminJson<T>(url),
    initialData: initial,
    refetchInterval: ADMIN_POLL_MS,
  });
  const report = (result: { data: T | undefined; isFetching: boolean; error: Error | null }) =>
    onChange({ data: result.data ?? initial, isFetching: result.isFetching, error: result.error });
  const unsubscribe = observer.subscribe(report);
  report(observer.getCurrentResult());
  return () => {
    unsubscribe();
    client.unmount();
  };
}
