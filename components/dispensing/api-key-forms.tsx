"use client";

import { useActionState, useState } from "react";
import { StepUpCodeField } from "@/components/auth/signer-factor";
import { FormBanner, TextField } from "@/components/ui/field";
import { createApiKeyAction, type FormState, revokeApiKeyAction } from "@/lib/dispensing/actions";
import styles from "./dispensing.module.css";

type Created = { name: string; prefix: string; key: string };

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button secondary"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
        } catch {
          setCopied(false);
        }
      }}
    >
      {copied ? "Key copied" : "Copy key"}
    </button>
  );
}

/** Creates a key and shows its secret once; the registry keeps only a hash. */
export function CreateApiKeyForm({ askCode }: { askCode: boolean }) {
  const [state, formAction, pending] = useActionState(createApiKeyAction, {
    values: { name: "" },
    result: null,
  } satisfies FormState<Created>);
  const { values, result } = state;
  const created = result?.ok ? result.data : undefined;
  const nameError = result && !result.ok ? result.fields?.name?.[0] : undefined;
  const passwordError = result && !result.ok ? result.fields?.password?.[0] : undefined;
  const codeError = result && !result.ok ? result.fields?.code?.[0] : undefined;
  return (
    <>
      {created ? (
        <div className="banner ok" role="status" data-testid="new-api-key">
          <p>
            Key <strong>{created.name}</strong> created. Copy it now and store it in your pharmacy system:{" "}
            <strong>it will not be shown again</strong>. If it is lost, revoke it and create a new one.
          </p>
          <div className={styles.keyBox}>
            <code data-testid="api-key-secret">{created.key}</code>
            <CopyButton text={created.key} />
          </div>
        </div>
      ) : null}
      <form action={formAction} noValidate>
        {result && !result.ok ? <FormBanner kind="error">{result.message}</FormBanner> : null}
        <TextField
          id="api-key-name"
          name="name"
          label="Key name"
          hint="Which system uses it, e.g. “Dispensing system, store 12”."
          autoComplete="off"
          defaultValue={values.name}
          error={nameError}
        />
        <TextField
          id="api-key-password"
          name="password"
          type="password"
          label="Your password"
          hint="A key acts for your pharmacy: confirm it is you."
          autoComplete="current-password"
          error={passwordError}
        />
        {askCode ? <StepUpCodeField id="api-key-code" name="code" error={codeError} /> : null}
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Creating…" : "Create API key"}
        </button>
      </form>
    </>
  );
}

/** Revoking is final: the details element asks for confirmation, with or without JavaScript. */
export function RevokeApiKeyForm({ keyId, name }: { keyId: string; name: string }) {
  const [state, formAction, pending] = useActionState(revokeApiKeyAction, {
    values: { keyId },
    result: null,
  } satisfies FormState<undefined>);
  return (
    <details className={styles.confirm}>
      <summary>
        Revoke<span className={styles.srOnly}> the key {name}</span>
      </summary>
      <form action={formAction}>
        <p>Systems using “{name}” will be refused at once. This cannot be undone.</p>
        <input type="hidden" name="keyId" value={keyId} />
        <button type="submit" className={`button ${styles.danger}`} disabled={pending}>
          {pending ? "Revoking…" : `Yes, revoke ${name}`}
        </button>
        {state.result && !state.result.ok ? (
          <span className="error" role="alert">
            {state.result.message}
          </span>
        ) : null}
      </form>
    </details>
  );
}
