import { deepJsonText } from "@alfred/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, createApiHarness, rest, seedConversation, seedTenant, type ApiHarness, type RestResult, type TenantFixture } from "../testing/harness";
import { restRoutes } from "./routes";

/**
 * The requests of issue #16 that answered 500, one class per block, each now a 4xx with the JSON
 * error envelope, the field named and nothing written; and the 409s that must not say whose.
 */

let h: ApiHarness;
let t: TenantFixture;
let other: TenantFixture;
let admin: string;
let otherAdmin: string;
const ids = { conversation: "", contact: "", task: "", channel: "", destination: "", rule: "", flow: "" };

const NUL_TEXT = "a\u0000b";
const LONE_SURROGATE = "half \uD83D";
const UNSTORABLE = "must not contain NUL (U+0000) characters or unpaired UTF-16 surrogates";

async function tableCounts(): Promise<string> {
  const q = (table: string) => h.database.pool.query(`select count(*)::int as n from ${table}`).then((r) => `${table}=${r.rows[0].n}`);
  return (await Promise.all(["tenants", "users", "contacts", "tasks", "internal_comments", "messages", "channels", "automation_destinations", "api_keys", "audit_logs", "automation_events"].map(q))).join(" ");
}

function expectRefused(res: RestResult, status: number, path?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String), correlation_id: expect.any(String) }) });
  if (path !== undefined) expect(res.body.error.path).toBe(path);
}

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Hostile Co");
  other = await seedTenant(h.deps, "Other Co");
  admin = await accessTokenFor(h.deps, t.admin);
  otherAdmin = await accessTokenFor(h.deps, other.admin);
  const seeded = await seedConversation(h.deps, t.admin.tenantId, "5550199");
  ids.channel = seeded.channelId;
  ids.conversation = seeded.conversationId;
  ids.contact = seeded.contactId;
  ids.task = (await rest(h.deps, "POST", "/tasks", { token: admin, body: { title: "Call back" } })).body.id;
  ids.destination = (await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: { name: "Sink", url: "https://127.0.0.1:9/hook", event_types: ["task.created"] } })).body.id;
  const definition = { version: 1, trigger: { kind: "event", type: "task.created" }, actions: [{ type: "notify_users", params: { to: { role: "admin" }, title: "New task" } }] };
  ids.rule = (await rest(h.deps, "POST", "/rules", { token: admin, body: { name: "Tasks", definition } })).body.id;
  ids.flow = (await rest(h.deps, "POST", "/flows", { token: admin, body: { name: "Tasks", definition: { version: 1, trigger: definition.trigger, steps: [{ actions: definition.actions }] } } })).body.id;
});
afterAll(() => h.close());

describe("class 1 and 2: NUL and lone surrogates are a 422 naming the field, not a 500", () => {
  const cases: [string, string, () => string, unknown, string][] = [
    ["comment", "POST", () => `/conversations/${ids.conversation}/comments`, { body: NUL_TEXT }, "body"],
    ["reply", "POST", () => `/conversations/${ids.conversation}/messages`, { body: LONE_SURROGATE }, "body"],
    ["task title", "POST", () => "/tasks", { title: NUL_TEXT }, "title"],
    ["task description", "PATCH", () => `/tasks/${ids.task}`, { description: LONE_SURROGATE }, "description"],
    ["contact name", "PATCH", () => `/contacts/${ids.contact}`, { name: NUL_TEXT }, "name"],
    ["contact attribute value (jsonb)", "PATCH", () => `/contacts/${ids.contact}`, { attributes: { plan: LONE_SURROGATE } }, "attributes.plan"],
    ["contact attribute key", "PATCH", () => `/contacts/${ids.contact}`, { attributes: { "pl\u0000an": "gold" } }, "attributes.plan"],
    ["destination name", "POST", () => "/automations/destinations", { name: NUL_TEXT, url: "https://127.0.0.1:9/x", event_types: ["task.created"] }, "name"],
    ["API key name", "POST", () => "/api-keys", { name: LONE_SURROGATE }, "name"],
    ["user name", "POST", () => "/users", { email: "n@example.test", name: NUL_TEXT, role: "agent", password: "long enough" }, "name"],
    ["channel name", "PATCH", () => `/channels/${ids.channel}`, { name: NUL_TEXT }, "name"],
    ["q of conversations", "GET", () => "/conversations?q=%00", undefined, "q"],
    ["q of contacts", "GET", () => "/contacts?q=a%00", undefined, "q"],
    ["action of the audit log", "GET", () => "/audit-logs?action=%00", undefined, "action"],
    ["target_id of the audit log", "GET", () => "/audit-logs?target_id=x%00", undefined, "target_id"],
    ["correlation_id of the audit log", "GET", () => "/audit-logs?correlation_id=%00", undefined, "correlation_id"],
    ["correlation_id of the timeline", "GET", () => "/automations/timeline?correlation_id=%00", undefined, "correlation_id"],
  ];

  it.each(cases)("%s", async (_name, method, path, body, field) => {
    const before = await tableCounts();
    const res = await rest(h.deps, method, path(), { token: admin, body });
    expectRefused(res, 422, field);
    expect(res.body.error.message).toContain(UNSTORABLE);
    expect(await tableCounts()).toBe(before);
  });

  it.each([
    ["login", "/auth/login", { email: "a\u0000@x.y", password: "p" }, "email"],
    ["login password", "/auth/login", { email: "a@x.y", password: LONE_SURROGATE }, "password"],
    ["register", "/auth/register", { email: "founder@x.test", password: "long enough", name: NUL_TEXT, tenant_name: "Acme" }, "name"],
  ])("unauthenticated %s", async (_name, path, body, field) => {
    const before = await tableCounts();
    expectRefused(await rest(h.deps, "POST", path, { body }), 422, field);
    expect(await tableCounts()).toBe(before);
  });

  it("the same text without the NUL is stored and read back exactly (RTL and zero-width kept)", async () => {
    const text = "\u202Eשלום\u200B 😀";
    const res = await rest(h.deps, "POST", `/conversations/${ids.conversation}/comments`, { token: admin, body: { body: text } });
    expect(res.status).toBe(201);
    expect(res.body.body).toBe(text);
  });
});

describe("class 3: dates Postgres cannot hold are a 422 naming the field", () => {
  it.each([
    ["/automations/deliveries?since=0000-01-01", "since"],
    ["/automations/deliveries?until=%2B275760-09-13T00:00:00Z", "until"],
    ["/audit-logs?since=%2B275760-09-13T00:00:00Z", "since"],
    ["/audit-logs?until=0000-01-01T00:00:00Z", "until"],
    ["/automations/deliveries/counts?since=0000-01-01", "since"],
    ["/automations/deliveries/counts?until=%2B275760-09-13T00:00:00Z", "until"],
    ["/automations/deliveries?since=2024-02-31", "since"],
    ["/automations/deliveries?since=0", "since"],
  ])("GET %s", async (path, field) => {
    expectRefused(await rest(h.deps, "GET", path, { token: admin }), 422, field);
  });

  it.each([
    ["task due_at in year 0", "POST", () => "/tasks", { title: "x", due_at: "0000-01-01T00:00:00Z" }, "due_at"],
    ["task due_at on February 31", "PATCH", () => `/tasks/${ids.task}`, { due_at: "2030-02-31T09:00:00Z" }, "due_at"],
    ["snooze until year 275760", "PATCH", () => `/conversations/${ids.conversation}`, { status: "snoozed", snoozed_until: "+275760-09-13T00:00:00Z" }, "snoozed_until"],
  ])("%s", async (_name, method, path, body, field) => {
    const before = await tableCounts();
    expectRefused(await rest(h.deps, method, path(), { token: admin, body }), 422, field);
    expect(await tableCounts()).toBe(before);
  });

  it("still takes a plain date and an offset date-time", async () => {
    expect((await rest(h.deps, "GET", "/automations/deliveries?since=2024-02-29&until=2030-01-01T10:00:00%2B02:00", { token: admin })).status).toBe(200);
  });
});

describe("class 4: a cursor that decodes to an impossible date", () => {
  it("is a 422 naming cursor", async () => {
    const res = await rest(h.deps, "GET", "/conversations?cursor=MjAyNC0wMi0zMVQwMDowMDowMFp8MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw", { token: admin });
    expectRefused(res, 422, "cursor");
  });
});

describe("class 5: a malformed percent-escape in a path id", () => {
  it.each(["/users/%E0%A4%A", "/conversations/%E0%A4%A/messages", "/contacts/%"])("GET %s is a JSON 400", async (path) => {
    const res = await rest(h.deps, "GET", path, { token: admin });
    expectRefused(res, 400, "id");
  });
});

describe("class 6: an empty PATCH is a 422 on every PATCH route", () => {
  const patchRoutes = restRoutes.filter((r) => r.method === "PATCH");

  it("covers them all", () => {
    expect(patchRoutes.map((r) => r.template).sort()).toEqual(["/automations/destinations/{id}", "/channels/{id}", "/contacts/{id}", "/conversations/{id}", "/flows/{id}", "/rules/{id}", "/settings", "/tasks/{id}", "/users/{id}/role"]);
  });

  const idFor: Record<string, () => string> = {
    "/automations/destinations/{id}": () => ids.destination,
    "/channels/{id}": () => ids.channel,
    "/contacts/{id}": () => ids.contact,
    "/conversations/{id}": () => ids.conversation,
    // The workspace's own settings: no id in the path.
    "/settings": () => "",
    "/tasks/{id}": () => ids.task,
    "/rules/{id}": () => ids.rule,
    "/flows/{id}": () => ids.flow,
    "/users/{id}/role": () => t.agent.userId,
  };

  it.each(Object.keys(idFor))("PATCH %s with {} and with only misspelt fields", async (template) => {
    const before = await tableCounts();
    for (const body of [{}, { nmae: "typo" }]) {
      const res = await rest(h.deps, "PATCH", template.replace("{id}", idFor[template]!()), { token: admin, body });
      expectRefused(res, 422);
      expect(res.body.error.message).toMatch(/nothing to update|role/);
    }
    expect(await tableCounts()).toBe(before);
  });
});

describe("class 7: free-form JSON is bounded in depth and size", () => {
  it("contact attributes nested 5,000 deep are a 422 naming where, not a stack overflow", async () => {
    const rawBody = `{"attributes":${deepJsonText(5_000)}}`;
    const res = await rest(h.deps, "PATCH", `/contacts/${ids.contact}`, { token: admin, rawBody, headers: { "content-type": "application/json" } });
    expectRefused(res, 422);
    expect(res.body.error.path).toMatch(/^attributes(\.a)+$/);
    expect(res.body.error.message).toContain("nested deeper than 32 levels");
  });

  it("attributes over 16 KiB are a 422 naming attributes; up to the bound they are stored", async () => {
    expectRefused(await rest(h.deps, "PATCH", `/contacts/${ids.contact}`, { token: admin, body: { attributes: { notes: "x".repeat(17 * 1024) } } }), 422, "attributes");
    const nested = JSON.parse(deepJsonText(20)) as Record<string, unknown>;
    const ok = await rest(h.deps, "PATCH", `/contacts/${ids.contact}`, { token: admin, body: { attributes: { nested } } });
    expect(ok.status).toBe(200);
    expect(ok.body.attributes).toEqual({ nested });
  });
});

describe("409 answers are tenant-blind", () => {
  const whatsapp = (phone: string) => ({ type: "whatsapp", name: "WA", config: { phone_number_id: phone, access_token: "x", app_secret: "y", verify_token: "z" } });
  /** The answer without its correlation id: what a caller can compare between two attempts. */
  const visible = (res: RestResult) => ({ status: res.status, error: { ...res.body.error, correlation_id: undefined } });

  it("a phone_number_id taken in this workspace and in another get the same answer, naming neither", async () => {
    const mine = await rest(h.deps, "POST", "/channels", { token: admin, body: whatsapp("5550199") });
    const theirs = await rest(h.deps, "POST", "/channels", { token: otherAdmin, body: whatsapp("5550199") });
    expect(mine.status).toBe(409);
    expect(visible(theirs)).toEqual(visible(mine));
    for (const secret of [t.admin.tenantId, "Hostile Co", ids.channel, t.admin.email]) expect(JSON.stringify(theirs.body)).not.toContain(secret);
  });

  it("renaming a channel's account id onto a taken one answers the same", async () => {
    const created = await rest(h.deps, "POST", "/channels", { token: otherAdmin, body: whatsapp("5550300") });
    const patched = await rest(h.deps, "PATCH", `/channels/${created.body.id}`, { token: otherAdmin, body: { config: { phone_number_id: "5550199" } } });
    const mine = await rest(h.deps, "POST", "/channels", { token: admin, body: whatsapp("5550199") });
    expect(visible(patched)).toEqual(visible(mine));
  });

  it("an e-mail registered in this workspace, in another, or through sign-up gets the same answer, naming neither", async () => {
    const user = (email: string) => ({ email, name: "Dup", role: "agent", password: "long enough" });
    const sameTenant = await rest(h.deps, "POST", "/users", { token: admin, body: user(t.agent.email) });
    const otherTenant = await rest(h.deps, "POST", "/users", { token: otherAdmin, body: user(t.agent.email.toUpperCase()) });
    const signUp = await rest(h.deps, "POST", "/auth/register", { body: { email: t.agent.email, password: "long enough", name: "Dup", tenant_name: "Dup Co" } });
    expect(sameTenant.status).toBe(409);
    expect(visible(otherTenant)).toEqual(visible(sameTenant));
    expect(visible(signUp)).toEqual(visible(sameTenant));
    for (const secret of [t.admin.tenantId, "Hostile Co", t.agent.userId]) expect(JSON.stringify(otherTenant.body)).not.toContain(secret);
  });
});
