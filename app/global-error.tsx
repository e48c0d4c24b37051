"use client";

import { ErrorView } from "./error-view";
import "./globals.css";

/** When the root layout itself fails (it reads the session from the database), in place of the whole document. */
export default function GlobalError({ error }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <head>
        <title>remsgate — temporarily unavailable</title>
      </head>
      <body>
        <main id="main">
          <ErrorView digest={error.digest} />
        </main>
      </body>
    </html>
  );
}
