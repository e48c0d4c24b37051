/**
 * The check every signing service makes before it signs: the printed name is the signer's own
 * name as their account records it (./rules.ts says why the account is the authoritative record).
 */
import type { Actor } from "../auth/actor";
import type { DbOrTx } from "../db";
import { AppError } from "../errors";
import { printedNameMatches, printedNameMismatchMessage } from "./rules";

/**
 * Refuses, on the printed-name field (`field`), a printed name that is not the signer's name on
 * their account, telling them which name to type. Nothing is signed or written.
 */
export async function requireOwnPrintedName(
  actor: Pick<Actor, "userId">,
  printedName: string,
  field: string,
  client: DbOrTx,
): Promise<void> {
  const account = await client.user.findUnique({ where: { id: actor.userId }, select: { name: true } });
  if (!account) throw new AppError("UNAUTHENTICATED", "Sign in again to sign.");
  if (printedNameMatches(printedName, account.name)) return;
  throw new AppError("VALIDATION", "Check the highlighted fields.", {
    fields: { [field]: [printedNameMismatchMessage(account.name)] },
  });
}
