/**
 * Where a `next` (return-to) value may send the browser: a path on the registry's own origin, or
 * nowhere. Browsers read `/\evil.example`, `/\tevil.example` (tabs and newlines are dropped) and
 * `/.//evil.example` as addresses on another host, so the value is parsed as a browser would,
 * against the app's own origin, and only a path that stays on that origin — and still does when the
 * browser reads it again — is kept.
 */
export const DEFAULT_AFTER_SIGN_IN = "/dashboard";

/** The same-origin path (with its query and fragment) `value` stands for, or null. */
export function sameOriginPath(value: unknown, appUrl: string): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return null;
  // Only a path: no scheme, no `//host`, no `\` (read as `/`), no control characters (dropped).
  if (!value.startsWith("/") || value.startsWith("//")) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return null;
  let origin: string;
  let url: URL;
  try {
    origin = new URL(appUrl).origin;
    url = new URL(value, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//host` normalises to `//host`: what is returned must itself be a plain path.
  if (path.startsWith("//") || path.includes("\\")) return null;
  return path;
}

/** `value` when it is a same-origin path, otherwise `fallback`. */
export function safeRedirectPath(value: unknown, appUrl: string, fallback = DEFAULT_AFTER_SIGN_IN): string {
  return sameOriginPath(value, appUrl) ?? fallback;
}

/** The sign-in page, with a way back to `path` when that is a same-origin path. */
export function signInUrl(path: string, appUrl: string): string {
  const back = sameOriginPath(path, appUrl);
  return back ? `/sign-in?next=${encodeURIComponent(back)}` : "/sign-in";
}
