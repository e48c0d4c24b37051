import { describe, expect, it } from "vitest";
import {
  accountNoticeEmail,
  accountState,
  administratorRequestExpiry,
  administratorRequestState,
  describeDevice,
  sessionState,
} from "./rules";

const now = new Date("2026-05-04T12:00:00Z");
const limits = { idleMinutes: 15, maxHours: 12 };
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe("accountState", () => {
  it("reads deactivated before locked, and a lock in the past as active", () => {
    expect(accountState({ status: "DEACTIVATED", lockedUntil: new Date(now.getTime() + 1) }, now)).toBe("DEACTIVATED");
    expect(accountState({ status: "ACTIVE", lockedUntil: new Date(now.getTime() + 60_000) }, now)).toBe("LOCKED");
    expect(accountState({ status: "ACTIVE", lockedUntil: minutesAgo(1) }, now)).toBe("ACTIVE");
    expect(accountState({ status: "ACTIVE", lockedUntil: null }, now)).toBe("ACTIVE");
  });
});

describe("sessionState", () => {
  const open = {
    createdAt: minutesAgo(60),
    lastSeenAt: minutesAgo(5),
    revokedAt: null,
    revokedReason: null,
    sessionVersion: 2,
  };
  const user = { status: "ACTIVE", sessionVersion: 2 };
  it("says why a session ended, in the order the request check applies", () => {
    expect(sessionState(open, user, limits, now)).toEqual({ open: true });
    expect(
      sessionState({ ...open, revokedAt: now, revokedReason: "Ended by an administrator" }, user, limits, now),
    ).toEqual({
      open: false,
      endedAt: now,
      why: "Ended by an administrator",
    });
    expect(sessionState(open, { ...user, status: "DEACTIVATED" }, limits, now)).toMatchObject({
      why: "Account deactivated",
    });
    expect(sessionState(open, { ...user, sessionVersion: 3 }, limits, now)).toMatchObject({
      why: "Signed out on every device",
    });
    expect(sessionState({ ...open, revokedAt: now }, user, limits, now)).toMatchObject({ why: "Signed out" });
    expect(
      sessionState({ ...open, createdAt: minutesAgo(13 * 60), lastSeenAt: minutesAgo(1) }, user, limits, now),
    ).toEqual({
      open: false,
      endedAt: minutesAgo(60),
      why: "Reached the 12-hour limit",
    });
    expect(sessionState({ ...open, lastSeenAt: minutesAgo(30) }, user, limits, now)).toEqual({
      open: false,
      endedAt: minutesAgo(15),
      why: "Inactive for 15 minutes",
    });
  });
});

describe("describeDevice", () => {
  it.each([
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "Chrome on Windows",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
      "Edge on Windows",
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      "Safari on iPhone",
    ],
    [
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "Safari on Mac",
    ],
    ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"],
    [
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
      "Chrome on Android",
    ],
    ["curl/8.5.0", "curl"],
    ["vitest", "Unknown device"],
    ["", "Unknown device"],
    [null, "Unknown device"],
  ])("%s → %s", (ua, expected) => {
    expect(describeDevice(ua)).toBe(expected);
  });
});

describe("administrator requests", () => {
  it("expire after seven days unless decided", () => {
    const expiresAt = administratorRequestExpiry(now);
    expect(expiresAt.getTime() - now.getTime()).toBe(7 * 86_400_000);
    expect(administratorRequestState({ decision: null, expiresAt }, now)).toBe("pending");
    expect(administratorRequestState({ decision: null, expiresAt }, expiresAt)).toBe("expired");
    expect(administratorRequestState({ decision: "APPROVED", expiresAt }, expiresAt)).toBe("approved");
    expect(administratorRequestState({ decision: "DECLINED", expiresAt }, now)).toBe("declined");
  });
});

describe("accountNoticeEmail", () => {
  it("tells the person what happened, when, and the reason given", () => {
    const mail = accountNoticeEmail("deactivated", {
      name: "Ada",
      reason: "Left the practice",
      at: now,
      appUrl: "https://r.example",
    });
    expect(mail.subject).toBe("Your REMS registry account has been deactivated");
    expect(mail.text).toContain("Hello Ada,");
    expect(mail.text).toContain("4 May 2026, 12:00 UTC");
    expect(mail.text).toContain("Left the practice");
    const ended = accountNoticeEmail("sessions_ended", {
      name: "Ada",
      reason: "r",
      at: now,
      appUrl: "https://r.example",
      sessionsEnded: 1,
    });
    expect(ended.text).toContain("(1 open session)");
    expect(ended.text).toContain("https://r.example/sign-in");
  });
});
