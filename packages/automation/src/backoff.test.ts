import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  delayHonouringRetryAfter,
  nextRetryDelayMs,
  parseRetrySchedule,
  retryAfterMs,
} from "./backoff";

/** mulberry32: a tiny seeded PRNG so jitter tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("parseRetrySchedule", () => {
  it("parses the default schedule", () => {
    expect(parseRetrySchedule("60,300,900,3600,21600")).toEqual([60, 300, 900, 3600, 21600]);
    expect(parseRetrySchedule("60,300,900,3600,21600")).toEqual([...DEFAULT_RETRY_SCHEDULE_SECONDS]);
  });

  it("tolerates spaces and equal consecutive steps", () => {
    expect(parseRetrySchedule(" 1, 1 ,2 ")).toEqual([1, 1, 2]);
    expect(parseRetrySchedule("5")).toEqual([5]);
  });

  it.each([
    ["", /at least one/],
    [" , ", /at least one/],
    ["60,,300", /step 2/],
    ["60,300,", /step 3/],
    ["0,60", /step 1/],
    ["-5", /step 1/],
    ["1.5", /step 1/],
    ["60s", /step 1/],
    ["1e3", /step 1/],
    ["0x10", /step 1/],
    ["99999999999999999999", /step 1/],
    ["300,60", /must not decrease/],
  ])("rejects %j", (spec, message) => {
    expect(() => parseRetrySchedule(spec)).toThrow(message);
  });
});

describe("nextRetryDelayMs", () => {
  const schedule = [60, 300, 900, 3600, 21600];

  it("after failed attempt n waits schedule[n-1] (no jitter at random = 0.5)", () => {
    expect(schedule.map((_, i) => nextRetryDelayMs(i + 1, schedule, () => 0.5))).toEqual([60_000, 300_000, 900_000, 3_600_000, 21_600_000]);
  });

  it("returns null once the schedule is exhausted", () => {
    expect(nextRetryDelayMs(6, schedule, () => 0.5)).toBeNull();
    expect(nextRetryDelayMs(100, schedule)).toBeNull();
    expect(nextRetryDelayMs(1, [], () => 0.5)).toBeNull();
  });

  it("hits the jitter extremes at the ends of random()'s range", () => {
    expect(nextRetryDelayMs(1, schedule, () => 0)).toBe(54_000);
    expect(nextRetryDelayMs(1, schedule, () => 0.999999999)).toBe(66_000);
  });

  it("stays within ±10% over many seeded draws, and actually spreads", () => {
    const random = seeded(42);
    for (const [index, seconds] of schedule.entries()) {
      const draws = Array.from({ length: 2000 }, () => nextRetryDelayMs(index + 1, schedule, random) as number);
      const min = Math.min(...draws);
      const max = Math.max(...draws);
      expect(min).toBeGreaterThanOrEqual(seconds * 900);
      expect(max).toBeLessThanOrEqual(seconds * 1100);
      // Not a constant: the draws cover most of the band, on both sides of the nominal delay.
      expect(min).toBeLessThan(seconds * 920);
      expect(max).toBeGreaterThan(seconds * 1080);
      expect(draws.every(Number.isInteger)).toBe(true);
    }
  });

  it("stays within bounds with Math.random too", () => {
    for (let i = 0; i < 1000; i++) {
      const delay = nextRetryDelayMs(2, schedule) as number;
      expect(delay).toBeGreaterThanOrEqual(270_000);
      expect(delay).toBeLessThanOrEqual(330_000);
    }
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects attemptsMade = %s", (attempts) => {
    expect(() => nextRetryDelayMs(attempts, schedule)).toThrow(RangeError);
  });
});

describe("retryAfterMs", () => {
  const now = Date.UTC(2025, 0, 15, 10, 0, 0);

  it.each([
    ["120", 120_000],
    ["0", 0],
    [" 5 ", 5_000],
    ["Wed, 15 Jan 2025 10:02:00 GMT", 120_000], // IMF-fixdate
    ["Wednesday, 15-Jan-25 10:02:00 GMT", 120_000], // RFC 850
    ["Wed Jan 15 10:02:00 2025", 120_000], // asctime, always GMT
    ["Wed Jan  5 10:00:00 2025", 0], // asctime with a padded day, in the past
    ["Tue, 14 Jan 2025 10:00:00 GMT", 0], // past date means "now"
  ])("%j -> %s ms", (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });

  it.each([undefined, null, "", "soon", "-5", "1.5", "1e3", "Wed, 15 Jan 2025 10:02:00 PST", "Wed, 15 Foo 2025 10:02:00 GMT", "2025-01-15T10:02:00Z", "99999999999999999999"])(
    "ignores %j",
    (header) => {
      expect(retryAfterMs(header, now)).toBeNull();
    },
  );
});

describe("delayHonouringRetryAfter", () => {
  const schedule = [60, 300, 900, 3600, 21600];

  it.each([
    ["no Retry-After keeps the schedule", 60_000, null, 60_000],
    ["an earlier Retry-After never retries sooner", 300_000, 10_000, 300_000],
    ["a later Retry-After is honoured", 60_000, 120_000, 120_000],
    ["a later Retry-After is capped at the last step", 60_000, 365 * 86_400_000, 21_600_000],
    ["exactly the last step is allowed", 60_000, 21_600_000, 21_600_000],
    ["a jittered delay past the last step is kept, never shortened", 23_000_000, 30_000_000, 23_000_000],
    ["Retry-After of zero", 60_000, 0, 60_000],
  ])("%s", (_name, scheduled, retryAfter, expected) => {
    expect(delayHonouringRetryAfter(scheduled, retryAfter, schedule)).toBe(expected);
  });

  it("caps by the schedule it is given", () => {
    expect(delayHonouringRetryAfter(1_000, 60_000, [1, 2, 3])).toBe(3_000);
  });
});
