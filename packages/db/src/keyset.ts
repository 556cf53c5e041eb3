import { AppError, isInstantInRange, parseIsoInstant } from "@alfred/core";
import { sql, type SQL } from "drizzle-orm";

/**
 * Keyset pagination over (timestamp, id): opaque cursors, stable under concurrent inserts. The
 * cursor keeps the timestamp as Postgres holds it (ISO 8601 UTC with microseconds): a JS Date would
 * round it to the millisecond, and rows later in the same millisecond would then be skipped.
 */
export interface Cursor {
  at: string;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/** Selects a timestamp column as a cursor `at` (microsecond precision, UTC). */
export function cursorTimestamp(column: { getSQL(): SQL }): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`, "utf8").toString("base64url");
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * Null for no cursor; a 422 naming `cursor` for anything that is not one of ours, including a
 * timestamp that does not exist (Feb 31, which Date.parse rolls into March but Postgres refuses).
 */
export function decodeCursor(cursor: string | undefined | null): Cursor | null {
  if (!cursor) return null;
  const match = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? CURSOR.exec(Buffer.from(cursor, "base64url").toString("utf8")) : null;
  const at = match && parseIsoInstant(match[1]!);
  if (!match || !at || !isInstantInRange(at)) throw new AppError("validation_error", "cursor is not valid; pass next_cursor from a previous page", { path: "cursor" });
  return { at: match[1]!, id: match[2]! };
}

/** `(column, id) < (cursor)`: the rows after the cursor in a newest-first listing. */
export function beforeCursor(column: { getSQL(): SQL }, idColumn: { getSQL(): SQL }, cursor: Cursor): SQL {
  return sql`(${column}, ${idColumn}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}
