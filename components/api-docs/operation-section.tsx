import type { OpenApiDocument } from "@/lib/dispensing/openapi";
import { anchorFor, curlFor, fieldsOf, headerOf, type Operation, refName, resolveSchema } from "./document";
import { FieldTable, InlineText, TypeLabel } from "./field-table";
import styles from "./api-docs.module.css";

const IN_LABEL = { query: "Query parameters", header: "Headers", path: "Path parameters", cookie: "Cookies" } as const;

/** One endpoint: what it does, what it takes, what it answers, and a curl example. */
export function OperationSection({ doc, op, serverUrl }: { doc: OpenApiDocument; op: Operation; serverUrl: string }) {
  const id = anchorFor("op", op.operationId);
  const body = op.requestBody?.schema;
  const ok = op.responses.find(([status]) => status.startsWith("2"));
  const okSchema = ok?.[1].content?.["application/json"]?.schema;
  const groups = (["path", "query", "header"] as const)
    .map((where) => ({ where, params: op.parameters.filter((p) => p.in === where) }))
    .filter((g) => g.params.length > 0);

  return (
    <section className={`card ${styles.operation}`} aria-labelledby={id}>
      <h3 id={id}>
        <span className={`${styles.method} ${op.method === "POST" ? styles.post : ""}`}>{op.method}</span>
        <span className={styles.path}>{op.path}</span>
      </h3>
      <p>
        <strong>{op.summary}.</strong> <InlineText text={op.description} />
      </p>
      <p className="muted">
        {op.secured ? "Needs your pharmacy's API key (or a signed-in pharmacist)." : "Public: no API key needed."}
      </p>

      {groups.map(({ where, params }) => (
        <FieldTable
          key={where}
          caption={IN_LABEL[where]}
          nameHeader="Name"
          rows={params.map((p) => ({
            name: p.name,
            required: p.required === true,
            schema: p.schema ?? {},
            description: p.description,
          }))}
        />
      ))}

      {body ? (
        <>
          <h4>Request body</h4>
          <p>
            JSON: <TypeLabel schema={body} />. <InlineText text={op.requestBody?.description} />
          </p>
          <FieldTable caption="Request body fields" rows={fieldsOf(resolveSchema(doc, body))} />
        </>
      ) : null}

      <h4>Responses</h4>
      <table className={styles.table}>
        <caption>Status codes</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Meaning</th>
            <th scope="col">Body</th>
            <th scope="col">Headers</th>
          </tr>
        </thead>
        <tbody>
          {op.responses.map(([status, response]) => {
            const schema = response.content?.["application/json"]?.schema;
            return (
              <tr key={status}>
                <th scope="row">{status}</th>
                <td>
                  <InlineText text={response.description} />
                </td>
                <td>{schema ? <TypeLabel schema={schema} /> : "—"}</td>
                <td>
                  {Object.entries(response.headers ?? {})
                    .filter(([name]) => name !== "X-Request-Id")
                    .map(([name, header]) => (
                      <span key={name} className={styles.note} title={headerOf(doc, header).description}>
                        <code className={styles.inline}>{name}</code>
                      </span>
                    ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {okSchema?.$ref ? (
        <p>
          A successful answer is a{" "}
          <a href={`#${anchorFor("schema", refName(okSchema.$ref))}`}>{refName(okSchema.$ref)}</a>.
        </p>
      ) : null}

      <figure className={styles.example}>
        <figcaption>
          <h4>Example</h4>
        </figcaption>
        <pre className={styles.code}>
          <code>{curlFor(doc, op, serverUrl)}</code>
        </pre>
      </figure>
    </section>
  );
}
