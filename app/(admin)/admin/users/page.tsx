import type { Metadata } from "next";
import Link from "next/link";
import styles from "@/components/admin/admin.module.css";
import { UserFilters } from "@/components/users/user-filters";
import { requirePagePermission } from "@/lib/auth/session";
import { formatDateTime, formatRole } from "@/lib/format";
import { ACCOUNT_STATE_LABELS } from "@/lib/users/rules";
import { listUsers } from "@/lib/users/service";

export const metadata: Metadata = { title: "Users" };

type Search = Promise<Record<string, string | string[] | undefined>>;

function pageHref(filters: Record<string, unknown>, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (key !== "page" && typeof value === "string" && value) params.set(key, value);
  }
  params.set("page", String(page));
  return `/admin/users?${params.toString()}`;
}

export default async function UsersPage({ searchParams }: { searchParams: Search }) {
  const actor = await requirePagePermission("user:read:any", "/admin/users");
  const list = await listUsers(actor, await searchParams);
  return (
    <>
      <p>
        <Link href="/admin">Administration</Link>
      </p>
      <h1>Users</h1>
      <p>
        <Link href="/admin/users/administrators">Administrators: requests and approvals</Link>
      </p>
      <UserFilters filters={list.filters} />
      <p role="status" data-testid="users-count">
        {list.total === 0
          ? "No users match these filters."
          : `${list.total} user${list.total === 1 ? "" : "s"}, by name.`}
      </p>
      {list.rows.length ? (
        <div className={styles.tableWrap}>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              Users, page {list.page} of {list.pageCount}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail address</th>
                <th scope="col">Role</th>
                <th scope="col">Organisation</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link href={`/admin/users/${u.id}`}>{u.name}</Link>
                  </td>
                  <td>{u.email}</td>
                  <td>{formatRole(u.role)}</td>
                  <td>
                    {u.organisations.length
                      ? u.organisations.map((o) => `${o.name} (${o.kind.toLowerCase()})`).join("; ")
                      : "—"}
                  </td>
                  <td data-state={u.state}>
                    {u.state === "LOCKED" && u.lockedUntil
                      ? `Locked until ${formatDateTime(u.lockedUntil)}`
                      : ACCOUNT_STATE_LABELS[u.state]}
                  </td>
                  <td>{u.lastSignInAt ? formatDateTime(u.lastSignInAt) : "Never"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.pageCount > 1 ? (
        <nav aria-label="Pages" className={styles.pager}>
          {list.page > 1 ? (
            <Link href={pageHref(list.filters, list.page - 1)} rel="prev">
              Previous page
            </Link>
          ) : null}
          <span>
            Page {list.page} of {list.pageCount}
          </span>
          {list.page < list.pageCount ? (
            <Link href={pageHref(list.filters, list.page + 1)} rel="next">
              Next page
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
