import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";

let h: ApiHarness;
let tenant: TenantFixture;

beforeAll(async () => {
  h = await createApiHarness();
  tenant = await seedTenant(h.deps);
});
afterAll(() => h.close());

function expectErrorBody(body: unknown, code: string) {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), correlation_id: expect.any(String) }) });
}

describe("POST /auth/register", () => {
  const valid = { email: "founder@acme.test", password: "s3cure-enough", name: "Fran Founder", tenant_name: "Acme" };

  it("creates a tenant and its admin and returns a token pair (201)", async () => {
    const res = await rest(h.deps, "POST", "/auth/register", { body: valid });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: { id: expect.any(String), email: "founder@acme.test", name: "Fran Founder", role: "admin" },
      tenant: { id: expect.any(String), name: "Acme" },
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: "bearer",
      expires_in: 900,
    });
    const me = await rest(h.deps, "GET", "/me", { token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { id: res.body.user.id, email: valid.email, name: valid.name }, tenant: res.body.tenant, role: "admin" });
  });

  it("refuses a taken e-mail with 409, whatever its case, and creates no second tenant", async () => {
    const before = await h.database.pool.query("select count(*)::int as n from tenants");
    const res = await rest(h.deps, "POST", "/auth/register", { body: { ...valid, email: "FOUNDER@acme.test", tenant_name: "Other" } });
    expect(res.status).toBe(409);
    expectErrorBody(res.body, "conflict");
    const after = await h.database.pool.query("select count(*)::int as n from tenants");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it.each([
    ["missing e-mail", { ...valid, email: undefined }, "email"],
    ["malformed e-mail", { ...valid, email: "not-an-email" }, "email"],
    ["short password", { ...valid, email: "x1@acme.test", password: "short" }, "password"],
    ["empty name", { ...valid, email: "x2@acme.test", name: "   " }, "name"],
    ["missing tenant_name", { ...valid, email: "x3@acme.test", tenant_name: undefined }, "tenant_name"],
    ["wrong type", { ...valid, email: "x4@acme.test", password: 12345678 }, "password"],
  ])("answers 422 for %s, naming the field", async (_case, body, field) => {
    const res = await rest(h.deps, "POST", "/auth/register", { body });
    expect(res.status).toBe(422);
    expectErrorBody(res.body, "validation_error");
    expect(res.body.error.path).toBe(field);
  });

  it("answers 400 for malformed JSON, 415 for a non-JSON body, 422 for a JSON array", async () => {
    const malformed = await rest(h.deps, "POST", "/auth/register", { rawBody: "{not json", headers: { "content-type": "application/json" } });
    expect(malformed.status).toBe(400);
    expectErrorBody(malformed.body, "bad_request");
    const form = await rest(h.deps, "POST", "/auth/register", { rawBody: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(415);
    const array = await rest(h.deps, "POST", "/auth/register", { rawBody: "[]", headers: { "content-type": "application/json" } });
    expect(array.status).toBe(422);
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const res = await rest(h.deps, "POST", "/auth/register", { body: { ...valid, name: "x".repeat(1024 * 1024 + 1) } });
    expect(res.status).toBe(413);
    expectErrorBody(res.body, "payload_too_large");
  });
});

describe("POST /auth/login and /auth/refresh", () => {
  it("logs in with the right password and returns a pair with expires_in", async () => {
    const res = await rest(h.deps, "POST", "/auth/login", { body: { email: tenant.agent.email, password: tenant.password } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: "bearer", expires_in: 900 });
  });

  it.each([
    ["wrong password", () => ({ email: tenant.manager.email, password: "wrong password" })],
    ["unknown e-mail", () => ({ email: "nobody@example.test", password: "whatever1" })],
  ])("answers 401 for a %s without saying which", async (_case, body) => {
    const res = await rest(h.deps, "POST", "/auth/login", { body: body() });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "unauthorized", message: "wrong e-mail or password" });
  });

  it("answers 422 for a login body of the wrong shape", async () => {
    const res = await rest(h.deps, "POST", "/auth/login", { body: { email: tenant.agent.email } });
    expect(res.status).toBe(422);
  });

  it("refreshes a pair; an access token offered as refresh token is 401; a refresh token as bearer is 401", async () => {
    const login = await rest(h.deps, "POST", "/auth/login", { body: { email: tenant.admin.email, password: tenant.password } });
    const refreshed = await rest(h.deps, "POST", "/auth/refresh", { body: { refresh_token: login.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token_type).toBe("bearer");
    expect(refreshed.body.access_token).not.toBe(login.body.access_token);
    expect((await rest(h.deps, "GET", "/me", { token: refreshed.body.access_token })).status).toBe(200);

    const wrongType = await rest(h.deps, "POST", "/auth/refresh", { body: { refresh_token: login.body.access_token } });
    expect(wrongType.status).toBe(401);
    expectErrorBody(wrongType.body, "unauthorized");

    const refreshAsBearer = await rest(h.deps, "GET", "/me", { token: login.body.refresh_token });
    expect(refreshAsBearer.status).toBe(401);
    expect(refreshAsBearer.headers.get("www-authenticate")).toBe("Bearer");
  });

  it.each([
    ["garbage", "not-a-jwt"],
    ["tampered signature", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwidHlwZSI6InJlZnJlc2gifQ.c2lnbmF0dXJl"],
    ["alg none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwidHlwZSI6InJlZnJlc2gifQ."],
  ])("refuses a %s refresh token with 401", async (_case, token) => {
    const res = await rest(h.deps, "POST", "/auth/refresh", { body: { refresh_token: token } });
    expect(res.status).toBe(401);
  });

  it("refuses a token signed with another secret", async () => {
    const { issueTokenPair } = await import("@alfred/auth");
    const forged = await issueTokenPair(tenant.admin, "another-secret-another-secret-00");
    expect((await rest(h.deps, "GET", "/me", { token: forged.access_token })).status).toBe(401);
  });
});

describe("GET /me and POST /users", () => {
  it("answers 401 without a token, with the error envelope and the caller's correlation id", async () => {
    const res = await rest(h.deps, "GET", "/me", { headers: { "x-correlation-id": "trace-123" } });
    expect(res.status).toBe(401);
    expect(res.body.error.correlation_id).toBe("trace-123");
    expect(res.headers.get("x-correlation-id")).toBe("trace-123");
  });

  it("lets an admin create a user (201) and refuses the same call from an agent (403)", async () => {
    const login = await rest(h.deps, "POST", "/auth/login", { body: { email: tenant.admin.email, password: tenant.password } });
    const body = { email: "new.agent@example.test", name: "New Agent", role: "agent", password: "welcome-aboard" };
    const created = await rest(h.deps, "POST", "/users", { token: login.body.access_token, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: body.email, name: body.name, role: "agent", active: true });
    expect(created.body).not.toHaveProperty("password");
    expect(created.body).not.toHaveProperty("passwordHash");

    const agentLogin = await rest(h.deps, "POST", "/auth/login", { body: { email: body.email, password: body.password } });
    expect(agentLogin.status).toBe(200);
    const refused = await rest(h.deps, "POST", "/users", { token: agentLogin.body.access_token, body: { ...body, email: "another@example.test" } });
    expect(refused.status).toBe(403);
    expectErrorBody(refused.body, "forbidden");
    const rows = await h.database.pool.query("select 1 from users where email = 'another@example.test'");
    expect(rows.rowCount).toBe(0);
  });

  it("answers 404 for an unknown route and 405 for a known path with the wrong method", async () => {
    expect((await rest(h.deps, "GET", "/nope")).status).toBe(404);
    const wrongMethod = await rest(h.deps, "DELETE", "/auth/login");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });
});
