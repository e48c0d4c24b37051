import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import styles from "@/components/admin/admin.module.css";
import { RegistryFilters } from "@/components/registry/registry-filters";
import { RegistryNav } from "@/components/registry/registry-nav";
import { requirePagePermission } from "@/lib/auth/session";
import { formatDate, formatEnrollmentStatus, REGISTRY_LIST_LABELS } from "@/lib/format";
import { isRegistryKind, REGISTRY_KIND_STAKEHOLDER } from "@/lib/registry/rules";
import { listRegistry, type RegistryList } from "@/lib/registry/service";

export const metadata: Metadata = { title: "Registry" };

type Props = {
  params: Promise<{ kind: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

function pageHref(list: RegistryList, cursor: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(list.filters)) if (value) params.set(key, value);
  for (const [key, value] of Object.entries(cursor)) params.set(key, value);
  return `/admin/registry/${list.kind}?${params.toString()}`;
}

export default async function RegistryListPage({ params, searchParams }: Props) {
  const { kind } = await params;
  const actor = await requirePagePermission("enrollment:read:any", `/admin/registry/${kind}`);
  if (!isRegistryKind(kind)) notFound();
  const list = await listRegistry(actor, kind, await searchParams);
  const title = REGISTRY_LIST_LABELS[kind];
  const stakeholderKind = REGISTRY_KIND_STAKEHOLDER[kind];
  return (
    <>
      <p>
        <Link href="/admin/registry">Registry</Link>
      </p>
      <h1>{title}</h1>
      <RegistryNav current={kind} />
      {list.notices.map((notice) => (
        <p key={notice} className="banner warn" role="status">
          {notice}
        </p>
      ))}
      <RegistryFilters list={list} />
      <p role="status" data-testid="registry-count">
        {list.rows.length === 0
          ? Object.keys(list.fieldErrors).length
            ? "Correct the search to see results."
            : "No one matches this search."
          : `Showing ${list.rows.length}${list.next ? " (more on the next page)" : ""}.`}
      </p>
      {list.rows.length ? (
        <div className={styles.tableWrap}>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              {title}
              {list.paged ? " (continued)" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Identifiers</th>
                <th scope="col">Place</th>
                <th scope="col">Programmes</th>
                <th scope="col">In the registry since</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Link href={`/admin/registry/${kind}/${encodeURIComponent(row.key)}`}>{row.name}</Link>
                  </td>
                  <td>{row.identifiers.map((i) => `${i.label} ${i.value}`).join("; ")}</td>
                  <td>{row.place ?? "—"}</td>
                  <td>
                    {row.enrollments.length
                      ? row.enrollments
                          .map(
                            (e) =>
                              `${e.programCode}: ${formatEnrollmentStatus(e.status, stakeholderKind)}${
                                e.certificationNumber ? ` (${e.certificationNumber})` : ""
                              }`,
                          )
                          .join("; ")
                      : "Not enrolled"}
                  </td>
                  <td>{formatDate(row.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.next || list.previous || list.paged ? (
        <nav aria-label="Pages" className={styles.pager}>
          {list.paged ? <Link href={pageHref(list, {})}>First page</Link> : null}
          {list.previous ? (
            <Link href={pageHref(list, { before: list.previous })} rel="prev">
              Previous page
            </Link>
          ) : null}
          {list.next ? (
            <Link href={pageHref(list, { after: list.next })} rel="next">
              Next page
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
