import { describe, expect, it } from "vitest";
import { buildScriptXml, decodeCharacterReferences, parseScriptXml, ScriptReadError } from "./xml";

function refusal(text: string): ScriptReadError {
  try {
    parseScriptXml(text);
  } catch (error) {
    if (error instanceof ScriptReadError) return error;
    throw error;
  }
  throw new Error("expected the document to be refused");
}

describe("parseScriptXml", () => {
  it("reads elements, attributes and namespaced names as plain strings (no number guessing)", () => {
    const doc = parseScriptXml(
      `<?xml version="1.0"?><s:Message xmlns:s="http://www.ncpdp.org/schema/SCRIPT" TransactionVersion="20170715">` +
        `<s:Header><s:To Qualifier="ZZZ">REMSGATE01</s:To><s:MessageID>00042</s:MessageID></s:Header></s:Message>`,
    );
    expect(doc).toEqual({
      Message: {
        "@_TransactionVersion": "20170715",
        Header: { To: { "#text": "REMSGATE01", "@_Qualifier": "ZZZ" }, MessageID: "00042" },
      },
    });
  });

  it("decodes the predefined entities and character references, and leaves any other reference as text", () => {
    const doc = parseScriptXml("<Message><Note>O&apos;Neil &amp; Sons &#233;&#x2713; &custom;</Note></Message>");
    expect(doc).toEqual({ Message: { Note: "O'Neil & Sons é✓ &custom;" } });
  });

  it.each([
    ["an external entity", '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><m>&x;</m>'],
    ["an internal DTD", "<!DOCTYPE m><m/>"],
    ["a DOCTYPE in lower case with spaces", "<! doctype m><m/>"],
    ["an entity declaration alone", '<!ENTITY a "b"><m/>'],
  ])("refuses %s before parsing", (_what, text) => {
    const error = refusal(text);
    expect(error.httpStatus).toBe(400);
    expect(error.description).toContain("DOCTYPE or an ENTITY");
  });

  it("refuses XML that is not well formed, naming line and column", () => {
    const error = refusal("<Message>\n  <Header>\n</Message>");
    expect(error.httpStatus).toBe(400);
    expect(error.description).toMatch(/not well-formed XML \(line \d+, column \d+\)/);
  });

  it("refuses an empty body and a lone surrogate; never decodes a NUL", () => {
    expect(refusal("   ").description).toContain("empty");
    expect(refusal("<Message><Note>a&#xD800;b</Note></Message>").description).toContain("Message/Note");
    expect(decodeCharacterReferences("a&#0;b")).toBe("a&#0;b");
  });

  it("refuses nesting deeper than a SCRIPT message needs", () => {
    const deep = `${"<a>".repeat(200)}x${"</a>".repeat(200)}`;
    expect(refusal(deep).httpStatus).toBe(400);
  });
});

describe("buildScriptXml", () => {
  it("escapes text and attributes, repeats arrays and omits undefined elements", () => {
    const xml = buildScriptXml({
      Message: {
        "@_xmlns": "http://www.ncpdp.org/schema/SCRIPT",
        Header: { To: { "#text": 'A&B <"x">', "@_Qualifier": "P&Q" }, RelatesToMessageID: undefined },
        Body: { Denied: { DeniedReasonCode: ["EM", "EL"] } },
      },
    });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('<To Qualifier="P&amp;Q">A&amp;B &lt;&quot;x&quot;&gt;</To>');
    expect(xml).not.toContain("RelatesToMessageID");
    expect(xml.match(/<DeniedReasonCode>/g)).toHaveLength(2);
  });

  it("round-trips through the parser", () => {
    const document = {
      Message: {
        Header: { MessageID: "M-1", To: { "#text": "R", "@_Qualifier": "ZZZ" } },
        Body: { Status: { Code: "010", Description: "Fish & chips <ok>" } },
      },
    };
    expect(parseScriptXml(buildScriptXml(document))).toEqual(document);
  });
});

describe("decodeCharacterReferences", () => {
  it("keeps out-of-range code points as written", () => {
    expect(decodeCharacterReferences("&#1114112;&#x110000;")).toBe("&#1114112;&#x110000;");
  });
});
