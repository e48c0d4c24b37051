import type { ReactNode } from "react";
import { anchorFor, constraintsOf, type FieldRow, type JsonSchema, refName } from "./document";
import styles from "./api-docs.module.css";

/** Text from the document, with `backticked` parts shown as code. */
export function InlineText({ text }: { text: string | undefined }): ReactNode {
  if (!text) return null;
  return text.split(/(`[^`]+`)/).map((part, i) =>
    part.startsWith("`") && part.endsWith("`") && part.length > 2 ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of a fixed string never reorder
      <code key={i} className={styles.inline}>
        {part.slice(1, -1)}
      </code>
    ) : (
      part
    ),
  );
}

/** "string (uuid)", "array of DispenseReason" (linked), "one of APPROVED, DENIED", "string or null". */
export function TypeLabel({ schema }: { schema: JsonSchema }): ReactNode {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return <a href={`#${anchorFor("schema", name)}`}>{name}</a>;
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    return variants.map((v, i) => (
      <span key={v.$ref ?? i}>
        {i > 0 ? " or " : null}
        <TypeLabel schema={v} />
      </span>
    ));
  }
  if (schema.enum) return `one of ${schema.enum.map((v) => String(v)).join(", ")}`;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? "any"];
  return types.map((type, i) => (
    <span key={type}>
      {i > 0 ? " or " : null}
      {type === "array" && schema.items ? (
        <>
          array of <TypeLabel schema={schema.items} />
        </>
      ) : type === "object" && typeof schema.additionalProperties === "object" ? (
        <>
          object of <TypeLabel schema={schema.additionalProperties} />
        </>
      ) : (
        `${type}${type === "string" && schema.format ? ` (${schema.format})` : ""}`
      )}
    </span>
  ));
}

/** The fields of a request or response body, or the parameters of an operation. */
export function FieldTable({
  caption,
  rows,
  nameHeader = "Field",
}: {
  caption: string;
  rows: FieldRow[];
  nameHeader?: string;
}) {
  if (rows.length === 0) return null;
  return (
    <table className={styles.table}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{nameHeader}</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const notes = constraintsOf(row.schema);
          return (
            <tr key={row.name}>
              <th scope="row">
                <code>{row.name}</code>
              </th>
              <td>
                <TypeLabel schema={row.schema} />
              </td>
              <td>{row.required ? <span className={styles.required}>required</span> : "optional"}</td>
              <td>
                <InlineText text={row.description ?? row.schema.description} />
                {notes.length > 0 ? <span className={styles.note}>{notes.join("; ")}</span> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
