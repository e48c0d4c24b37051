/**
 * Reading one evidence file from a multipart request. The declared length is checked before a byte
 * is read (proxy.ts buffers bodies and cuts them at 10 MB, far above the limit here); what the
 * file really is, is decided by lib/noncompliance/evidence.ts.
 */
import { AppError } from "../errors";
import { EVIDENCE_MAX_BYTES } from "./evidence";

/** Room for the multipart framing around the file. */
const FRAMING_BYTES = 64 * 1024;

function tooLarge(): AppError {
  const message = `The file is larger than the maximum of ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB.`;
  return new AppError("PAYLOAD_TOO_LARGE", message, { fields: { file: [message] } });
}

export async function readEvidenceUpload(
  request: Request,
): Promise<{ fileName: string; declaredType: string; bytes: Uint8Array }> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > EVIDENCE_MAX_BYTES + FRAMING_BYTES) throw tooLarge();
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new AppError("BAD_REQUEST", "Send the file as a form upload (multipart/form-data).", {
      fields: { file: ["Choose a file to upload"] },
    });
  }
  const file = form.get("file");
  if (!file || typeof file === "string") {
    throw new AppError("VALIDATION", "Choose a file to upload.", { fields: { file: ["Choose a file to upload"] } });
  }
  if (file.size > EVIDENCE_MAX_BYTES) throw tooLarge();
  return { fileName: file.name, declaredType: file.type, bytes: new Uint8Array(await file.arrayBuffer()) };
}
