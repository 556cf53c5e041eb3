import { sql, type SQL } from "drizzle-orm";

/**
 * A JavaScript array as ONE query parameter (node-postgres sends it as a Postgres array literal), for
 * `= any(${list}::uuid[])` and `unnest(${list}::int[])`. Interpolated as is, drizzle would expand an
 * array into a comma-separated list of parameters instead.
 */
export function arrayParam(values: readonly unknown[]): SQL {
  return sql`${sql.param([...values])}`;
}
