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
