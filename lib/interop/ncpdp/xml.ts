/**
 * Reading and writing NCPDP SCRIPT XML with fast-xml-parser: never by string concatenation, and
 * never with a DTD. A message that declares a DOCTYPE or an ENTITY is refused before the parser
 * sees it (no external entity can be fetched, no entity can expand into a billion laughs), and the
 * parser itself is configured not to process entities. The five predefined XML entities and
 * numeric character references are decoded by hand afterwards: they name one character each and
 * can neither expand nor reach outside the document.
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { findHostileText } from "../../http/hostile-text";

/** The largest SCRIPT message accepted, in bytes. REMS transactions are a few kilobytes. */
export const SCRIPT_MAX_BYTES = 64 * 1024;

/** How deep elements may nest; SCRIPT REMS messages use about eight levels. */
const MAX_DEPTH = 32;

export const SCRIPT_NAMESPACE = "http://www.ncpdp.org/schema/SCRIPT";

/** Why a message could not be read: the NCPDP Error code, its description and the HTTP status. */
export class ScriptReadError extends Error {
  constructor(
    readonly description: string,
    readonly httpStatus: number,
    /** NCPDP Error Code: 900 transaction rejected, 601 receiver unable to process. */
    readonly code: "900" | "601" = "900",
  ) {
    super(description);
    this.name = "ScriptReadError";
  }
}

/** A parsed element: text, or an object of child elements ("@_"-prefixed keys are attributes). */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; anything else stays as written. */
export function decodeCharacterReferences(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[name] ?? whole;
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  tagValueProcessor: (_name, value) => decodeCharacterReferences(value),
  attributeValueProcessor: (_name, value) => decodeCharacterReferences(value),
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  format: true,
  indentBy: "  ",
  suppressEmptyNode: true,
  processEntities: true,
});

/**
 * Parses one SCRIPT document. Throws ScriptReadError for: a DOCTYPE or ENTITY declaration, XML
 * that is not well formed, nesting deeper than MAX_DEPTH, or text holding a NUL or a lone surrogate.
 */
export function parseScriptXml(text: string): Record<string, XmlNode> {
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) {
    throw new ScriptReadError(
      "The message declares a DOCTYPE or an ENTITY. DTDs and entity declarations are not accepted: send the SCRIPT message without them.",
      400,
    );
  }
  if (text.trim() === "") throw new ScriptReadError("The request body is empty: send one SCRIPT message.", 400);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new ScriptReadError(`The message is not well-formed XML (line ${line}, column ${col}): ${msg}`, 400);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unreadable";
    throw new ScriptReadError(`The message could not be read as XML: ${reason}`, 400);
  }
  const hostile = findHostileText(parsed);
  if (hostile) {
    throw new ScriptReadError(`The element ${hostile.field.replaceAll(".", "/")}: ${hostile.message}`, 400);
  }
  return parsed as Record<string, XmlNode>;
}

/** Writes a document (with the XML declaration) from the same shape the parser reads. */
export function buildScriptXml(document: Record<string, unknown>): string {
  return builder.build({ "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" }, ...document }) as string;
}
