/**
 * Reading a request body as text with a limit: the bytes are counted as they arrive, whatever
 * Content-Length says, so a body past the limit is refused (413) without being held in memory; and
 * the text must be valid UTF-8 (400), never decoded with replacement characters the sender did
 * not send. For routes outside proxy.ts, which would otherwise buffer and cut a large body.
 */
import { AppError } from "../errors";

/** The JSON APIs' bodies (dispense requests, confirmations, reversals) are a few hundred bytes. */
export const API_MAX_BODY_BYTES = 64 * 1024;

export function bodyTooLarge(maxBytes: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than ${maxBytes} bytes.`);
}

export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    throw bodyTooLarge(maxBytes);
  }
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
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  } catch {
    throw new AppError("BAD_REQUEST", "The request body is not valid UTF-8 text.");
  }
}
