/**
 * The instants Alfred accepts from outside (filters, due dates, cursors): years 1970 to 9999.
 * Postgres `timestamptz` has no year 0 and JS `toISOString()` writes years past 9999 as `+275760-...`,
 * which Postgres cannot parse; nothing Alfred stores or schedules lies outside this range.
 */
export const EARLIEST_INSTANT = new Date(Date.UTC(1970, 0, 1));
export const LATEST_INSTANT = new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
export const INSTANT_RANGE_MESSAGE = "must be between 1970-01-01 and 9999-12-31";

export const isInstantInRange = (date: Date): boolean => date.getTime() >= EARLIEST_INSTANT.getTime() && date.getTime() <= LATEST_INSTANT.getTime();

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/i;

/**
 * Parses `YYYY-MM-DD` (UTC midnight) or an ISO 8601 date-time with `Z` or a `±HH:MM` offset. Null
 * for anything else, including fields that do not exist (`2024-02-31`, `24:00`, `:60`), which
 * `Date.parse` would quietly roll over into the next month or day.
 */
export function parseIsoInstant(text: string): Date | null {
  const match = ISO_INSTANT.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const fields = new Date(0);
  fields.setUTCFullYear(year, month - 1, day);
  fields.setUTCHours(hour, minute, second, 0);
  const exists =
    fields.getUTCFullYear() === year && fields.getUTCMonth() === month - 1 && fields.getUTCDate() === day && fields.getUTCHours() === hour && fields.getUTCMinutes() === minute && fields.getUTCSeconds() === second;
  const offset = match[8];
  if (!exists || (offset && offset.toUpperCase() !== "Z" && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59))) return null;
  const milliseconds = Math.floor(Number(`0.${match[7] ?? "0"}`) * 1000);
  const offsetMinutes = !offset || offset.toUpperCase() === "Z" ? 0 : (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return new Date(fields.getTime() + milliseconds - offsetMinutes * 60_000);
}
