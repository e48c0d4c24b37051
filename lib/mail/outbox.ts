import type { Tx } from "../db";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** What kind of notice this is, e.g. "certification.APPROVE" (for reports and tests). */
  category: string;
  entityType?: string;
  entityId?: string;
}

/**
 * Queues an e-mail inside the caller's transaction: it exists exactly when the change it reports
 * does. `deliverPendingMail` sends it after commit and retries failures.
 */
export async function queueMail(tx: Tx, mail: OutgoingMail) {
  return tx.mailMessage.create({ data: mail, select: { id: true } });
}
