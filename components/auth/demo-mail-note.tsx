import { env } from "@/lib/env";

/** In the demo (no mail server), where the e-mail this page promises can be read instead. */
export function DemoMailNote() {
  if (!env().REMSGATE_DEMO || process.env.SMTP_URL) return null;
  return (
    <p className="banner warn" data-testid="demo-mail-note">
      This demo sends no e-mail: each message, with its link, is printed in the terminal where <code>npm run demo</code>{" "}
      runs.
    </p>
  );
}
