/**
 * Reading CDS Hooks and FHIR request bodies: JSON (application/json or application/fhir+json), at
 * most INTEROP_MAX_BODY_BYTES (counted as the bytes arrive, whatever Content-Length says), valid UTF-8, no NUL,
 * no lone surrogate, at most MAX_INPUT_DEPTH levels (lib/http/hostile-text.ts). These routes are
 * outside proxy.ts, which would otherwise buffer and silently cut a large body.
 */
import { env } from "../env";
import { AppError } from "../errors";
import { readBodyText } from "../http/body";
import { findHostileText } from "../http/hostile-text";

export async function readInteropJson(
  request: Request,
  maxBytes: number = env().INTEROP_MAX_BODY_BYTES,
): Promise<unknown> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && type !== "application/fhir+json") {
    throw new AppError(
      "BAD_REQUEST",
      "Send the body as JSON (Content-Type: application/json or application/fhir+json).",
    );
  }
  const text = await readBodyText(request, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    throw new AppError("BAD_REQUEST", "The request body is not valid JSON.");
  }
  const hostile = findHostileText(body);
  if (hostile)
    throw new AppError("BAD_REQUEST", `${hostile.field || "The body"}: ${hostile.message}`, {
      fields: { [hostile.field]: [hostile.message] },
    });
  return body;
}
