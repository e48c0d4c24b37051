import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { dictionary } from "@zxcvbn-ts/language-common";
import { AppError } from "../errors";
import { WorkLimiter } from "./work-limiter";

/** argon2id with the OWASP-recommended minimum cost (19 MiB, 2 passes). */
const ARGON2_OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * argon2 is deliberately expensive; unbounded, a flood of sign-ups would take every core from the
 * dispense gate. So one core is always left to the rest of the process (at least one hash runs),
 * and a bounded queue waits behind them; past it the request is answered "busy" (503).
 */
const PASSWORD_CONCURRENCY = Math.max(1, availableParallelism() - 1);
const PASSWORD_QUEUE = 32 * PASSWORD_CONCURRENCY;
export const passwordWork = new WorkLimiter(PASSWORD_CONCURRENCY, PASSWORD_QUEUE);

async function bounded<T>(task: () => Promise<T>): Promise<T> {
  const result = await passwordWork.run(task);
  if (!result) {
    throw new AppError("UNAVAILABLE", "The registry is very busy right now. Please try again in a few seconds.", {
      retryAfterSeconds: 5,
    });
  }
  return result.value;
}

export function hashPassword(password: string): Promise<string> {
  return bounded(() => hash(password, ARGON2_OPTIONS));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return bounded(async () => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  });
}

/** Verifying against this when the account does not exist keeps response times alike. */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("remsgate-timing-equaliser");
  await verifyPassword(await dummyHash, password);
}
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/**
 * A password is refused when it, or it with the digits and symbols people tack on at the end
 * removed, is on the list of ~49,000 most common passwords, or when it is one character repeated.
 */
export function commonPasswordProblem(password: string, context: string[] = []): string | null {
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, "");
  const list = commonPasswords();
  if (list.has(lower) || (stem.length >= 4 && list.has(stem))) {
    return "This password is too common; choose one that is harder to guess";
  }
  if (/^(.)\1+$/u.test(password)) return "This password is a single repeated character";
  for (const part of context) {
    const p = part.toLowerCase();
    if (p.length >= 4 && lower.includes(p)) return "The password must not contain your name or e-mail address";
  }
  return null;
}
