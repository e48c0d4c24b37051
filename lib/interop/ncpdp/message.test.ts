import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DENIAL_REASON_CODES } from "../../programs/schema";
import { errorBody, remsDenied, scriptDocument } from "./build";
import { readEnvelope, readRemsFields, readRxFillFields, ScriptContentError } from "./message";
import { GATE_TO_SCRIPT_REASON, SCRIPT_REASON_CODES, scriptReasonOf } from "./reason-codes";
import { buildScriptXml, parseScriptXml, ScriptReadError } from "./xml";

const FIXTURES = path.resolve(import.meta.dirname, "../../../tests/fixtures/ncpdp");

function fixture(name: string, values: Record<string, string> = {}): string {
  const template = readFileSync(path.join(FIXTURES, `${name}.xml`), "utf8");
  return template.replace(/\{\{(\w+)\}\}/g, (_w, key: string) => values[key] ?? `v-${key}`);
}

function envelopeOf(text: string) {
  return readEnvelope(parseScriptXml(text));
}

function refusal(run: () => unknown): ScriptReadError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScriptReadError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("readEnvelope", () => {
  it("reads the header, the version attributes and the transaction of a REMSRequest", () => {
    const envelope = envelopeOf(fixture("rems-request", { messageId: "M-77", prescriptionId: "RX-9" }));
    expect(envelope.transaction).toBe("REMSRequest");
    expect(envelope.header).toMatchObject({
      to: { qualifier: "ZZZ", id: "v-registryId" },
      from: { qualifier: "P", id: "v-pharmacyNcpdpId" },
      messageId: "M-77",
      relatesToMessageId: null,
      prescriberOrderNumber: "RX-9",
    });
    expect(envelope.versions.TransactionVersion).toBe("20170715");
  });

  it("reads every field the registry uses from a REMSRequest", () => {
    const fields = readRemsFields(
      envelopeOf(
        fixture("rems-request", {
          patientRemsId: "PT-AAAA-BBBB-C",
          firstName: "Ines",
          lastName: "Duarte",
          birthDate: "1975-09-30",
          prescriberNpi: "1234567893",
          settingId: "HS-1111-2222-3",
          ndc: "58468020001",
          quantity: "3",
          prescriptionId: "RX-5",
        }),
      ),
    );
    expect(fields).toMatchObject({
      patient: { remsPatientId: "PT-AAAA-BBBB-C", firstName: "Ines", lastName: "Duarte", birthDate: "1975-09-30" },
      prescriberNpi: "1234567893",
      healthcareSettingId: "HS-1111-2222-3",
      ndc: "58468020001",
      quantity: "3",
      prescriptionId: "RX-5",
      caseId: "PT-AAAA-BBBB-C",
    });
  });

  it("reads the fill of an RxFill", () => {
    const fields = readRxFillFields(
      envelopeOf(fixture("rx-fill", { authorizationNumber: "DA-1234-5678-9", lotNumber: "L-1", quantity: "2" })),
    );
    expect(fields).toEqual({
      fillStatus: "Dispensed",
      authorizationNumber: "DA-1234-5678-9",
      quantity: "2",
      lotNumber: "L-1",
      ndc: "v-ndc",
    });
  });

  it("refuses unknown and unsupported transactions, carrying the header for the Error", () => {
    for (const [name, message] of [
      ["unknown-message", "is not a SCRIPT transaction"],
      ["unsupported-newrx", "does not answer"],
    ]) {
      const error = refusal(() => envelopeOf(fixture(name ?? "", { messageId: "M-1" })));
      expect(error).toBeInstanceOf(ScriptContentError);
      expect(error.description).toContain(message);
      expect((error as ScriptContentError).header.messageId).toBe("M-1");
    }
  });

  it("refuses another SCRIPT version, a missing MessageID and a repeated element", () => {
    const text = fixture("rems-request");
    expect(
      refusal(() => envelopeOf(text.replace('TransactionVersion="20170715"', 'TransactionVersion="2022011"')))
        .description,
    ).toContain("2022011");
    expect(refusal(() => envelopeOf(text.replace(/<MessageID>.*<\/MessageID>/, ""))).description).toContain(
      "MessageID is missing",
    );
    const twice = text.replace("<NPI>", "<NPI>1</NPI><NPI>");
    expect(refusal(() => readRemsFields(envelopeOf(twice))).description).toContain("appears 2 times");
  });

  it("refuses a root other than Message", () => {
    expect(refusal(() => envelopeOf("<Order><Header/></Order>")).description).toContain("<Message>");
  });
});

describe("the reason-code mapping", () => {
  it("maps every gate reason to a SCRIPT code that is defined", () => {
    for (const code of DENIAL_REASON_CODES) {
      expect(Object.keys(SCRIPT_REASON_CODES)).toContain(GATE_TO_SCRIPT_REASON[code]);
    }
  });

  it("keeps the gate's code and message in the note", () => {
    expect(scriptReasonOf({ code: "MONITORING_OVERDUE", message: "Monthly CBC overdue since 2026-02-01." })).toEqual({
      code: "EL",
      note: "MONITORING_OVERDUE: Monthly CBC overdue since 2026-02-01.",
    });
  });

  it("is the table docs/interop-ncpdp.md prints", () => {
    const docs = readFileSync(path.resolve(import.meta.dirname, "../../../docs/interop-ncpdp.md"), "utf8");
    // Table rows as cells, whatever the column padding the formatter gives them.
    const rows = docs
      .split("\n")
      .filter((line) => line.startsWith("|"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    const documented = new Map(rows.map((cells) => [cells[1], cells[2]]));
    for (const [gate, script] of Object.entries(GATE_TO_SCRIPT_REASON)) {
      expect(documented.get(`\`${gate}\``), gate).toBe(`\`${script}\``);
    }
  });
});

describe("answers", () => {
  const context = {
    request: {
      to: { qualifier: "ZZZ", id: "REMSGATE01" },
      from: { qualifier: "P", id: "1234563" },
      messageId: "IN-1",
      relatesToMessageId: null,
      sentTime: "2026-03-02T09:15:00Z",
      prescriberOrderNumber: "RX-1",
      rxReferenceNumber: null,
    },
    versions: { TransactionVersion: "2017071" },
    registryId: "REMSGATE01",
    fallbackTo: null,
    messageId: "OUT-1",
    now: new Date("2026-03-02T09:15:01Z"),
  };

  it("swap sender and receiver, relate to the request and echo its version", () => {
    const doc = parseScriptXml(buildScriptXml(scriptDocument(context, errorBody("900", "No."))));
    expect(doc.Message).toMatchObject({
      "@_TransactionVersion": "2017071",
      Header: {
        To: { "#text": "1234563", "@_Qualifier": "P" },
        From: { "#text": "REMSGATE01", "@_Qualifier": "ZZZ" },
        MessageID: "OUT-1",
        RelatesToMessageID: "IN-1",
        PrescriberOrderNumber: "RX-1",
      },
      Body: { Error: { Code: "900", Description: "No." } },
    });
  });

  it("pair each DeniedReasonCode with its REMSNote in order", () => {
    const body = remsDenied({}, "PT-1", [
      { code: "EM", note: "first" },
      { code: "EL", note: "second" },
    ]);
    const doc = parseScriptXml(buildScriptXml(scriptDocument(context, body)));
    expect(doc.Message).toMatchObject({
      Body: {
        REMSResponse: {
          Response: {
            ResponseStatus: {
              Denied: { REMSCaseID: "PT-1", DeniedReasonCode: ["EM", "EL"], REMSNote: ["first", "second"] },
            },
          },
        },
      },
    });
  });
});
