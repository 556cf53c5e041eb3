import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";
import type { VictimObjects } from "./cases";
import { TENANCY_CASES } from "./registry";

/**
 * Tenant isolation, table-driven over every domain in ./registry.ts: tenant A's admin aims at
 * tenant B's ids and must get NOT_FOUND (404), with tenant B's rows unchanged.
 */
let h: ApiHarness;
let a: TenantFixture;
let b: TenantFixture;
const victims = new Map<string, VictimObjects>();

beforeAll(async () => {
  h = await createApiHarness();
  a = await seedTenant(h.deps, "Tenant A");
  b = await seedTenant(h.deps, "Tenant B");
  // A gets the same kinds of objects, so "not found" cannot be explained by A having none.
  for (const cases of TENANCY_CASES) {
    await cases.seed(h, a);
    victims.set(cases.domain, await cases.seed(h, b));
  }
});
afterAll(() => h.close());

// Domains with no id to aim at (workspace settings) have views only.
for (const cases of TENANCY_CASES.filter((c) => c.procedures.length + c.routes.length > 0)) {
  describe(`${cases.domain}: tenant A cannot read or change tenant B`, () => {
    it.each(cases.procedures)("tRPC $name -> NOT_FOUND, B unchanged", async ({ call }) => {
      const before = await cases.snapshot(h, b);
      await expect(call(callerFor(h.deps, a.admin), victims.get(cases.domain)!)).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await cases.snapshot(h, b)).toEqual(before);
    });

    it.each(cases.routes)("REST $name -> 404, B unchanged", async ({ method, path, body }) => {
      const victim = victims.get(cases.domain)!;
      const before = await cases.snapshot(h, b);
      const res = await rest(h.deps, method, path(victim), { token: await accessTokenFor(h.deps, a.admin), body: body?.(victim) });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect(await cases.snapshot(h, b)).toEqual(before);
    });
  });
}

describe("views without an id show the caller's tenant only", () => {
  const views = TENANCY_CASES.flatMap((cases) => cases.views ?? []);
  it.each(views)("$name: A's answer does not move when B gets more of everything", async ({ call, stable = (answer: unknown) => answer }) => {
    const seen = async (tenant: TenantFixture) => (stable as (answer: unknown) => unknown)(await call(callerFor(h.deps, tenant.admin)));
    const [aBefore, bBefore] = [await seen(a), await seen(b)];
    for (const cases of TENANCY_CASES) await cases.seed(h, b);
    expect(await seen(a)).toEqual(aBefore);
    // B's own answer did move: the comparison above could have caught a leak.
    expect(await seen(b)).not.toEqual(bBefore);
  });
});

describe("tenant claims cannot be forged", () => {
  it("lists only the caller's own users", async () => {
    const res = await rest(h.deps, "GET", "/users", { token: await accessTokenFor(h.deps, a.admin) });
    const emails = res.body.items.map((u: { email: string }) => u.email);
    expect(emails).toContain(a.agent.email);
    expect(emails).not.toContain(b.agent.email);
  });

  it("a token whose tenant claim names B but whose user belongs to A is refused", async () => {
    const forged = await accessTokenFor(h.deps, { ...a.admin, tenantId: b.admin.tenantId });
    expect((await rest(h.deps, "GET", "/users", { token: forged })).status).toBe(401);
  });
});
