import type { Principal } from "@alfred/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";

let h: ApiHarness;
let t: TenantFixture;

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps);
});
afterAll(() => h.close());

type Role = "agent" | "manager" | "admin";
const as = (role: Role): Principal => t[role];

/** Every users procedure with the lowest role allowed to call it. */
const MATRIX: { name: string; minimum: Role; call: (caller: ReturnType<typeof callerFor>) => Promise<unknown> }[] = [
  { name: "users.me", minimum: "agent", call: (c) => c.users.me() },
  { name: "users.list", minimum: "admin", call: (c) => c.users.list() },
  { name: "users.get", minimum: "admin", call: (c) => c.users.get({ id: t.agent.userId }) },
  { name: "users.create", minimum: "admin", call: (c) => c.users.create({ email: `m-${Math.random().toString(36).slice(2)}@example.test`, name: "M", role: "agent", password: "password-123" }) },
  { name: "users.changeRole", minimum: "admin", call: (c) => c.users.changeRole({ id: t.manager.userId, role: "manager" }) },
  { name: "users.reactivate", minimum: "admin", call: (c) => c.users.reactivate({ id: t.manager.userId }) },
];
const RANK: Record<Role, number> = { agent: 1, manager: 2, admin: 3 };

describe("users router role matrix", () => {
  for (const entry of MATRIX) {
    for (const role of ["agent", "manager", "admin"] as const) {
      const allowed = RANK[role] >= RANK[entry.minimum];
      it(`${entry.name} as ${role} is ${allowed ? "allowed" : "FORBIDDEN"}`, async () => {
        const call = entry.call(callerFor(h.deps, as(role)));
        if (allowed) await expect(call).resolves.toBeDefined();
        else await expect(call).rejects.toMatchObject({ code: "FORBIDDEN" });
      });
    }
    it(`${entry.name} without a session is UNAUTHORIZED`, async () => {
      await expect(entry.call(callerFor(h.deps, null))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    });
  }
});

describe("deactivation and role changes take effect on the next request", () => {
  it("a deactivated user's still-valid token and session stop working at once; reactivation restores them", async () => {
    const victim = await callerFor(h.deps, t.admin).users.create({ email: "leaver@example.test", name: "Lea Leaver", role: "agent", password: "password-123" });
    const principal: Principal = { ...t.agent, userId: victim.id, email: victim.email, name: victim.name };
    const token = await accessTokenFor(h.deps, principal);
    expect((await rest(h.deps, "GET", "/me", { token })).status).toBe(200);
    await expect(callerFor(h.deps, principal).users.me()).resolves.toMatchObject({ user: { id: victim.id } });

    await callerFor(h.deps, t.admin).users.deactivate({ id: victim.id });

    const after = await rest(h.deps, "GET", "/me", { token });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/deactivated/);
    await expect(callerFor(h.deps, principal).users.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await rest(h.deps, "POST", "/auth/login", { body: { email: victim.email, password: "password-123" } })).status).toBe(401);

    await callerFor(h.deps, t.admin).users.reactivate({ id: victim.id });
    expect((await rest(h.deps, "GET", "/me", { token })).status).toBe(200);
  });

  it("a promoted agent gets admin rights on the next request, with the old token", async () => {
    const promoted = await callerFor(h.deps, t.admin).users.create({ email: "rising@example.test", name: "Rita Rising", role: "agent", password: "password-123" });
    const principal: Principal = { ...t.agent, userId: promoted.id, email: promoted.email, name: promoted.name };
    const token = await accessTokenFor(h.deps, principal);
    expect((await rest(h.deps, "GET", "/users", { token })).status).toBe(403);
    await callerFor(h.deps, t.admin).users.changeRole({ id: promoted.id, role: "admin" });
    const list = await rest(h.deps, "GET", "/users", { token });
    expect(list.status).toBe(200);
    expect(list.body.items.some((u: { email: string }) => u.email === "rising@example.test")).toBe(true);
  });

  it("refuses to leave a tenant without an active admin, and an admin cannot deactivate themself", async () => {
    const solo = await seedTenant(h.deps, "Solo");
    const admin = callerFor(h.deps, solo.admin);
    await expect(admin.users.changeRole({ id: solo.admin.userId, role: "agent" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(admin.users.deactivate({ id: solo.admin.userId })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await admin.users.get({ id: solo.admin.userId })).role).toBe("admin");
  });

  it("records an audit row for each authenticated mutation with the correlation id", async () => {
    const res = await h.database.pool.query(
      "select action, actor_id, correlation_id from audit_logs where tenant_id = $1 and action = 'users.deactivate'",
      [t.admin.tenantId],
    );
    expect(res.rowCount).toBeGreaterThan(0);
    expect(res.rows[0]).toMatchObject({ actor_id: t.admin.userId, correlation_id: expect.stringMatching(/^test-/) });
  });
});
