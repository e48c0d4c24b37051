import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { deliverPendingMail } from "../../lib/mail/deliver";
import { queueMail } from "../../lib/mail/outbox";
import { parseMessage, startSmtpServer, type TestSmtpServer } from "../setup/smtp";

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp.close();
  await disconnectDb();
});

/** A local port with nothing listening on it (connections are refused at once). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function queue(to: string, subject: string, text: string) {
  return db().$transaction((tx) => queueMail(tx, { to, subject, text, category: "test.mail" }));
}

describe("the test SMTP server's parser", () => {
  it("unfolds headers and decodes encoded words and quoted-printable bodies", () => {
    const raw = [
      "From: REMS registry <no-reply@remsgate.local>",
      "To: a@example.test",
      "Subject: =?UTF-8?Q?Caf=C3=A9_approved?= and",
      " folded",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: quoted-printable",
      "",
      "Hello =E2=80=94 world, a long line that wraps=",
      " here.",
      "",
    ].join("\r\n");
    const parsed = parseMessage(raw);
    expect(parsed.subject).toBe("Café approved and folded");
    expect(parsed.to).toBe("a@example.test");
    expect(parsed.text).toBe("Hello — world, a long line that wraps here.");
  });
});

describe("deliverPendingMail over SMTP", () => {
  it("delivers queued messages once, with their text intact", async () => {
    const to = `mail-${randomUUID()}@example.test`;
    const queued = await queue(
      to,
      "Enrollment update — ünïcode",
      "Line one\nLine two — with a dash\n\n— REMS registry",
    );
    process.env.SMTP_URL = smtp.url;
    for (let i = 0; i < 20; i++) {
      const row = await db().mailMessage.findUniqueOrThrow({ where: { id: queued.id } });
      if (row.sentAt) break;
      await deliverPendingMail(db(), 50, { to: [to] });
    }
    const received = await smtp.waitFor((m) => m.envelopeTo.includes(to));
    expect(received.subject).toBe("Enrollment update — ünïcode");
    expect(received.text).toBe("Line one\nLine two — with a dash\n\n— REMS registry");
    expect(received.envelopeFrom).toBe("no-reply@remsgate.local");

    // A second pass does not send it again.
    await deliverPendingMail(db(), 50, { to: [to] });
    expect(smtp.messages.filter((m) => m.envelopeTo.includes(to))).toHaveLength(1);
  });

  it("keeps a message queued with the error when the server cannot be reached, and sends it later", async () => {
    // Test files share the database and other files' services run delivery passes too; if one of
    // those takes the message before our failing pass does, try again with a new one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const to = `retry-${randomUUID()}@example.test`;
      const queued = await queue(to, "Retry me", "Body");
      process.env.SMTP_URL = `smtp://127.0.0.1:${await closedPort()}`;
      await deliverPendingMail(db(), 50, { to: [to] });
      const failed = await db().mailMessage.findUniqueOrThrow({ where: { id: queued.id } });
      if (failed.sentAt) continue;
      expect(failed.attempts).toBe(1);
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);

      process.env.SMTP_URL = smtp.url;
      for (let i = 0; i < 20; i++) {
        const row = await db().mailMessage.findUniqueOrThrow({ where: { id: queued.id } });
        if (row.sentAt) break;
        await deliverPendingMail(db(), 50, { to: [to] });
      }
      const sent = await db().mailMessage.findUniqueOrThrow({ where: { id: queued.id } });
      expect(sent.sentAt).not.toBeNull();
      expect(sent.lastError).toBeNull();
      expect(sent.attempts).toBe(2);
      const received = await smtp.waitFor((m) => m.envelopeTo.includes(to));
      expect(received.subject).toBe("Retry me");
      return;
    }
    throw new Error("another delivery pass took the message every time");
  });

  it("a pass for some addresses sends only what is queued for them", async () => {
    // A pass of one message takes the oldest pending one; for `mine` it must skip the older `other`
    // (and any other file's pending mail) and take the newest. Other files' passes may send
    // `other` meanwhile: that is theirs to do, so nothing is asserted about it.
    const mine = `mine-${randomUUID()}@example.test`;
    await queue(`other-${randomUUID()}@example.test`, "Not yet", "Body");
    const sent = await queue(mine, "Now", "Body");
    process.env.SMTP_URL = smtp.url;
    expect(await deliverPendingMail(db(), 1, { to: [mine] })).toBe(1);
    expect((await db().mailMessage.findUniqueOrThrow({ where: { id: sent.id } })).sentAt).not.toBeNull();
    expect((await smtp.waitFor((m) => m.envelopeTo.includes(mine))).subject).toBe("Now");
  });
});
