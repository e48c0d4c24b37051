import Link from "next/link";
import type { ReactNode } from "react";
import styles from "@/components/admin/admin.module.css";
import type { DetailSection } from "@/lib/registry/schema";

interface Props {
  id: DetailSection;
  title: string;
  /** The page's own address, to open this section at length. */
  path: string;
  /** The rows shown, and whether there are more. */
  section: { rows: unknown[]; more: boolean };
  /** The section the page shows at length, if any. */
  open: DetailSection | undefined;
  empty: string;
  headers: string[];
  children: ReactNode;
}

/** One bounded section of a stakeholder's history: the latest rows, and a link to see more of them. */
export function HistorySection({ id, title, path, section, open, empty, headers, children }: Props) {
  const headingId = `section-${id}`;
  const count = section.rows.length;
  const { more } = section;
  const expanded = open === id;
  return (
    <section aria-labelledby={headingId} id={id}>
      <h2 id={headingId}>{title}</h2>
      {count === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className={styles.tableWrap}>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              {title}: the latest {count}, newest first
            </caption>
            <thead>
              <tr>
                {headers.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </div>
      )}
      {more ? (
        <p>
          {expanded ? (
            `Only the latest ${count} are shown.`
          ) : (
            <Link href={`${path}?more=${id}#${id}`}>More {title.toLowerCase()}</Link>
          )}
        </p>
      ) : null}
      {expanded ? (
        <p>
          <Link href={`${path}#${id}`}>Show the latest only</Link>
        </p>
      ) : null}
    </section>
  );
}
