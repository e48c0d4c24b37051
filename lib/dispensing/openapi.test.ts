import { describe, expect, it } from "vitest";
import { DENIAL_REASON_CODES } from "../programs/schema";
import { buildOpenApiDocument, BEARER_SCHEME } from "./openapi";
import { ZDispenseRequest } from "./schema";

const doc = buildOpenApiDocument({ serverUrl: "https://registry.example.org" });
const json = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;

type Operation = {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }>;
};

const OPERATIONS: [string, string][] = [
  ["/api/v1/dispense-authorizations", "post"],
  ["/api/v1/dispense-authorizations", "get"],
  ["/api/v1/dispense-authorizations/{id}", "get"],
  ["/api/v1/dispense-authorizations/{id}/dispense", "post"],
  ["/api/v1/dispense-authorizations/{id}/reverse", "post"],
  ["/api/v1/programs/{code}/certifications", "get"],
];

function operation(path: string, method: string): Operation {
  const item = (doc.paths?.[path] ?? {}) as Record<string, Operation>;
  const op = item[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  return op;
}

/** Every `$ref` in a JSON value, with where it was found. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

function resolve(ref: string): unknown {
  const parts = ref.replace(/^#\//, "").split("/");
  return parts.reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], json);
}

describe("the OpenAPI document", () => {
  it("is an OpenAPI 3.1 document naming its server, with a bearer security scheme", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.servers).toEqual([{ url: "https://registry.example.org" }]);
    expect(doc.components?.securitySchemes?.[BEARER_SCHEME]).toMatchObject({ type: "http", scheme: "bearer" });
    expect(buildOpenApiDocument().servers).toEqual([]);
  });

  it("documents every path and method, each with an operationId, summary and 200 answer", () => {
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(OPERATIONS.map(([path, method]) => `${method} ${path}`).sort());
    const ids = new Set<string>();
    for (const [path, method] of OPERATIONS) {
      const op = operation(path, method) as Operation & { operationId?: string; summary?: string };
      expect(op.operationId, path).toBeTruthy();
      expect(op.summary, path).toBeTruthy();
      ids.add(op.operationId ?? "");
      expect(op.responses["200"]?.content?.["application/json"]?.schema, `${method} ${path}`).toBeDefined();
    }
    expect(ids.size).toBe(OPERATIONS.length);
  });

  it("resolves every $ref and references every component schema", () => {
    const refs = refsIn(json);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolve(ref), ref).toBeDefined();
    const used = new Set(refs);
    for (const name of Object.keys(doc.components?.schemas ?? {})) {
      expect(used.has(`#/components/schemas/${name}`), `schema ${name} is never referenced`).toBe(true);
    }
    for (const name of Object.keys(doc.components?.headers ?? {})) {
      expect(used.has(`#/components/headers/${name}`), `header ${name} is never referenced`).toBe(true);
    }
  });

  it("documents every error response with the error shape", () => {
    for (const [path, method] of OPERATIONS) {
      const op = operation(path, method);
      const errors = Object.entries(op.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const [status, response] of errors) {
        expect(response.content?.["application/json"]?.schema, `${status} of ${method} ${path}`).toEqual({
          $ref: "#/components/schemas/Error",
        });
      }
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["429", "500"]));
      expect(op.responses["429"]?.headers?.["Retry-After"]).toBeDefined();
    }
    const error = doc.components?.schemas?.Error as { properties: { error: { required: string[] } } };
    expect(error.properties.error.required.sort()).toEqual(["code", "message"]);
  });

  it("requires the API key on the dispense routes (401 documented) and nothing on the public lookup", () => {
    for (const [path, method] of OPERATIONS) {
      const op = operation(path, method);
      if (path.startsWith("/api/v1/dispense-authorizations")) {
        expect(op.security, path).toEqual([{ [BEARER_SCHEME]: [] }]);
        expect(op.responses["401"]?.headers?.["WWW-Authenticate"], path).toBeDefined();
      } else {
        expect(op.security).toEqual([]);
        expect(op.responses["401"]).toBeUndefined();
      }
    }
  });

  it("takes the request body and Idempotency-Key from the shared zod schemas", () => {
    const post = operation("/api/v1/dispense-authorizations", "post");
    expect(post.parameters).toContainEqual(
      expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }),
    );
    expect(post.requestBody?.required).toBe(true);
    expect(post.requestBody?.content["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/DispenseRequest",
    });
    const request = doc.components?.schemas?.DispenseRequest as {
      required: string[];
      additionalProperties: boolean;
      example: unknown;
    };
    expect(request.required.sort()).toEqual(Object.keys(ZDispenseRequest.shape).sort());
    expect(request.additionalProperties).toBe(false);
    // The documented example is a request the server accepts.
    expect(ZDispenseRequest.safeParse(request.example).success).toBe(true);

    const list = operation("/api/v1/dispense-authorizations", "get");
    expect(list.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual(
      ["decision", "from", "page", "pageSize", "patientRemsId", "prescriptionId", "status", "to"].map(
        (n) => `query:${n}`,
      ),
    );
    for (const path of ["{id}", "{id}/dispense", "{id}/reverse"]) {
      const method = path === "{id}" ? "get" : "post";
      expect(operation(`/api/v1/dispense-authorizations/${path}`, method).parameters).toContainEqual(
        expect.objectContaining({ name: "id", in: "path", required: true }),
      );
    }
  });

  it("answers a decision as one of approved or denied, told apart by `decision`", () => {
    expect(doc.components?.schemas?.DispenseAnswer).toMatchObject({
      oneOf: [{ $ref: "#/components/schemas/DispenseApproved" }, { $ref: "#/components/schemas/DispenseDenied" }],
      discriminator: { propertyName: "decision" },
    });
    const reason = doc.components?.schemas?.DispenseReason as { properties: { code: { enum: string[] } } };
    expect(reason.properties.code.enum).toEqual([...DENIAL_REASON_CODES]);
  });

  it("lists every reason code with its stakeholder and meaning", () => {
    const reasons = json["x-reason-codes"] as { code: string; stakeholder: string; meaning: string }[];
    expect(reasons.map((r) => r.code)).toEqual([...DENIAL_REASON_CODES]);
    for (const reason of reasons) {
      expect(reason.stakeholder, reason.code).toBeTruthy();
      expect(reason.meaning.length, reason.code).toBeGreaterThan(10);
    }
  });
});
