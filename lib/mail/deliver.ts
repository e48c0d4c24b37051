import nodemailer, { type Transporter } from "nodemailer";
import { db, type Db } from "../db";
import { env } from "../env";
import { logger } from "../logger";

const MAX_ATTEMPTS = 8;

let transport: Transporter | undefined;
let transportUrl: string | undefined;

/**
 * SMTP_URL (e.g. smtp://user:pass@smtp.example.org:587) selects the mail server. Without it (the
 * demo), messages are written to the log instead of being sent, and still marked delivered.
 */
function getTransport(): Transporter {
  const url = process.env.SMTP_URL ?? "";
  if (!transport || transportUrl !== url) {
    transport = url ? nodemailer.createTransport(url) : nodemailer.createTransport({ jsonTransport: true });
    transportUrl = url;
  }
  return transport;
}

export function mailFrom(): string {
  return process.env.MAIL_FROM ?? "REMS registry <no-reply@remsgate.local>";
}

/**
 * Sends queued messages, those tried least first and then oldest first, so a backlog that keeps
 * failing never holds up a new message. Each message is claimed with a conditional update so two
 * processes never send the same one. Returns how many were sent. Failures are logged once per pass
 * (how many, and the first error), not once per message: an unreachable mail server would
 * otherwise write a line for every queued message on every pass. `only.to` limits the pass to the
 * messages queued for those addresses (a test sending its own mail through a shared outbox).
 */
export async function deliverPendingMail(client: Db = db(), limit = 50, only: { to?: string[] } = {}): Promise<number> {
  const pending = await client.mailMessage.findMany({
    where: { sentAt: null, attempts: { lt: MAX_ATTEMPTS }, ...(only.to ? { to: { in: only.to } } : {}) },
    orderBy: [{ attempts: "asc" }, { createdAt: "asc" }],
    take: limit,
    select: { id: true, to: true, subject: true, text: true, attempts: true },
  });
  let sent = 0;
  const failed: { mailId: string; error: unknown }[] = [];
  for (const message of pending) {
    const claimed = await client.mailMessage.updateMany({
      where: { id: message.id, sentAt: null, attempts: message.attempts },
      data: { attempts: { increment: 1 } },
    });
    if (claimed.count === 0) continue;
    try {
      const info = await getTransport().sendMail({
        from: mailFrom(),
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
      if (!process.env.SMTP_URL) {
        logger.info({ to: message.to, subject: message.subject }, "mail (no SMTP_URL: logged, not sent)");
        // The demo has no mail server: print the message, so activation and reset links can be followed.
        if (env().REMSGATE_DEMO) {
          process.stdout.write(
            `\n----- e-mail (demo: not sent) -----\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n-----------------------------------\n`,
          );
        }
      } else logger.debug({ messageId: info.messageId }, "mail sent");
      await client.mailMessage.update({ where: { id: message.id }, data: { sentAt: new Date(), lastError: null } });
      sent++;
    } catch (error) {
      failed.push({ mailId: message.id, error });
      await client.mailMessage.update({
        where: { id: message.id },
        data: { lastError: error instanceof Error ? error.message.slice(0, 500) : String(error) },
      });
    }
  }
  if (failed.length > 0) {
    const first = failed[0] as { mailId: string; error: unknown };
    logger.warn(
      { err: first.error, mailId: first.mailId, failed: failed.length, sent },
      `mail delivery failed for ${failed.length} message(s); they stay queued and will be retried`,
    );
  }
  return sent;
}

/** Fire-and-forget delivery after a request's transaction committed; failures stay queued. */
export function deliverSoon(client: Db = db()): void {
  void deliverPendingMail(client).catch((error) => logger.warn({ err: error }, "mail delivery pass failed"));
}
