/**
 * Uploaded evidence files: what is accepted and how a file is recognised. The type comes from the
 * file's own first bytes (a PDF, PNG or JPEG signature, or text that is valid UTF-8 without control
 * characters); the name's extension and the type the browser declared must agree with it. Pure.
 */
export const EVIDENCE_MAX_BYTES = 5 * 1024 * 1024;

export const EVIDENCE_TYPES = ["application/pdf", "image/png", "image/jpeg", "text/plain", "text/csv"] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

const EXTENSIONS: Record<EvidenceType, readonly string[]> = {
  "application/pdf": [".pdf"],
  "image/png": [".png"],
  "image/jpeg": [".jpg", ".jpeg"],
  "text/plain": [".txt"],
  "text/csv": [".csv"],
};

/** Declared types a browser may send for each kind (some send nothing or octet-stream: no claim). */
const DECLARED_ALIASES: Record<EvidenceType, readonly string[]> = {
  "application/pdf": ["application/pdf"],
  "image/png": ["image/png"],
  "image/jpeg": ["image/jpeg", "image/pjpeg"],
  "text/plain": ["text/plain"],
  "text/csv": ["text/csv", "application/csv", "application/vnd.ms-excel", "text/plain"],
};

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

/** Text: valid UTF-8 with no control characters but tab, line feed and carriage return. */
function isPlainText(bytes: Uint8Array): boolean {
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
  return !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(decoded);
}

type Sniffed = "application/pdf" | "image/png" | "image/jpeg" | "text" | null;

export function sniffContent(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf"; // %PDF-
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (bytes.byteLength > 0 && isPlainText(bytes)) return "text";
  return null;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot === -1 ? "" : name.slice(dot).toLowerCase();
}

export type EvidenceCheck = { ok: true; contentType: EvidenceType } | { ok: false; message: string };

const ACCEPTED = "PDF, PNG, JPEG, plain text (.txt) or CSV";

/** Accepts a file only when its content, its name and its declared type all say the same thing. */
export function checkEvidenceFile(input: { fileName: string; declaredType: string; bytes: Uint8Array }): EvidenceCheck {
  const { fileName, bytes } = input;
  if (bytes.byteLength === 0) return { ok: false, message: "The file is empty." };
  if (bytes.byteLength > EVIDENCE_MAX_BYTES) {
    return { ok: false, message: `The file is larger than the maximum of ${EVIDENCE_MAX_BYTES / 1024 / 1024} MB.` };
  }
  const sniffed = sniffContent(bytes);
  if (sniffed === null)
    return { ok: false, message: `The file's content is not one of the accepted types: ${ACCEPTED}.` };
  const extension = extensionOf(fileName);
  const contentType: EvidenceType | undefined =
    sniffed === "text"
      ? extension === ".csv"
        ? "text/csv"
        : extension === ".txt"
          ? "text/plain"
          : undefined
      : sniffed;
  if (!contentType || !EXTENSIONS[contentType].includes(extension)) {
    return {
      ok: false,
      message: `The file's name (${extension || "no extension"}) does not match its content. Accepted: ${ACCEPTED}.`,
    };
  }
  const declared = input.declaredType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (declared && declared !== "application/octet-stream" && !DECLARED_ALIASES[contentType].includes(declared)) {
    return { ok: false, message: `The file was sent as ${declared}, but its content is not: it was refused.` };
  }
  return { ok: true, contentType };
}

/** A file name safe for a Content-Disposition header and a page: letters, digits, dot, dash, underscore. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "file";
  const cleaned = base
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^\.+/, "")
    .slice(-120);
  return cleaned || "file";
}
