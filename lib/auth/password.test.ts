import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { burnPasswordCheck, commonPasswordProblem, hashPassword, passwordWork, verifyPassword } from "./password";
import { WorkLimiter } from "./work-limiter";

const STRONG = "Quartz lantern drifts over the meadow";

describe("hashPassword / verifyPassword", () => {
  it("hashes with argon2id at the OWASP minimum cost, salted", async () => {
    const a = await hashPassword(STRONG);
    const b = await hashPassword(STRONG);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toContain(STRONG);
    expect(a).not.toBe(b);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword(STRONG);
    expect(await verifyPassword(stored, STRONG)).toBe(true);
    expect(await verifyPassword(stored, `${STRONG}!`)).toBe(false);
    expect(await verifyPassword(stored, STRONG.toLowerCase())).toBe(false);
    expect(await verifyPassword(stored, "")).toBe(false);
  });

  it("answers false rather than throwing for a malformed stored hash", async () => {
    expect(await verifyPassword("not-a-hash", STRONG)).toBe(false);
    expect(await verifyPassword("", STRONG)).toBe(false);
  });

  it("burns a check for unknown accounts without throwing", async () => {
    await expect(burnPasswordCheck(STRONG)).resolves.toBeUndefined();
  });
});

describe("commonPasswordProblem", () => {
  it.each([
    "password1234",
    "qwerty123456",
    "Password123!",
    "PASSWORD1234",
    "Summer2024!!",
    "letmein12345",
    "iloveyou2024",
    "Monkey_12345",
    "dragon!!!!!!",
  ])("refuses %s as too common", (password) => {
    expect(commonPasswordProblem(password)).toMatch(/too common/);
  });

  it.each(["aaaaaaaaaaaa", "............", "111111111111"])(
    "refuses %s as one repeated character (or too common)",
    (password) => {
      expect(commonPasswordProblem(password)).not.toBeNull();
    },
  );

  it.each([STRONG, "correct horse battery staple", "Violet-Kettle-Orbit-9", "7 brass owls hum at dusk"])(
    "accepts the passphrase %s",
    (password) => {
      expect(commonPasswordProblem(password)).toBeNull();
    },
  );

  it("does not strip a short stem down to a dictionary word", () => {
    // "abc" is under the 4-character stem minimum, so "abc" + digits is judged as typed.
    expect(commonPasswordProblem("abc-9s8d7f6g5h")).toBeNull();
  });

  it("refuses a password containing the person's name or e-mail local part, in any case", () => {
    const context = ["dana.whitfield", "Dana", "Whitfield"];
    expect(commonPasswordProblem("my name is WHITFIELD, ok?", context)).toMatch(/name or e-mail/);
    expect(commonPasswordProblem("dana.whitfield-secret-phrase", context)).toMatch(/name or e-mail/);
    expect(commonPasswordProblem("Quartz DANA lantern meadow", context)).toMatch(/name or e-mail/);
  });

  it("ignores context parts shorter than four characters", () => {
    expect(commonPasswordProblem("Quartz lantern Al meadow", ["Al", "Bo", ""])).toBeNull();
  });

  it("accepts a strong password whose context does not appear in it", () => {
    expect(commonPasswordProblem(STRONG, ["dana.whitfield", "Dana", "Whitfield"])).toBeNull();
  });
});

describe("bounded password work", () => {
  it("runs at most K argon2 operations at once however many are started, and every one completes", async () => {
    passwordWork.resetPeak();
    const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => hashPassword(`${STRONG} ${i}`)));
    expect(passwordWork.peakRunning).toBeLessThanOrEqual(passwordWork.concurrency);
    expect(passwordWork.peakRunning).toBeGreaterThanOrEqual(1);
    expect(await verifyPassword(hashes[7] as string, `${STRONG} 7`)).toBe(true);
    expect(passwordWork.queued).toBe(0);
  });

  it("leaves at least one core to the rest of the process", () => {
    expect(passwordWork.concurrency).toBe(Math.max(1, availableParallelism() - 1));
  });

  it("the limiter: tasks observe at most K running, the queue is bounded and a refused task never runs", async () => {
    const limiter = new WorkLimiter(2, 3);
    let running = 0;
    let seen = 0;
    const gates: (() => void)[] = [];
    const task = (ran: boolean[], i: number) => async () => {
      ran[i] = true;
      running++;
      seen = Math.max(seen, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
      return i;
    };
    const ran: boolean[] = [];
    const started = Array.from({ length: 7 }, (_, i) => limiter.run(task(ran, i)));
    await new Promise((r) => setTimeout(r, 10));
    expect(running).toBe(2);
    expect(limiter.queued).toBe(3);
    // 2 running + 3 queued: the 6th and 7th are refused at once and never run.
    expect(await started[5]).toBeNull();
    expect(await started[6]).toBeNull();
    while (gates.length || limiter.queued) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    const results = await Promise.all(started.slice(0, 5));
    expect(results.map((r) => r?.value)).toEqual([0, 1, 2, 3, 4]);
    expect(seen).toBe(2);
    expect(ran[5]).toBeUndefined();
  });

  it("answers 503 (UNAVAILABLE) instead of queueing without end", async () => {
    const flood = Array.from({ length: passwordWork.concurrency + passwordWork.maxQueued + 3 }, () =>
      hashPassword(STRONG).then(
        () => "hashed",
        (e: unknown) => e,
      ),
    );
    const outcomes = await Promise.all(flood);
    const refused = outcomes.filter((o) => o instanceof AppError);
    expect(refused).toHaveLength(3);
    expect((refused[0] as AppError).status).toBe(503);
    expect(outcomes.filter((o) => o === "hashed")).toHaveLength(passwordWork.concurrency + passwordWork.maxQueued);
  }, 120_000);
});
