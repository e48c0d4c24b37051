import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/components/admin/admin.module.css";
import { FormBanner } from "@/components/ui/field";
import { AccountActionForm } from "@/components/users/account-action-form";
import { requirePagePermission } from "@/lib/auth/session";
import { can } from "@/lib/auth/permissions";
import { isAppError } from "@/lib/errors";
import { formatAuditAction, formatDateTime, formatRole } from "@/lib/format";
import { ACCOUNT_STATE_LABELS } from "@/lib/users/rules";
import { getUserDetail, type UserDetail } from "@/lib/users/service";

export const metadata: Metadata = { title: "User", robots: { index: false, follow: false } };

const DONE: Record<string, string> = {
  deactivate: "The account is deactivated and every session has ended. The person has been e-mailed.",
  reactivate: "The account is active again. The person has been e-mailed.",
  unlock: "The account is unlocked and its failed sign-ins are cleared. The person has been e-mailed.",
  "end-sessions": "The session has ended. The person has been e-mailed.",
  "reset-mfa":
    "Two-step sign-in is reset and every session has ended. The person has been e-mailed: their role requires two-step sign-in, so they set up an authenticator again at the next sign-in.",
  "reset-mfa-optional":
    "Two-step sign-in is reset and every session has ended. The person has been e-mailed. Their role does not require two-step sign-in: it stays off, and they sign in with their password alone, until they turn it on again at Account security.",
  "force-password-reset":
    "The current password no longer works and every session has ended. The person has been e-mailed a link to choose a new one.",
};

async function load(actor: Awaited<ReturnType<typeof requirePagePermission>>, id: string): Promise<UserDetail> {
  try {
    return await getUserDetail(actor, id);
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ done?: string }>;
}) {
  const { id } = await params;
  const actor = await requirePagePermission("user:read:any", `/admin/users/${id}`);
  const [user, { done }] = await Promise.all([load(actor, id), searchParams]);
  const manage = can(actor, "user:manage:any");
  const openSessions = user.sessions.filter((s) => s.state.open);
  return (
    <>
      <p>
        <Link href="/admin/users">Users</Link>
      </p>
      <h1>{user.name}</h1>
      {done && DONE[done] ? (
        <FormBanner kind="ok">
          {DONE[done === "reset-mfa" && !user.mfa.requiredForRole ? "reset-mfa-optional" : done]}
        </FormBanner>
      ) : null}

      <section className="card" aria-labelledby="profile">
        <h2 id="profile">Profile</h2>
        <dl className={styles.details}>
          <dt>E-mail address</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>{formatRole(user.role)}</dd>
          <dt>Status</dt>
          <dd data-testid="account-state">{ACCOUNT_STATE_LABELS[user.state]}</dd>
          <dt>Account created</dt>
          <dd>{formatDateTime(user.createdAt)}</dd>
          <dt>Last sign-in</dt>
          <dd>{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : "Never"}</dd>
          <dt>Organisation</dt>
          <dd>
            {user.organisations.length === 0 ? (
              "None"
            ) : (
              <ul>
                {user.organisations.map((o) => (
                  <li key={`${o.kind}-${o.identifier}`}>
                    {o.kind}: {o.name} ({o.identifier})
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="sign-in">
        <h2 id="sign-in">Sign-in</h2>
        <dl className={styles.details}>
          <dt>Failed sign-ins since the last successful one</dt>
          <dd data-testid="failed-sign-ins">{user.failedSignIns}</dd>
          <dt>Last failed sign-in</dt>
          <dd>{user.lastFailedSignInAt ? formatDateTime(user.lastFailedSignInAt) : "None recorded"}</dd>
          <dt>Lock</dt>
          <dd>{user.lockedUntil ? `Locked until ${formatDateTime(user.lockedUntil)}` : "Not locked"}</dd>
          <dt>Two-step sign-in</dt>
          <dd data-testid="mfa-state">
            {user.mfa.enabledAt
              ? `On since ${formatDateTime(user.mfa.enabledAt)}; ${user.mfa.recoveryCodesLeft} recovery code${user.mfa.recoveryCodesLeft === 1 ? "" : "s"} left`
              : user.mfa.requiredForRole
                ? "Off: required for this role, asked for at the next sign-in"
                : "Off"}
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="sessions">
        <h2 id="sessions">Sessions</h2>
        <p>
          {openSessions.length === 0
            ? "No open sessions."
            : `${openSessions.length} open session${openSessions.length === 1 ? "" : "s"}.`}
        </p>
        {user.sessions.length ? (
          <div className={styles.tableWrap}>
            <table>
              <caption className="muted" style={{ textAlign: "left" }}>
                The latest {user.sessions.length} sessions, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Started</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Ended</th>
                </tr>
              </thead>
              <tbody>
                {user.sessions.map((s) => (
                  <tr key={s.id} data-open={s.state.open ? "yes" : "no"}>
                    <td>{s.device}</td>
                    <td>{s.ip ?? "—"}</td>
                    <td>{formatDateTime(s.startedAt)}</td>
                    <td>{formatDateTime(s.lastSeenAt)}</td>
                    <td>
                      {s.state.open ? (
                        manage && !user.isSelf ? (
                          <details>
                            <summary>Open — end this session</summary>
                            <AccountActionForm
                              kind="end-sessions"
                              userId={user.id}
                              sessionId={s.id}
                              title="End this session"
                              help="That browser is signed out on its next request."
                              button="End this session"
                              danger
                            />
                          </details>
                        ) : (
                          "Open"
                        )
                      ) : (
                        `${s.state.endedAt ? `${formatDateTime(s.state.endedAt)}: ` : ""}${s.state.why}`
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      {manage && !user.isSelf ? (
        <section aria-labelledby="actions">
          <h2 id="actions">Actions</h2>
          <div className={styles.actions}>
            {user.state === "DEACTIVATED" ? (
              <AccountActionForm
                kind="reactivate"
                userId={user.id}
                title="Reactivate"
                help="The person can sign in again. Their earlier sessions stay ended."
                button="Reactivate account"
              />
            ) : (
              <AccountActionForm
                kind="deactivate"
                userId={user.id}
                title="Deactivate"
                help="Every session ends at once and the person cannot sign in until reactivated."
                button="Deactivate account"
                danger
              />
            )}
            {user.failedSignIns > 0 || user.lockedUntil ? (
              <AccountActionForm
                kind="unlock"
                userId={user.id}
                title="Unlock"
                help="Clears the lock and the failed sign-ins so the person can try again now."
                button="Unlock account"
              />
            ) : null}
            {user.state !== "DEACTIVATED" ? (
              <AccountActionForm
                kind="force-password-reset"
                userId={user.id}
                title="Force a password reset"
                help="The current password stops working, every session ends, and the person is e-mailed a link (valid 30 minutes) to choose a new one."
                button="Force password reset"
                danger
              />
            ) : null}
            {user.mfa.enabledAt ? (
              <AccountActionForm
                kind="reset-mfa"
                userId={user.id}
                title="Reset two-step sign-in"
                help={
                  user.mfa.requiredForRole
                    ? "For a lost device: the authenticator and recovery codes stop working, every session ends, and the person sets up a new authenticator at the next sign-in (their role requires it)."
                    : "For a lost device: the authenticator and recovery codes stop working and every session ends. Their role does not require two-step sign-in: it stays off until the person turns it on again."
                }
                button="Reset two-step sign-in"
                danger
              />
            ) : null}
            {openSessions.length > 0 ? (
              <AccountActionForm
                kind="end-sessions"
                userId={user.id}
                title="End every session"
                help="Signs the person out on every device; they can sign in again."
                button="End every session"
                danger
              />
            ) : null}
          </div>
        </section>
      ) : user.isSelf ? (
        <p className="muted">This is your own account: another administrator manages it.</p>
      ) : null}

      <section className="card" aria-labelledby="audit">
        <h2 id="audit">Audit events</h2>
        {user.events.length === 0 ? (
          <p>No audit events.</p>
        ) : (
          <div className={styles.tableWrap}>
            <table>
              <caption className="muted" style={{ textAlign: "left" }}>
                By this person and about this account, newest first (latest {user.events.length})
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">By</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {user.events.map((ev) => (
                  <tr key={ev.seq} data-action={ev.action}>
                    <td>{formatDateTime(ev.at)}</td>
                    <td>{formatAuditAction(ev.action)}</td>
                    <td>{ev.byUser ? "This person" : ev.actorName}</td>
                    <td>{ev.reason ?? "—"}</td>
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
