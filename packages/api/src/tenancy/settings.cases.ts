import type { TenancyCases } from "./cases";

/**
 * Workspace settings take no id: the caller's tenant is the only one they can name. The seed moves
 * the victim's stall period, so the view test sees B's answer change while A's stays.
 */
export const settingsCases: TenancyCases = {
  domain: "settings",
  seed: async (h, victim) => {
    await h.database.pool.query(`update tenants set lead_stall_days = 2 + floor(random() * 300)::int where id = $1`, [victim.admin.tenantId]);
    return {};
  },
  snapshot: async (h, victim) => (await h.database.pool.query(`select lead_stall_days from tenants where id = $1`, [victim.admin.tenantId])).rows,
  procedures: [],
  routes: [],
  views: [{ name: "settings.get", call: (c) => c.settings.get() }],
};
