const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
const SHORT = /^(\d{1,6})(s|m|h|d|w)$/;
const ISO = /^P(?:(\d{1,4})W)?(?:(\d{1,4})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,7})S)?)?$/;

export type DurationParse = { ok: true; seconds: number } | { ok: false; message: string };

const FORMATS = 'a number of seconds, "30s", "15m", "2h", "1d", "1w" or ISO-8601 such as "PT1H30M" or "P1D"';

/**
 * Reads a duration written by a person or a model: seconds as a number, a short form ("2h") or
 * ISO-8601 without years and months (their length varies, so a delay in them would be ambiguous).
 */
export function parseDuration(input: unknown, bounds: { maxSeconds: number; label: string }): DurationParse {
  const seconds = toSeconds(input);
  if (seconds === null) return { ok: false, message: `${bounds.label} must be ${FORMATS}` };
  if (seconds < 1) return { ok: false, message: `${bounds.label} must be at least 1 second` };
  if (seconds > bounds.maxSeconds) return { ok: false, message: `${bounds.label} must be at most ${describeDuration(bounds.maxSeconds)}` };
  return { ok: true, seconds };
}

function toSeconds(input: unknown): number | null {
  if (typeof input === "number") return Number.isInteger(input) ? input : null;
  if (typeof input !== "string") return null;
  const text = input.trim();
  const short = SHORT.exec(text);
  if (short) return Number(short[1]) * UNIT_SECONDS[short[2] as keyof typeof UNIT_SECONDS];
  const iso = ISO.exec(text.toUpperCase());
  if (!iso || text.length < 3 || text.toUpperCase().endsWith("T")) return null;
  const [, w, d, h, m, s] = iso.map((part) => Number(part ?? 0));
  return w! * UNIT_SECONDS.w + d! * UNIT_SECONDS.d + h! * UNIT_SECONDS.h + m! * UNIT_SECONDS.m + s!;
}

/** 90061 -> "1d 1h 1m 1s", for messages and explanations. */
export function describeDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.length ? parts.join(" ") : "0s";
}
