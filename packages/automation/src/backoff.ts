/**
 * Retry timing for deliveries. Attempt 1 goes out immediately; after failed attempt n the next one
 * waits `schedule[n-1]` seconds ±10% jitter (so a destination that comes back does not receive
 * every backlogged retry in the same second); when the schedule is exhausted the delivery fails.
 */

export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [60, 300, 900, 3600, 21600];
export const RETRY_JITTER_RATIO = 0.1;

/**
 * Parses `AUTOMATION_RETRY_SCHEDULE_SECONDS` ("60,300,900,3600,21600"). Every step must be a
 * positive whole number of seconds and the steps must not decrease: a shrinking schedule is
 * almost certainly a typo, and the Retry-After cap below relies on the last step being the longest.
 */
export function parseRetrySchedule(spec: string): number[] {
  const tokens = spec.split(",").map((t) => t.trim());
  if (tokens.every((t) => t === "")) {
    throw new Error("retry schedule must list at least one delay in seconds, e.g. 60,300,900");
  }
  const steps = tokens.map((token, index) => {
    if (!/^[0-9]+$/.test(token) || Number(token) <= 0 || !Number.isSafeInteger(Number(token))) {
      throw new Error(`retry schedule step ${index + 1} ("${token}") must be a positive whole number of seconds`);
    }
    return Number(token);
  });
  steps.forEach((step, index) => {
    const previous = steps[index - 1];
    if (previous !== undefined && step < previous) {
      throw new Error(`retry schedule must not decrease (step ${index + 1}: ${step} < ${previous})`);
    }
  });
  return steps;
}

/**
 * Delay in ms before the attempt after `attemptsMade` failed ones, or null when the schedule is
 * exhausted. `random` returns [0, 1) like Math.random; inject it to make jitter deterministic.
 */
export function nextRetryDelayMs(
  attemptsMade: number,
  schedule: readonly number[],
  random: () => number = Math.random,
): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a whole number >= 1, got ${attemptsMade}`);
  }
  const seconds = schedule[attemptsMade - 1];
  if (seconds === undefined) return null;
  const baseMs = seconds * 1000;
  const jitter = (random() * 2 - 1) * RETRY_JITTER_RATIO; // in [-0.1, 0.1)
  return Math.round(baseMs * (1 + jitter));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// The three HTTP-date forms RFC 9110 §5.6.7 requires recipients to accept, all in GMT.
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utcMs(year: number, monthName: string, day: number, h: number, m: number, s: number): number | null {
  const month = MONTHS.indexOf(monthName);
  if (month < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return null;
  return Date.UTC(year, month, day, h, m, Math.min(s, 59));
}

/** Epoch ms of an HTTP-date, or null. Date.parse is not used: it reads asctime as local time. */
function parseHttpDate(value: string, now: number): number | null {
  let match = IMF_FIXDATE.exec(value);
  if (match) {
    const [, d, mon, y, h, m, s] = match as unknown as [string, string, string, string, string, string, string];
    return utcMs(Number(y), mon, Number(d), Number(h), Number(m), Number(s));
  }
  match = RFC850_DATE.exec(value);
  if (match) {
    const [, d, mon, yy, h, m, s] = match as unknown as [string, string, string, string, string, string, string];
    // RFC 9110: a two-digit year more than 50 years in the future is in the previous century.
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(yy);
    if (year > thisYear + 50) year -= 100;
    return utcMs(year, mon, Number(d), Number(h), Number(m), Number(s));
  }
  match = ASCTIME_DATE.exec(value);
  if (match) {
    const [, mon, d, h, m, s, y] = match as unknown as [string, string, string, string, string, string, string];
    return utcMs(Number(y), mon, Number(d.trim()), Number(h), Number(m), Number(s));
  }
  return null;
}

/**
 * Milliseconds a `Retry-After` header (429/503) asks us to wait from `now` (epoch ms): either
 * delay-seconds or an HTTP-date. A date in the past means 0; anything unparseable means null
 * (ignore the header, keep the schedule).
 */
export function retryAfterMs(headerValue: string | null | undefined, now: number = Date.now()): number | null {
  if (typeof headerValue !== "string") return null;
  const value = headerValue.trim();
  if (/^[0-9]+$/.test(value)) {
    const seconds = Number(value);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : null;
  }
  const at = parseHttpDate(value, now);
  return at === null ? null : Math.max(0, at - now);
}

/**
 * The rule for Retry-After: the receiver may ask us to wait longer than the scheduled (jittered)
 * delay, and we honour that up to the schedule's last step; it can never make us retry earlier
 * than scheduled, nor push a retry beyond the longest wait the schedule allows (a hostile or buggy
 * `Retry-After: 31536000` would otherwise park a delivery for a year). Returns milliseconds.
 */
export function delayHonouringRetryAfter(
  scheduledMs: number,
  retryAfter: number | null,
  schedule: readonly number[],
): number {
  if (retryAfter === null || !Number.isFinite(retryAfter) || retryAfter <= scheduledMs) return scheduledMs;
  const lastStepMs = (schedule[schedule.length - 1] ?? 0) * 1000;
  return Math.max(scheduledMs, Math.min(retryAfter, lastStepMs));
}
