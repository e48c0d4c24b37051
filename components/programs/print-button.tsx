"use client";

import styles from "./program-view.module.css";

/** Opens the browser's print dialog; the page's print stylesheet leaves only the programme. */
export function PrintButton() {
  return (
    <button type="button" className={`button secondary ${styles.noPrint}`} onClick={() => window.print()}>
      Print this programme
    </button>
  );
}
