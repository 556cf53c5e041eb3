import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";

let h: ApiHarness;
let a: TenantFixture;
let b: TenantFixture;

beforeAll(async () => {
  h = await createApiHarness();
  a = await seedTenant(h.deps, "Settings A");
  b = await seedTenant(h.deps, "Settings B");
});
afterAll(() => h.close());

const stallDays = async (tenant: TenantFixture) => (await h.database.pool.query<{ d: number }>(`select lead_stall_days as d from tenants where id = $1`, [tenant.admin.tenantId])).rows[0]!.d;

describe("workspace settings", () => {
  it("default to a 7-day stall period, readable by every role", async () => {
    for (const who of [a.agent, a.manager, a.admin]) expect(await callerFor(h.deps, who).settings.get()).toEqual({ lead_stall_days: 7 });
    const res = await rest(h.deps, "GET", "/settings", { token: await accessTokenFor(h.deps, a.agent) });
    expect(res).toMatchObject({ status: 200, body: { lead_stall_days: 7 } });
  });

  it("only admins change them, and only for their own tenant", async () => {
    await expect(callerFor(h.deps, a.agent).settings.update({ lead_stall_days: 3 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(h.deps, a.manager).settings.update({ lead_stall_days: 3 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await rest(h.deps, "PATCH", "/settings", { token: await accessTokenFor(h.deps, a.manager), body: { lead_stall_days: 3 } })).status).toBe(403);
    expect(await stallDays(a)).toBe(7);

    expect(await callerFor(h.deps, a.admin).settings.update({ lead_stall_days: 3 })).toEqual({ lead_stall_days: 3 });
    expect(await rest(h.deps, "PATCH", "/settings", { token: await accessTokenFor(h.deps, a.admin), body: { lead_stall_days: 14 } })).toMatchObject({ status: 200, body: { lead_stall_days: 14 } });
    expect(await stallDays(a)).toBe(14);
    expect(await stallDays(b)).toBe(7);
    expect(await callerFor(h.deps, b.admin).settings.get()).toEqual({ lead_stall_days: 7 });
  });

  it.each([
    [{ lead_stall_days: 0 }, /at least 1 day/],
    [{ lead_stall_days: 366 }, /at most 365 days/],
    [{ lead_stall_days: 2.5 }, /whole number of days/],
    [{ lead_stall_days: "7" }, /whole number of days/],
    [{}, /nothing to update: send lead_stall_days/],
  ])("refuses %j with a 422 saying why, changing nothing", async (body, message) => {
    const before = await stallDays(a);
    const res = await rest(h.deps, "PATCH", "/settings", { token: await accessTokenFor(h.deps, a.admin), body });
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toMatch(message);
    expect(await stallDays(a)).toBe(before);
  });
});
