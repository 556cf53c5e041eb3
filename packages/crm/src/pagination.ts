import { AppError } from "@alfred/core";
import { sql, type SQL } from "@alfred/db";

/**
 * Keyset cursor over (timestamp, id): opaque to clients, stable under concurrent inserts. `at` is the
 * row's timestamp as Postgres holds it (ISO 8601 UTC, microseconds): a JS Date would round it to the
 * millisecond, and rows later in the same millisecond than the cursor would then be skipped.
 */
export interface Cursor {
  at: string;
  id: string;
}

/** Selects a timestamp column as the cursor's `at` (microsecond precision, UTC). */
export function cursorTimestamp(column: { getSQL(): SQL }): SQL<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString("base64url");
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function decodeCursor(cursor: string | undefined | null): Cursor | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !ISO_UTC.test(at) || Number.isNaN(new Date(at).getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("validation_error", "cursor is not valid", { path: "cursor" });
  return { at, id };
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
