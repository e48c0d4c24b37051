"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

/**
 * TanStack Query for the administration section. Pages render their first state on the server
 * and hand it to the client components as initial data; these then poll their JSON route. Interval
 * polling stops while the tab is hidden (TanStack's default) and a refresh runs when it comes back.
 */
export function AdminQueryProvider({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 10_000,
            refetchOnWindowFocus: true,
            refetchIntervalInBackground: false,
            retry: 1,
          },
        },
      }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}

/** Polling interval of the live admin views (dashboard counters, review queue, claim banner). */
export const ADMIN_POLL_MS = 15_000;

/** GET a JSON route of the admin section; a refusal or an error answer becomes an Error with its message. */
export async function fetchAdminJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store" });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `The server answered ${response.status}.`);
  }
  return (await response.json()) as T;
}
