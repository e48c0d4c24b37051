"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";

function newAdminQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        refetchIntervalInBackground: false,
        retry: 1,
      },
    },
  });
}

let browserClient: QueryClient | undefined;

/**
 * TanStack Query's client for the administration section: one per browser tab, so that every live
 * view of the section (dashboard counters, review queue, claim banner) shares one cache across
 * navigations; a new one per server render, so that nothing is ever shared between requests.
 * Pages render their first state on the server and hand it to the client components as initial
 * data; these then poll their JSON route. Interval polling stops while the tab is hidden
 * (TanStack's default) and a refresh runs when it comes back.
 */
export function adminQueryClient(): QueryClient {
  if (typeof window === "undefined") return newAdminQueryClient();
  browserClient ??= newAdminQueryClient();
  return browserClient;
}

/** For the views that change data (the claim panel's mutation); read-only views use useLiveAdminJson. */
export function AdminQueryProvider({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={adminQueryClient()}>{children}</QueryClientProvider>;
}
