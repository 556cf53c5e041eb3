import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";

/**
 * Tenant isolation, table-driven. Every procedure and REST route that takes an id joins this table:
 * tenant A's admin (the most powerful role) aims at tenant B's ids and must get NOT_FOUND (404), and
 * tenant B's data must be unchanged afterwards. Later issues add their rows here.
 */
let h: ApiHarness;
let a: TenantFixture;
let b: TenantFixture;

beforeAll(async () => {
  h = await createApiHarness();
  a = await seedTenant(h.deps, "Tenant A");
  b = await seedTenant(h.deps, "Tenant B");
});
afterAll(() => h.close());

type Caller = ReturnType<typeof callerFor>;

const PROCEDURES: { name: string; call: (caller: Caller, victim: TenantFixture) => Promise<unknown> }[] = [
  { name: "users.get", call: (c, v) => c.users.get({ id: v.agent.userId }) },
  { name: "users.changeRole", call: (c, v) => c.users.changeRole({ id: v.agent.userId, role: "admin" }) },
  { name: "users.deactivate", call: (c, v) => c.users.deactivate({ id: v.agent.userId }) },
  { name: "users.reactivate", call: (c, v) => c.users.reactivate({ id: v.agent.userId }) },
];

const ROUTES: { name: string; method: string; path: (victim: TenantFixture) => string; body?: unknown }[] = [
  { name: "GET /users/{id}", method: "GET", path: (v) => `/users/${v.agent.userId}` },
  { name: "PATCH /users/{id}/role", method: "PATCH", path: (v) => `/users/${v.agent.userId}/role`, body: { role: "admin" } },
  { name: "POST /users/{id}/deactivate", method: "POST", path: (v) => `/users/${v.agent.userId}/deactivate` },
  { name: "POST /users/{id}/reactivate", method: "POST", path: (v) => `/users/${v.agent.userId}/reactivate` },
];

async function snapshotOf(victim: TenantFixture) {
  const res = await h.database.pool.query("select user_id, role, deactivated_at from memberships where tenant_id = $1 order by user_id", [victim.admin.tenantId]);
  return res.rows;
}

describe("tenant A cannot read or change tenant B (tRPC)", () => {
  it.each(PROCEDURES)("$name -> NOT_FOUND, B unchanged", async ({ call }) => {
    const before = await snapshotOf(b);
    await expect(call(callerFor(h.deps, a.admin), b)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await snapshotOf(b)).toEqual(before);
  });
});

describe("tenant A cannot read or change tenant B (REST)", () => {
  it.each(ROUTES)("$name -> 404, B unchanged", async ({ method, path, body }) => {
    const before = await snapshotOf(b);
    const res = await rest(h.deps, method, path(b), { token: await accessTokenFor(h.deps, a.admin), body });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(await snapshotOf(b)).toEqual(before);
  });

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
