/**
 * Reads a resource from the EHR's FHIR server named in a CDS Hooks request (`fhirServer`), only when
 * that server is on the allow-list (CDS_HOOKS_FHIR_SERVERS): the registry never contacts a server a
 * request merely names. Short timeout, bounded answer, no redirects.
 */
import { env } from "../env";

const TIMEOUT_MS = 5000;
const MAX_BYTES = 1024 * 1024;

export function isAllowedFhirServer(fhirServer: string | undefined): boolean {
  if (!fhirServer || !URL.canParse(fhirServer)) return false;
  const wanted = new URL(fhirServer).href.replace(/\/+$/, "");
  return env().CDS_HOOKS_FHIR_SERVERS.includes(wanted);
}

/**
 * GET `<fhirServer>/<path>` with the request's access token; the parsed JSON, or null when the
 * server does not answer 200 with JSON in time. Throws when the server is not allowed (a bug:
 * callers check first).
 */
export async function fetchFhir(
  fhirServer: string,
  path: string,
  accessToken: string | undefined,
): Promise<unknown | null> {
  if (!isAllowedFhirServer(fhirServer)) throw new Error("fetchFhir called for a FHIR server not on the allow-list");
  const base = new URL(fhirServer).href.replace(/\/+$/, "");
  const url = new URL(`${base}/${path.replace(/^\/+/, "")}`);
  if (!url.href.startsWith(`${base}/`)) return null;
  try {
    const response = await fetch(url, {
      headers: {
        accept: "application/fhir+json",
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      },
      redirect: "error",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status !== 200) return null;
    const text = await response.text();
    if (text.length > MAX_BYTES) return null;
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
