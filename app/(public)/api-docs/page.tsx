import type { Metadata } from "next";
import { anchorFor, fieldsOf, operationsOf, refName, schemasOf } from "@/components/api-docs/document";
import { FieldTable, InlineText, TypeLabel } from "@/components/api-docs/field-table";
import { OperationSection } from "@/components/api-docs/operation-section";
import styles from "@/components/api-docs/api-docs.module.css";
import { API_ERROR_CODES, buildOpenApiDocument, REASON_CODE_MEANINGS } from "@/lib/dispensing/openapi";
import { REASON_STAKEHOLDERS } from "@/lib/dispensing/messages";
import { env } from "@/lib/env";
import { DENIAL_REASON_CODES } from "@/lib/programs/schema";

export const metadata: Metadata = { title: "API documentation" };

/**
 * The public API's documentation, rendered on the server from the OpenAPI document that
 * /api/v1/openapi.json serves: endpoints, parameters, fields, status codes and curl examples.
 */
export default function ApiDocsPage() {
  const serverUrl = env().APP_URL.replace(/\/$/, "");
  const doc = buildOpenApiDocument({ serverUrl });
  const operations = operationsOf(doc);
  const tags = (doc.tags ?? []).map((tag) => ({
    ...tag,
    operations: operations.filter((o) => o.tags.includes(tag.name)),
  }));

  return (
    <>
      <h1>API documentation</h1>
      <p className="muted">
        {doc.info.title}, version {doc.info.version}. The machine-readable OpenAPI 3.1 document is at{" "}
        <a href="/api/v1/openapi.json">
          <code className={styles.inline}>/api/v1/openapi.json</code>
        </a>
        .
      </p>

      <nav aria-labelledby="contents-heading" className="card">
        <h2 id="contents-heading">Contents</h2>
        <ul className={styles.toc}>
          <li>
            <a href="#getting-started">Getting started</a>
          </li>
          {operations.map((op) => (
            <li key={op.operationId}>
              <a href={`#${anchorFor("op", op.operationId)}`}>{op.summary}</a>
            </li>
          ))}
          <li>
            <a href="#schemas">Schemas</a>
          </li>
          <li>
            <a href="#error-codes">Error codes</a>
          </li>
          <li>
            <a href="#reason-codes">Reason codes</a>
          </li>
        </ul>
      </nav>

      <section aria-labelledby="getting-started" className="card">
        <h2 id="getting-started">Getting started</h2>
        <p>
          Send every request to <code className={styles.inline}>{serverUrl}</code>. Bodies and answers are JSON.
        </p>
        <ul>
          <li>
            <strong>Authentication.</strong> Your pharmacy&apos;s authorised representative creates API keys in the
            pharmacy portal; a key is shown once. Send it as{" "}
            <code className={styles.inline}>Authorization: Bearer &lt;key&gt;</code>. A missing, unknown or revoked key
            is answered with 401 and <code className={styles.inline}>WWW-Authenticate: Bearer</code>. The public
            certification lookup needs no key.
          </li>
          <li>
            <strong>Idempotency.</strong> Each dispense request carries an{" "}
            <code className={styles.inline}>Idempotency-Key</code> header you make up (a UUID). Retrying with the same
            key and body returns the original decision with{" "}
            <code className={styles.inline}>Idempotent-Replayed: true</code>; the same key with a different body is a
            409.
          </li>
          <li>
            <strong>Decisions.</strong> A denial is a 200 answer listing every reason that applies; dispense only on{" "}
            <code className={styles.inline}>APPROVED</code>, before <code className={styles.inline}>expiresAt</code>,
            then confirm the dispense (or reverse it later).
          </li>
          <li>
            <strong>Rate limits.</strong> Each API key has a per-minute budget, reported in{" "}
            <code className={styles.inline}>RateLimit-Limit</code> and{" "}
            <code className={styles.inline}>RateLimit-Remaining</code>; past it the answer is 429 with{" "}
            <code className={styles.inline}>Retry-After</code> (seconds).
          </li>
          <li>
            <strong>Errors.</strong> Every error is{" "}
            <code className={styles.inline}>{'{ "error": { "code", "message", "fields"? } }'}</code>; every answer
            carries <code className={styles.inline}>x-request-id</code> to quote when asking for help.
          </li>
        </ul>
      </section>

      {tags.map((tag) => (
        <section key={tag.name} aria-labelledby={anchorFor("op", tag.name)}>
          <h2 id={anchorFor("op", tag.name)}>{tag.name}</h2>
          {tag.description ? <p className="muted">{tag.description}</p> : null}
          {tag.operations.map((op) => (
            <OperationSection key={op.operationId} doc={doc} op={op} serverUrl={serverUrl} />
          ))}
        </section>
      ))}

      <section aria-labelledby="schemas">
        <h2 id="schemas">Schemas</h2>
        {schemasOf(doc).map(([name, schema]) => {
          const id = anchorFor("schema", name);
          const variants = schema.oneOf ?? schema.anyOf;
          return (
            <section key={name} className="card" aria-labelledby={id}>
              <h3 id={id}>{name}</h3>
              {schema.description ? (
                <p>
                  <InlineText text={schema.description} />
                </p>
              ) : null}
              {variants ? (
                <p>
                  One of{" "}
                  {variants.map((v, i) => (
                    <span key={v.$ref ?? i}>
                      {i > 0 ? " or " : null}
                      <TypeLabel schema={v} />
                    </span>
                  ))}
                  {schema.discriminator ? (
                    <>
                      , told apart by <code className={styles.inline}>{schema.discriminator.propertyName}</code>
                    </>
                  ) : null}
                  .
                </p>
              ) : (
                <FieldTable caption={`${name} fields`} rows={fieldsOf(schema)} />
              )}
              {name === "Error" ? (
                <p>
                  <code className={styles.inline}>error.fields</code> maps each field name to its messages, e.g.{" "}
                  <code className={styles.inline}>{'{ "quantity": ["The quantity must be at least 1"] }'}</code>.
                </p>
              ) : null}
              {schema.$ref ? <p>See {refName(schema.$ref)}.</p> : null}
            </section>
          );
        })}
      </section>

      <section aria-labelledby="error-codes" className="card">
        <h2 id="error-codes">Error codes</h2>
        <table className={styles.table}>
          <caption>Error codes and their HTTP status</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Status</th>
              <th scope="col">Meaning</th>
            </tr>
          </thead>
          <tbody>
            {API_ERROR_CODES.map((e) => (
              <tr key={e.code}>
                <th scope="row">
                  <code>{e.code}</code>
                </th>
                <td>{e.status}</td>
                <td>{e.meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="reason-codes" className="card">
        <h2 id="reason-codes">Reason codes</h2>
        <p>
          A decision lists its reasons in <code className={styles.inline}>reasons</code> (blocking) and{" "}
          <code className={styles.inline}>warnings</code>. Each has a stable code, the stakeholder it concerns and a
          message that says who must act.
        </p>
        <table className={styles.table}>
          <caption>Reason codes</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Concerns</th>
              <th scope="col">Meaning</th>
            </tr>
          </thead>
          <tbody>
            {DENIAL_REASON_CODES.map((code) => (
              <tr key={code}>
                <th scope="row">
                  <code>{code}</code>
                </th>
                <td>{REASON_STAKEHOLDERS[code]}</td>
                <td>{REASON_CODE_MEANINGS[code]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
