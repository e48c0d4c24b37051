import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";
import { formatDateTime } from "@/lib/format";
import { CreateApiKeyForm, RevokeApiKeyForm } from "@/components/dispensing/api-key-forms";
import styles from "@/components/dispensing/dispensing.module.css";
import { recordAuthorizationFailure } from "@/lib/auth/service";
import { isMfaEnrolled } from "@/lib/auth/mfa";
import { requirePagePermission } from "@/lib/auth/session";
import { FormBanner } from "@/components/ui/field";
import { apiKeyCreationBlocker, canManageApiKeys, listApiKeys } from "@/lib/dispensing/api-keys";

export const metadata: Metadata = { title: "API keys" };

const PATH = "/pharmacy/api-keys";

export default async function ApiKeysPage() {
  const actor = await requirePagePermission("apikey:issue:org", PATH);
  // Only the pharmacy's representative manages keys; other pharmacists get the 403 page.
  if (!(await canManageApiKeys(actor))) {
    await recordAuthorizationFailure(actor, "apikey:issue:org", PATH);
    forbidden();
  }
  const [keys, blocker] = await Promise.all([listApiKeys(actor), apiKeyCreationBlocker(actor)]);
  return (
    <>
      <p>
        <Link href="/pharmacy">Pharmacy dashboard</Link>
      </p>
      <h1>API keys</h1>
      <p className="muted">
        Your pharmacy system uses an API key to ask the registry for dispense authorizations (
        <code>Authorization: Bearer &lt;key&gt;</code>). Give each system its own key, and revoke a key as soon as it is
        no longer used or may have been seen by someone else.
      </p>
      <section className="card" aria-labelledby="create-heading">
        <h2 id="create-heading">Create a key</h2>
        {blocker ? (
          <FormBanner kind="warn">
            <span data-testid="api-key-blocked">{blocker}</span>
          </FormBanner>
        ) : (
          <CreateApiKeyForm askCode={await isMfaEnrolled(actor.userId)} />
        )}
      </section>
      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your pharmacy&apos;s keys</h2>
        {keys.length === 0 ? (
          <p>No keys yet.</p>
        ) : (
          <div className={styles.tableWrap}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key starts with</th>
                  <th scope="col">Created</th>
                  <th scope="col">Created by</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} data-key-id={k.id}>
                    <td>{k.name}</td>
                    <td className={styles.mono}>{k.prefix}…</td>
                    <td>{formatDateTime(k.createdAt)}</td>
                    <td>{k.createdByName ?? "—"}</td>
                    <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "Never"}</td>
                    <td>
                      {k.revokedAt ? (
                        `Revoked ${formatDateTime(k.revokedAt)}`
                      ) : (
                        <>
                          Active <RevokeApiKeyForm keyId={k.id} name={k.name} />
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
