import Link from "next/link";
import styles from "./admin.module.css";

/** "Previous page · Page n of m · Next page" for a server-paginated list; nothing for one page. */
export function Pager({ page, pageCount, href }: { page: number; pageCount: number; href: (page: number) => string }) {
  if (pageCount <= 1) return null;
  return (
    <nav aria-label="Pages" className={styles.pager}>
      {page > 1 ? (
        <Link href={href(page - 1)} rel="prev">
          Previous page
        </Link>
      ) : null}
      <span>
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link href={href(page + 1)} rel="next">
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
