/**
 * Reading CDS Hooks and FHIR request bodies: JSON (application/json or application/fhir+json), at
 * most INTEROP_MAX_BODY_BYTES (counted as the bytes arrive, whatever Content-Length says), no NUL,
 * no lone surrogate, at most MAX_INPUT_DEPTH levels (lib/http/hostile-text.ts). These routes are
 * outside proxy.ts, which would otherwise buffer and silently cut a large body.
 */
import { env } from "../env";
import { AppError } from "../errors";
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
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const text = await readLimited(request, maxBytes);
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

function tooLarge(maxBytes: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than ${maxBytes} bytes.`);
}

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}
