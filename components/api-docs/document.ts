/**
 * Reading the OpenAPI document for the documentation page: operations in order, schemas by
 * reference, field rows, and curl examples built from the documented examples. Pure functions of
 * the document (lib/dispensing/openapi.ts), so the page cannot say anything the document does not.
 */
import type { OpenApiDocument } from "@/lib/dispensing/openapi";

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  default?: unknown;
  example?: unknown;
  discriminator?: { propertyName: string };
}

export interface Parameter {
  name: string;
  in: "query" | "header" | "path" | "cookie";
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

export interface Response {
  description?: string;
  headers?: Record<string, { $ref?: string; description?: string; schema?: JsonSchema }>;
  content?: Record<string, { schema?: JsonSchema }>;
}

export interface Operation {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  secured: boolean;
  parameters: Parameter[];
  requestBody?: { description?: string; schema?: JsonSchema };
  responses: [string, Response][];
}

export interface FieldRow {
  name: string;
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** "#/components/schemas/DispenseRequest" → "DispenseRequest". */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

export function anchorFor(kind: "op" | "schema", name: string): string {
  return `${kind}-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    // In the document's order (the order the endpoints were registered in).
    for (const [method, value] of Object.entries(item as Record<string, unknown>)) {
      if (!METHODS.includes(method)) continue;
      const op = value as
        | {
            operationId?: string;
            summary?: string;
            description?: string;
            tags?: string[];
            security?: unknown[];
            parameters?: Parameter[];
            requestBody?: { description?: string; content?: Record<string, { schema?: JsonSchema }> };
            responses?: Record<string, Response>;
          }
        | undefined;
      if (!op) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method}-${path}`,
        summary: op.summary ?? `${method.toUpperCase()} ${path}`,
        description: op.description,
        tags: op.tags ?? [],
        secured: (op.security ?? doc.security ?? []).length > 0,
        parameters: op.parameters ?? [],
        requestBody: op.requestBody
          ? { description: op.requestBody.description, schema: op.requestBody.content?.["application/json"]?.schema }
          : undefined,
        responses: Object.entries(op.responses ?? {}),
      });
    }
  }
  return operations;
}

export function schemasOf(doc: OpenApiDocument): [string, JsonSchema][] {
  return Object.entries((doc.components?.schemas ?? {}) as Record<string, JsonSchema>);
}

export function resolveSchema(doc: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema?.$ref) return schema;
  return (doc.components?.schemas as Record<string, JsonSchema> | undefined)?.[refName(schema.$ref)];
}

export function headerOf(doc: OpenApiDocument, header: { $ref?: string; description?: string }) {
  if (!header.$ref) return header;
  return ((doc.components?.headers ?? {}) as Record<string, { description?: string }>)[refName(header.$ref)] ?? {};
}

/** The fields of an object schema, required first in document order. */
export function fieldsOf(schema: JsonSchema | undefined): FieldRow[] {
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, field]) => ({
    name,
    required: required.has(name),
    schema: field,
    description: field.description,
  }));
}

/** Limits worth telling a client: lengths, ranges, patterns, defaults. */
export function constraintsOf(schema: JsonSchema): string[] {
  const notes: string[] = [];
  if (schema.minLength !== undefined && schema.maxLength !== undefined) {
    notes.push(`${schema.minLength}–${schema.maxLength} characters`);
  } else if (schema.maxLength !== undefined) notes.push(`at most ${schema.maxLength} characters`);
  else if (schema.minLength !== undefined) notes.push(`at least ${schema.minLength} characters`);
  if (schema.minimum !== undefined && schema.maximum !== undefined) notes.push(`${schema.minimum}–${schema.maximum}`);
  else if (schema.minimum !== undefined) notes.push(`at least ${schema.minimum}`);
  else if (schema.maximum !== undefined) notes.push(`at most ${schema.maximum}`);
  if (schema.pattern) notes.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  return notes;
}

/** An example value for a schema: its example, default or first enum value, else a placeholder. */
export function exampleOf(doc: OpenApiDocument, schema: JsonSchema | undefined, depth = 0): unknown {
  const resolved = resolveSchema(doc, schema);
  if (!resolved || depth > 6) return null;
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.enum?.length) return resolved.enum[0];
  const variant = resolved.oneOf?.[0] ?? resolved.anyOf?.[0];
  if (variant) return exampleOf(doc, variant, depth + 1);
  const type = Array.isArray(resolved.type) ? resolved.type.find((t) => t !== "null") : resolved.type;
  switch (type) {
    case "object":
      return Object.fromEntries(
        fieldsOf(resolved)
          .filter((f) => f.required || f.schema.example !== undefined)
          .map((f) => [f.name, exampleOf(doc, f.schema, depth + 1)]),
      );
    case "array":
      return [];
    case "integer":
    case "number":
      return resolved.minimum ?? 1;
    case "boolean":
      return true;
    case "string":
      if (resolved.format === "uuid") return "0b6f3f0e-7c1a-4a8e-9a57-1f2f3c4d5e6f";
      if (resolved.format === "date-time") return "2026-03-02T14:30:00Z";
      return "…";
    default:
      return null;
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A curl command for the operation, with the documented examples filled in. */
export function curlFor(doc: OpenApiDocument, op: Operation, serverUrl: string): string {
  let path = op.path;
  const query: string[] = [];
  const lines: string[] = [];
  for (const p of op.parameters) {
    const example = exampleOf(doc, p.schema);
    if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(String(example)));
    if (p.in === "query" && p.schema?.example !== undefined)
      query.push(`${p.name}=${encodeURIComponent(String(example))}`);
  }
  const url = `${serverUrl}${path}${query.length > 0 ? `?${query.join("&")}` : ""}`;
  lines.push(`curl${op.method === "GET" ? "" : ` -X ${op.method}`} ${shellQuote(url)}`);
  if (op.secured) lines.push(`-H "Authorization: Bearer $REMSGATE_API_KEY"`);
  for (const p of op.parameters) {
    if (p.in === "header") lines.push(`-H "${p.name}: $(uuidgen)"`);
  }
  if (op.requestBody) {
    lines.push(`-H 'Content-Type: application/json'`);
    lines.push(`--data ${shellQuote(JSON.stringify(exampleOf(doc, op.requestBody.schema)))}`);
  }
  return lines.join(" \\\n  ");
}
