/**
 * Reading a lab-feed upload from the request (README "Lab feed CSV"): the raw `text/csv` body
 * (streamed into the importer) or a multipart form (`file`, `mode`), both held to
 * LAB_IMPORT_MAX_BYTES — by the declared Content-Length before a byte is read, and by counting
 * bytes as they arrive, since a chunked upload declares nothing.
 *
 * The request body is never cancelled. Next feeds it from the socket into a web stream that has no
 * cancel handler, so cancelling it makes the next arriving chunk throw "ReadableStream is already
 * closed" outside any handler. When the import stops early, the rest is read and dropped instead,
 * and the refusal asks for the connection to be closed (`Connection: close`), which ends the upload.
 */
import { Readable } from "node:stream";
import { AppError } from "../errors";
import { findHostileInFormData, hostileTextError, hostileTextProblem } from "../http/hostile-text";

export class UploadTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(tooLargeMessage(maxBytes));
  }
}

function megabytes(bytes: number): string {
  const mb = bytes / 1024 ** 2;
  return mb >= 10 ? `${Math.round(mb)} MB` : `${Number(mb.toFixed(2))} MB`;
}

export function tooLargeMessage(maxBytes: number): string {
  return `The file is larger than the maximum of ${megabytes(maxBytes)} for one import, so nothing was imported. Split it into smaller files and import each.`;
}

export function tooLargeError(maxBytes: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", tooLargeMessage(maxBytes), {
    fields: { file: [tooLargeMessage(maxBytes)] },
  });
}

/** Reads and drops what is left of a body, quietly: the client may also give up mid-way. */
export function drainBody(request: Request): void {
  if (request.body && !request.bodyUsed && !request.body.locked) drain(request.body.getReader());
}

function drain(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  void (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {
      // The connection closed: nothing left to drop.
    }
  })();
}

/**
 * The body as a node Readable that fails with UploadTooLarge past `maxBytes`. Stopping early (the
 * importer destroying the stream, or the limit) drains the rest instead of cancelling it.
 */
export function countedBody(body: ReadableStream<Uint8Array>, maxBytes: number): Readable {
  const reader = body.getReader();
  let bytes = 0;
  let finished = false;
  async function* chunks() {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        bytes += value.byteLength;
        if (bytes > maxBytes) throw new UploadTooLarge(maxBytes);
        yield value;
      }
    } finally {
      if (!finished) drain(reader);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** 413 before reading anything when the declared length is already over the maximum. */
export function refuseDeclaredOversize(request: Request, maxBytes: number): void {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLargeError(maxBytes);
}

export interface LabUpload {
  fileName: string;
  mode: string;
  body: Readable | ReadableStream<Uint8Array>;
}

/**
 * The file name, mode and body of an upload. Query parameters and form fields have been through the
 * boundary check (handleApi for the query; here for the form, including the file's name).
 */
export async function readLabUpload(request: Request, maxBytes: number): Promise<LabUpload> {
  refuseDeclaredOversize(request, maxBytes);
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "text/csv" && request.body) {
    const query = new URL(request.url).searchParams;
    return {
      fileName: query.get("fileName") ?? "upload.csv",
      mode: query.get("mode") ?? "",
      body: countedBody(request.body, maxBytes),
    };
  }
  let form: FormData | null = null;
  if (type === "multipart/form-data" && request.body) {
    // Counted as it is read, so a chunked multipart upload cannot grow past the maximum in memory.
    const counted = Readable.toWeb(countedBody(request.body, maxBytes)) as unknown as ReadableStream<Uint8Array>;
    try {
      form = await new Response(counted, {
        headers: { "content-type": request.headers.get("content-type") ?? "" },
      }).formData();
    } catch (error) {
      if (error instanceof UploadTooLarge || (error as { cause?: unknown })?.cause instanceof UploadTooLarge) {
        throw tooLargeError(maxBytes);
      }
      form = null;
    }
  } else {
    drainBody(request);
  }
  const file = form?.get("file");
  if (!form || !(file instanceof File) || file.size === 0) {
    throw new AppError("VALIDATION", "Choose a CSV file to import.", { fields: { file: ["Choose a CSV file"] } });
  }
  const hostile = findHostileInFormData(form);
  if (hostile) throw hostileTextError(hostile);
  return { fileName: file.name, mode: String(form.get("mode") ?? ""), body: file.stream() };
}

/** The file name as stored: trimmed, at most 255 characters, refused when it holds hostile text. */
export function checkedFileName(raw: string): string {
  const problem = hostileTextProblem(raw);
  if (problem) throw hostileTextError({ field: "fileName", message: problem });
  return raw.trim().slice(0, 255) || "upload.csv";
}
