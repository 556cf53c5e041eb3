import type { callerFor, ApiHarness, TenantFixture } from "../testing/harness";

export type Caller = ReturnType<typeof callerFor>;

/** Ids of objects seeded in the victim tenant, by name (e.g. `conversation`, `destination`). */
export type VictimObjects = Record<string, string>;

/**
 * One domain's rows in the cross-tenant table. The attacker is the other tenant's admin (the most
 * powerful role); every procedure and route must answer NOT_FOUND / 404 and leave the victim's
 * data exactly as it was (`snapshot` before and after).
 */
export interface TenancyCases {
  domain: string;
  seed(h: ApiHarness, victim: TenantFixture): Promise<VictimObjects>;
  snapshot(h: ApiHarness, victim: TenantFixture): Promise<unknown>;
  procedures: { name: string; call: (caller: Caller, victim: VictimObjects) => Promise<unknown> }[];
  routes: { name: string; method: string; path: (victim: VictimObjects) => string; body?: (victim: VictimObjects) => unknown }[];
  /**
   * Views that take no id (counts, backlogs, lists): the attacker's answer must not move when the
   * victim's data does. `stable` drops what moves with the clock alone (ages).
   */
  views?: { name: string; call: (caller: Caller) => Promise<unknown>; stable?: (answer: never) => unknown }[];
}

export async function tableSnapshot(h: ApiHarness, tenantId: string, tables: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const res = await h.database.pool.query(`select * from ${table} where tenant_id = $1 order by id`, [tenantId]);
    out[table] = res.rows;
  }
  return out;
}
