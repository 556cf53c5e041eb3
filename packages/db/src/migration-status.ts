import { sql } from "drizzle-orm";
import type { Database } from "./client";
import journal from "../drizzle/meta/_journal.json" with { type: "json" };

/**
 * The committed migrations this build expects, bundled in (no file is read at runtime, so the
 * check works from a standalone build). drizzle records each applied one with its `when` stamp.
 */
const EXPECTED: readonly { tag: string; when: number }[] = journal.entries;

/** Tags of committed migrations the database has not applied yet (every one when none ran). */
export async function pendingMigrations(db: Database): Promise<string[]> {
  const table = await db.execute<{ found: boolean }>(sql`select to_regclass('drizzle.__drizzle_migrations') is not null as found`);
  if (!table.rows[0]?.found) return EXPECTED.map((m) => m.tag);
  const result = await db.execute<{ latest: string | null }>(sql`select max(created_at)::text as latest from drizzle.__drizzle_migrations`);
  const latest = Number(result.rows[0]?.latest ?? -1);
  return EXPECTED.filter((m) => m.when > latest).map((m) => m.tag);
}
