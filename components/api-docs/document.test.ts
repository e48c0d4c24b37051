import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import ApiDocsPage from "@/app/(public)/api-docs/page";
import { buildOpenApiDocument } from "@/lib/dispensing/openapi";
import { ZConfirmDispense, ZDispenseRequest } from "@/lib/dispensing/schema";
import { DENIAL_REASON_CODES } from "@/lib/programs/schema";
import { curlFor, exampleOf, operationsOf, resolveSchema } from "./document";

const doc = buildOpenApiDocument({ serverUrl: "https://registry.example.org" });
const operations = operationsOf(doc);

function op(operationId: string) {
  const found = operations.find((o) => o.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  return found;
}

describe("reading the OpenAPI document for the docs page", () => {
  it("lists every operation with its method and whether it needs a key", () => {
    expect(operations.map((o) => `${o.method} ${o.path} ${o.secured}`)).toEqual([
      "POST /api/v1/dispense-authorizations true",
      "GET /api/v1/dispense-authorizations true",
      "GET /api/v1/dispense-authorizations/{id} true",
      "POST /api/v1/dispense-authorizations/{id}/dispense true",
      "POST /api/v1/dispense-authorizations/{id}/reverse true",
      "GET /api/v1/programs/{code}/certifications false",
    ]);
  });

  it("builds request examples the server's schemas accept", () => {
    const request = op("requestDispenseAuthorization").requestBody?.schema;
    expect(ZDispenseRequest.safeParse(exampleOf(doc, request)).success).toBe(true);
    const confirm = op("confirmDispense").requestBody?.schema;
    expect(ZConfirmDispense.safeParse(exampleOf(doc, resolveSchema(doc, confirm))).success).toBe(true);
  });

  it("writes curl examples with the key, the Idempotency-Key and the JSON body", () => {
    const post = curlFor(doc, op("requestDispenseAuthorization"), "https://registry.example.org");
    expect(post).toContain("curl -X POST 'https://registry.example.org/api/v1/dispense-authorizations'");
    expect(post).toContain('-H "Authorization: Bearer $REMSGATE_API_KEY"');
    expect(post).toContain('-H "Idempotency-Key: $(uuidgen)"');
    expect(post).toContain('--data \'{"programCode":"LEMTRADA"');
    const lookup = curlFor(doc, op("lookupCertification"), "https://registry.example.org");
    expect(lookup).toMatch(
      /^curl 'https:\/\/registry\.example\.org\/api\/v1\/programs\/LEMTRADA\/certifications\?npi=/,
    );
    expect(lookup).not.toContain("Authorization");
  });
});

describe("the API documentation page", () => {
  const html = renderToStaticMarkup(createElement(ApiDocsPage));

  it("shows every endpoint, its example, every schema, error code and reason code", () => {
    expect(html).toContain("<h1>API documentation</h1>");
    for (const o of operations) {
      expect(html).toContain(o.path);
      expect(html).toContain(`id="op-${o.operationId}"`);
    }
    expect(html.match(/<pre /g)).toHaveLength(operations.length);
    for (const name of Object.keys(doc.components?.schemas ?? {})) expect(html).toContain(`id="schema-${name}"`);
    for (const code of ["UNAUTHENTICATED", "VALIDATION", "RATE_LIMITED", ...DENIAL_REASON_CODES]) {
      expect(html).toContain(`<code>${code}</code>`);
    }
  });

  it("uses table captions and header scopes, and captions each example", () => {
    const tables = html.match(/<table/g)?.length ?? 0;
    expect(tables).toBeGreaterThan(10);
    expect(html.match(/<caption>/g)).toHaveLength(tables);
    expect(html).not.toMatch(/<th>/);
    expect(html.match(/<figure[^>]*><figcaption><h4>Example<\/h4><\/figcaption><pre/g)).toHaveLength(operations.length);
  });
});
