import { LOGIN_MAX_FAILURES } from "@alfred/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";

let h: ApiHarness;
let tenant: TenantFixture;

beforeAll(async () => {
  h = await createApiHarness();
  tenant = await seedTenant(h.deps);
});
afterAll(() => h.close());

describe("login throttling (Redis)", () => {
  it("after 10 failures for one e-mail in the window, even the right password gets 429 with Retry-After", async () => {
    const email = tenant.agent.email;
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      const res = await rest(h.deps, "POST", "/auth/login", { body: { email, password: `wrong-${i}` } });
      expect(res.status).toBe(401);
    }
    const locked = await rest(h.deps, "POST", "/auth/login", { body: { email: email.toUpperCase(), password: tenant.password } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("rate_limited");
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it("counts per e-mail: another user of the same tenant still signs in", async () => {
    const res = await rest(h.deps, "POST", "/auth/login", { body: { email: tenant.manager.email, password: tenant.password } });
    expect(res.status).toBe(200);
  });

  it("a success before the limit clears the counter", async () => {
    const email = tenant.admin.email;
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) await rest(h.deps, "POST", "/auth/login", { body: { email, password: "nope-nope" } });
    expect((await rest(h.deps, "POST", "/auth/login", { body: { email, password: tenant.password } })).status).toBe(200);
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) await rest(h.deps, "POST", "/auth/login", { body: { email, password: "nope-nope" } });
    expect((await rest(h.deps, "POST", "/auth/login", { body: { email, password: tenant.password } })).status).toBe(200);
  });
});
