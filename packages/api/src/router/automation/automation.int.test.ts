import { createHmac, randomBytes } from "node:crypto";
import type { Principal } from "@alfred/auth";
import { recordEvent, sampleEnvelope, type CatalogEventType } from "@alfred/automation";
import { startDeliveryEngine, startSink, type Sink, type SinkRequest } from "@alfred/automation/testing";
import { eq } from "@alfred/db";
import { apiKeys, automationDeliveries, automationDestinations } from "@alfred/db/schema";
import type { ResolvedAddress } from "@alfred/egress";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateOpenApiDocument } from "trpc-to-openapi";
import { createTRPCRouter } from "../../trpc";
import { apiKeysRouter } from "../api-keys/_router";
import { automationRouter } from "./_router";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";

let h: ApiHarness;
let t: TenantFixture;
let other: TenantFixture;
let sink: Sink;
let worker: { stop(): Promise<void> };
const dns = new Map<string, string>();

beforeAll(async () => {
  sink = await startSink();
  h = await createApiHarness({ EGRESS_ALLOWLIST: `127.0.0.1:${sink.port}`, AUTOMATION_RETRY_SCHEDULE_SECONDS: "1,1", AUTOMATION_DELIVERY_TIMEOUT_MS: "2000" });
  h.deps.automation = {
    ...h.deps.automation,
    resolve: async (hostname): Promise<ResolvedAddress[]> => {
      const address = dns.get(hostname);
      if (!address) throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
      return [{ address }];
    },
  };
  t = await seedTenant(h.deps);
  other = await seedTenant(h.deps);
  worker = await startDeliveryEngine({ db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation, logger: h.deps.logger, publishLive: (events) => h.deps.producer.publishLive(events) }, { prefix: h.prefix });
});

afterAll(async () => {
  await worker.stop();
  await h.close();
  await sink.close();
});

const token = (p: Principal) => accessTokenFor(h.deps, p);
const newDestination = (overrides: Record<string, unknown> = {}) => ({ name: "Activepieces", url: sink.url, event_types: ["task.created", "lead.score_changed"], ...overrides });

describe("destinations over REST", () => {
  it("creates with the secret shown once, then only masked; stored encrypted", async () => {
    const created = await rest(h.deps, "POST", "/automations/destinations", { token: await token(t.admin), body: newDestination() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Activepieces", url: sink.url, event_types: ["task.created", "lead.score_changed"], enabled: true, disabled_reason: null });
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body.secret_masked).toBe(`${secret.slice(0, 10)}…${secret.slice(-4)}`);

    const got = await rest(h.deps, "GET", `/automations/destinations/${created.body.id}`, { token: await token(t.admin) });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty("secret");
    const list = await rest(h.deps, "GET", "/automations/destinations", { token: await token(t.admin) });
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(6));
    expect(list.body.items.map((d: { id: string }) => d.id)).toContain(created.body.id);

    const [row] = await h.deps.db.select().from(automationDestinations).where(eq(automationDestinations.id, created.body.id));
    expect(row!.secretEncrypted).toMatch(/^v1:test:/);
    expect(row!.secretEncrypted).not.toContain(secret.slice(6));
    expect(h.deps.keys.decrypt(row!.secretEncrypted)).toBe(secret);
  });

  it("accepts a user secret of 24+ characters and refuses a shorter one (422 on secret, nothing written)", async () => {
    const ok = await rest(h.deps, "POST", "/automations/destinations", { token: await token(t.admin), body: newDestination({ secret: "x".repeat(24) }) });
    expect(ok.status).toBe(201);
    expect(ok.body.secret).toBe("x".repeat(24));
    const before = (await h.deps.db.select().from(automationDestinations)).length;
    const short = await rest(h.deps, "POST", "/automations/destinations", { token: await token(t.admin), body: newDestination({ secret: "x".repeat(23) }) });
    expect(short.status).toBe(422);
    expect(short.body.error).toMatchObject({ code: "validation_error", path: "secret" });
    expect((await h.deps.db.select().from(automationDestinations)).length).toBe(before);
  });

  dns.set("internal.example.test", "10.1.2.3");
  dns.set("public.example.test", "93.184.216.34");
  it.each([
    ["http://localhost/hook", /loopback/],
    ["http://127.0.0.1:9/hook", /loopback/], // allow-listed host, wrong port
    ["http://2130706433/", /127\.0\.0\.1.*loopback/],
    ["http://0x7f000001/", /loopback/],
    ["http://0177.0.0.1/", /loopback/],
    ["http://127.1/", /loopback/],
    ["http://[::ffff:127.0.0.1]/", /127\.0\.0\.1/],
    ["http://[::1]/", /loopback/],
    ["http://169.254.169.254/latest/meta-data/", /metadata/],
    ["http://10.0.0.8/", /private/],
    ["http://192.168.1.1/", /private/],
    ["http://100.64.0.1/", /carrier-grade NAT/],
    ["http://0.0.0.0/", /this network/],
    ["http://224.0.0.1/", /multicast/],
    ["http://[fd00::1]/", /unique local|ULA|private/i],
    ["http://internal.example.test/hook", /resolves to 10\.1\.2\.3/],
    ["http://nxdomain.example.test/hook", /could not be resolved/],
    ["ftp://public.example.test/", /http or https/],
    ["http://user:pw@public.example.test/", /username or password/],
    ["not a url", /not a valid absolute URL/],
  ])("refuses %s at save time with 422 on url", async (url, reason) => {
    const res = await rest(h.deps, "POST", "/automations/destinations", { token: await token(t.admin), body: newDestination({ url }) });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "validation_error", path: "url" });
    expect(res.body.error.message).toMatch(reason);
  });

  it("accepts a public name (resolved through the injected resolver)", async () => {
    const res = await rest(h.deps, "POST", "/automations/destinations", { token: await token(t.admin), body: newDestination({ url: "https://public.example.test/webhooks/catch/abc" }) });
    expect(res.status).toBe(201);
  });

  it.each([
    ["unknown event type", { event_types: ["lead.deleted"] }],
    ["alfred.test is not subscribable", { event_types: ["alfred.test"] }],
    ["blank name", { name: "   " }],
    ["event_types not an array", { event_types: "task.created" }],
    ["enabled as a string", { enabled: "yes" }],
  ])("refuses %s with 422", async (_name, patch) => {
    const res = await rest(h.deps, "POST", "/automations/destinations", { token: await token(t.admin), body: newDestination(patch) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("validation_error");
  });

  it("PATCH re-validates the URL, toggles enabled with a reason, DELETE answers 204", async () => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    const bad = await rest(h.deps, "PATCH", `/automations/destinations/${created.id}`, { token: admin, body: { url: "http://169.254.169.254/" } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.path).toBe("url");
    expect((await rest(h.deps, "GET", `/automations/destinations/${created.id}`, { token: admin })).body.url).toBe(sink.url);

    const off = await rest(h.deps, "PATCH", `/automations/destinations/${created.id}`, { token: admin, body: { enabled: false } });
    expect(off.body).toMatchObject({ enabled: false, disabled_reason: "manual" });
    const on = await rest(h.deps, "PATCH", `/automations/destinations/${created.id}`, { token: admin, body: { enabled: true, name: "Renamed" } });
    expect(on.body).toMatchObject({ enabled: true, disabled_reason: null, name: "Renamed" });
    expect((await rest(h.deps, "PATCH", `/automations/destinations/${created.id}`, { token: admin, body: {} })).status).toBe(422);

    const del = await rest(h.deps, "DELETE", `/automations/destinations/${created.id}`, { token: admin });
    expect(del.status).toBe(204);
    expect((await rest(h.deps, "GET", `/automations/destinations/${created.id}`, { token: admin })).status).toBe(404);
    expect((await rest(h.deps, "DELETE", `/automations/destinations/${created.id}`, { token: admin })).status).toBe(404);
  });

  it("rotate-secret returns the new secret once and keeps the previous one for the grace period", async () => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    const rotated = await rest(h.deps, "POST", `/automations/destinations/${created.id}/rotate-secret`, { token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    const expires = Date.parse(rotated.body.previous_secret_expires_at);
    expect(Math.abs(expires - (Date.now() + 24 * 3600 * 1000))).toBeLessThan(60_000);
  });

  it("creates a callback-only destination (no event types) that no event is delivered to", async () => {
    const admin = await token(t.admin);
    const created = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination({ name: "Actions only", event_types: [] }) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ event_types: [], enabled: true });
    const event = await h.deps.db.transaction((tx) =>
      recordEvent(tx, { tenantId: t.admin.tenantId, type: "lead.score_changed", sourceEventId: `lead:${randomBytes(4).toString("hex")}`, payload: { contact_id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d", previous_score: 1, score: 2 } }),
    );
    expect(event.deliveryIds.length).toBeGreaterThan(0);
    const toCallbackOnly = await h.deps.db.select().from(automationDeliveries).where(eq(automationDeliveries.destinationId, created.body.id));
    expect(toCallbackOnly).toEqual([]);
  });

  it("lists the event catalog for any member", async () => {
    const res = await rest(h.deps, "GET", "/automations/event-types", { token: await token(t.agent) });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { type: string }) => i.type)).toEqual(expect.arrayContaining(["message.ingested", "lead.score_changed", "alfred.test"]));
  });
});

describe("a sample delivery body per event type", () => {
  it.each(["message.ingested", "message.sent", "conversation.updated", "task.created", "task.completed", "task.overdue", "contact.updated", "lead.score_changed", "alfred.test"])(
    "%s: the envelope a delivery carries, for the caller's tenant, to any member",
    async (type) => {
      const res = await rest(h.deps, "GET", `/automations/event-types/${type}/sample`, { token: await token(t.agent) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(sampleEnvelope(type as CatalogEventType, t.admin.tenantId));
      expect(Object.keys(res.body)).toEqual(["event_id", "tenant_id", "occurred_at", "type", "payload"]);
    },
  );

  it.each(["lead.deleted", "MESSAGE.INGESTED", "__proto__", "toString", "message.ingested.", "%2e%2e", "x".repeat(64)])("unknown type %j is a 404 naming the catalog", async (type) => {
    const res = await rest(h.deps, "GET", `/automations/event-types/${type}/sample`, { token: await token(t.admin) });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", message: expect.stringContaining("/api/v1/automations/event-types") });
  });

  it("refuses a type longer than any in the catalog (422), a missing token (401) and a broken escape (400)", async () => {
    expect((await rest(h.deps, "GET", `/automations/event-types/${"x".repeat(65)}/sample`, { token: await token(t.admin) })).status).toBe(422);
    expect((await rest(h.deps, "GET", "/automations/event-types/task.created/sample")).status).toBe(401);
    expect((await rest(h.deps, "GET", "/automations/event-types/%E0%A4%A/sample", { token: await token(t.admin) })).status).toBe(400);
  });
});

/**
 * What Activepieces' Catch Webhook "HMAC Signature" mode does with the settings the README gives
 * (header X-Alfred-Body-Signature, secret as UTF-8, sha256, hex, prefix `sha256=`): one value
 * against one configured secret.
 */
function activepiecesAccepts(request: SinkRequest, secret: string): boolean {
  const expected = `sha256=${createHmac("sha256", Buffer.from(secret, "utf8")).update(request.body).digest("hex")}`;
  return request.headers["x-alfred-body-signature"] === expected;
}

const webhookHeaders = (r: SinkRequest) => ({ "webhook-id": String(r.headers["webhook-id"]), "webhook-timestamp": String(r.headers["webhook-timestamp"]), "webhook-signature": String(r.headers["webhook-signature"]) });
const standardWebhooksAccepts = (r: SinkRequest, secret: string) => {
  try {
    new StandardWebhook(secret).verify(r.body, webhookHeaders(r));
    return true;
  } catch {
    return false;
  }
};
const svixAccepts = (r: SinkRequest, secret: string) => {
  try {
    new SvixWebhook(secret).verify(r.body, webhookHeaders(r));
    return true;
  } catch {
    return false;
  }
};

describe("secret rotation with receivers that check one secret", () => {
  /** Sends alfred.test to the destination and returns the request the receiver got. */
  async function delivered(admin: string, destinationId: string): Promise<SinkRequest> {
    const sent = await rest(h.deps, "POST", `/automations/destinations/${destinationId}/test`, { token: admin });
    expect(sent.status).toBe(202);
    await expect.poll(async () => (await rest(h.deps, "GET", `/automations/deliveries/${sent.body.delivery_id}`, { token: admin })).body.status, { timeout: 10_000 }).toBe("delivered");
    return sink.requests.find((r) => r.headers["x-alfred-event-id"] === sent.body.event_id)!;
  }

  it("the body signature keeps the old secret through the overlap; every secret verifies with standardwebhooks and svix; the new one after expiry", async () => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    const oldSecret: string = created.secret;
    const before = await delivered(admin, created.id);
    expect(activepiecesAccepts(before, oldSecret)).toBe(true);

    const rotated = await rest(h.deps, "POST", `/automations/destinations/${created.id}/rotate-secret`, { token: admin });
    const newSecret: string = rotated.body.secret;
    expect(rotated.body).toMatchObject({ body_signature_secret: "previous", new_secret_confirmed_at: null });

    const during = await delivered(admin, created.id);
    expect(activepiecesAccepts(during, oldSecret)).toBe(true);
    expect(activepiecesAccepts(during, newSecret)).toBe(false);
    for (const secret of [oldSecret, newSecret]) {
      expect(standardWebhooksAccepts(during, secret)).toBe(true);
      expect(svixAccepts(during, secret)).toBe(true);
    }

    // The last moment of the overlap: still the old secret.
    await h.deps.db.update(automationDestinations).set({ previousSecretExpiresAt: new Date(Date.now() + 30_000) }).where(eq(automationDestinations.id, created.id));
    const lastMoment = await delivered(admin, created.id);
    expect(activepiecesAccepts(lastMoment, oldSecret)).toBe(true);

    // The overlap is over: the new secret everywhere, the old one nowhere.
    await h.deps.db.update(automationDestinations).set({ previousSecretExpiresAt: new Date(Date.now() - 1_000) }).where(eq(automationDestinations.id, created.id));
    const after = await delivered(admin, created.id);
    expect(activepiecesAccepts(after, newSecret)).toBe(true);
    expect(activepiecesAccepts(after, oldSecret)).toBe(false);
    expect(standardWebhooksAccepts(after, newSecret) && svixAccepts(after, newSecret)).toBe(true);
    expect(standardWebhooksAccepts(after, oldSecret) || svixAccepts(after, oldSecret)).toBe(false);
    const got = await rest(h.deps, "GET", `/automations/destinations/${created.id}`, { token: admin });
    expect(got.body).toMatchObject({ body_signature_secret: "current", previous_secret_expires_at: null });
    expect((await rest(h.deps, "POST", `/automations/destinations/${created.id}/confirm-new-secret`, { token: admin })).status).toBe(409);
  });

  it("confirm-new-secret switches the body signature at once; the overlap goes on for the others; a second confirm is 409", async () => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    const none = await rest(h.deps, "POST", `/automations/destinations/${created.id}/confirm-new-secret`, { token: admin });
    expect(none.status).toBe(409);
    expect(none.body.error).toMatchObject({ code: "conflict", message: expect.stringContaining("no rotation is pending") });

    const { body: rotated } = await rest(h.deps, "POST", `/automations/destinations/${created.id}/rotate-secret`, { token: admin });
    const confirmed = await rest(h.deps, "POST", `/automations/destinations/${created.id}/confirm-new-secret`, { token: admin });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ body_signature_secret: "current", new_secret_confirmed_at: expect.any(String), previous_secret_expires_at: rotated.previous_secret_expires_at });
    expect(confirmed.body).not.toHaveProperty("secret");

    const afterConfirm = await delivered(admin, created.id);
    expect(activepiecesAccepts(afterConfirm, rotated.secret)).toBe(true);
    expect(activepiecesAccepts(afterConfirm, created.secret)).toBe(false);
    for (const secret of [created.secret, rotated.secret]) {
      expect(standardWebhooksAccepts(afterConfirm, secret)).toBe(true);
      expect(svixAccepts(afterConfirm, secret)).toBe(true);
    }
    const again = await rest(h.deps, "POST", `/automations/destinations/${created.id}/confirm-new-secret`, { token: admin });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("already confirmed");
  });

  it("rotating again before confirming keeps the secret the receiver has on the body signature", async () => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    await rest(h.deps, "POST", `/automations/destinations/${created.id}/rotate-secret`, { token: admin });
    const { body: second } = await rest(h.deps, "POST", `/automations/destinations/${created.id}/rotate-secret`, { token: admin });
    const request = await delivered(admin, created.id);
    expect(activepiecesAccepts(request, created.secret)).toBe(true);
    expect(svixAccepts(request, created.secret) && svixAccepts(request, second.secret)).toBe(true);
  });
});

describe("static credentials (Basic or a named header) for receivers without HMAC", () => {
  async function delivered(admin: string, destinationId: string) {
    const sent = await rest(h.deps, "POST", `/automations/destinations/${destinationId}/test`, { token: admin });
    await expect.poll(async () => (await rest(h.deps, "GET", `/automations/deliveries/${sent.body.delivery_id}`, { token: admin })).body.status, { timeout: 10_000 }).toBe("delivered");
    const detail = (await rest(h.deps, "GET", `/automations/deliveries/${sent.body.delivery_id}`, { token: admin })).body;
    const request = sink.requests.find((r) => r.headers["x-alfred-event-id"] === sent.body.event_id)!;
    return { request, detail, deliveryId: sent.body.delivery_id as string };
  }
  const storedAttempts = async (deliveryId: string) => JSON.stringify((await h.database.pool.query("select request_headers from automation_delivery_attempts where delivery_id = $1", [deliveryId])).rows);

  it("a header credential reaches the receiver, is masked in the attempt log and never returned after creation", async () => {
    const admin = await token(t.admin);
    const created = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination({ credential: { kind: "header", header_name: "X-Flow-Token" } }) });
    expect(created.status).toBe(201);
    const value: string = created.body.credential_secret;
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body.credential).toEqual({ kind: "header", header_name: "X-Flow-Token", value_masked: `••••${value.slice(-4)}` });

    const { request, detail, deliveryId } = await delivered(admin, created.body.id);
    expect(request.headers["x-flow-token"]).toBe(value);
    expect(request.headers["x-alfred-signature"]).toMatch(/^sha256=/);
    expect(detail.attempt_log[0].request_headers["X-Flow-Token"]).toBe("[masked]");
    expect(JSON.stringify(detail)).not.toContain(value);
    expect(await storedAttempts(deliveryId)).not.toContain(value);

    const got = await rest(h.deps, "GET", `/automations/destinations/${created.body.id}`, { token: admin });
    const list = await rest(h.deps, "GET", "/automations/destinations", { token: admin });
    for (const answer of [got.body, list.body]) {
      expect(JSON.stringify(answer)).not.toContain(value);
      expect(JSON.stringify(answer)).not.toContain("credential_secret");
    }
    const [row] = await h.deps.db.select().from(automationDestinations).where(eq(automationDestinations.id, created.body.id));
    expect(row!.credentialEncrypted).not.toContain(value);
    expect(h.deps.keys.decrypt(row!.credentialEncrypted!)).toBe(value);
  });

  it("Basic credentials are sent as Authorization: Basic, rotated by setting them again, and removed", async () => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    expect(created.credential).toBeNull();
    expect((await delivered(admin, created.id)).request.headers.authorization).toBeUndefined();

    const set = await rest(h.deps, "PUT", `/automations/destinations/${created.id}/credential`, { token: admin, body: { credential: { kind: "basic", username: "activepieces", password: "a-password-the-flow-knows" } } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ credential_secret: "a-password-the-flow-knows", credential: { kind: "basic", username: "activepieces", password_masked: "••••nows" } });
    const basic = await delivered(admin, created.id);
    // Parsed as a receiver does (RFC 7617): base64 of "user:password" after "Basic ".
    const [scheme, encoded] = String(basic.request.headers.authorization).split(" ");
    expect(scheme).toBe("Basic");
    expect(Buffer.from(encoded!, "base64").toString("utf8")).toBe("activepieces:a-password-the-flow-knows");
    expect(basic.detail.attempt_log[0].request_headers.Authorization).toBe("Basic [masked]");
    expect(await storedAttempts(basic.deliveryId)).not.toContain(encoded);

    const rotated = await rest(h.deps, "PUT", `/automations/destinations/${created.id}/credential`, { token: admin, body: { credential: { kind: "basic", username: "activepieces" } } });
    expect(rotated.body.credential_secret).not.toBe("a-password-the-flow-knows");
    const afterRotation = await delivered(admin, created.id);
    expect(String(afterRotation.request.headers.authorization)).toBe(`Basic ${Buffer.from(`activepieces:${rotated.body.credential_secret}`).toString("base64")}`);

    const removed = await rest(h.deps, "DELETE", `/automations/destinations/${created.id}/credential`, { token: admin });
    expect(removed.status).toBe(200);
    expect(removed.body.credential).toBeNull();
    expect((await delivered(admin, created.id)).request.headers.authorization).toBeUndefined();
  });

  it.each([
    [{ kind: "header", header_name: "X-Alfred-Signature" }, "credential.header_name"],
    [{ kind: "header", header_name: "Content-Type" }, "credential.header_name"],
    [{ kind: "header", header_name: "X Flow" }, "credential.header_name"],
    [{ kind: "header", header_name: "X-Flow", value: "line\r\nX-Injected: 1" }, "credential.value"],
    [{ kind: "header", header_name: "X-Flow", value: " padded " }, "credential.value"],
    [{ kind: "basic", username: "user:name" }, "credential.username"],
    [{ kind: "basic", username: "" }, "credential.username"],
    [{ kind: "basic", username: "u", password: "é-not-ascii" }, "credential.password"],
  ])("refuses %j with 422 naming %s, and stores nothing", async (credential, path) => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    const res = await rest(h.deps, "PUT", `/automations/destinations/${created.id}/credential`, { token: admin, body: { credential } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "validation_error", path });
    const onCreate = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination({ name: "Refused", credential }) });
    expect(onCreate.status).toBe(422);
    const [row] = await h.deps.db.select().from(automationDestinations).where(eq(automationDestinations.id, created.id));
    expect(row!.credentialKind).toBeNull();
  });
});

describe("send test event and the deliveries API", () => {
  it("POST /test delivers a signed alfred.test at once; the delivery shows the event, headers and attempt", async () => {
    const admin = await token(t.admin);
    const { body: created } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    const sent = await rest(h.deps, "POST", `/automations/destinations/${created.id}/test`, { token: admin, headers: { "x-correlation-id": "corr-test-1" } });
    expect(sent.status).toBe(202);
    const manager = await token(t.manager);
    await expect.poll(async () => (await rest(h.deps, "GET", `/automations/deliveries/${sent.body.delivery_id}`, { token: manager })).body.status, { timeout: 10_000 }).toBe("delivered");
    const detail = (await rest(h.deps, "GET", `/automations/deliveries/${sent.body.delivery_id}`, { token: manager })).body;
    expect(detail.event).toMatchObject({ event_id: sent.body.event_id, tenant_id: t.admin.tenantId, type: "alfred.test", payload: { message: expect.any(String) } });
    expect(detail.attempt_log).toHaveLength(1);
    expect(detail.attempt_log[0]).toMatchObject({ number: 1, trigger: "test", status_code: 200, error_class: null });
    const received = sink.requests.find((r: { headers: Record<string, unknown> }) => r.headers["x-alfred-event-id"] === sent.body.event_id)!;
    expect(received.headers["x-correlation-id"]).toBe("corr-test-1");
    // What a flow puts in its callbacks' X-Alfred-Destination-Id, so it need not be hard-coded.
    expect(received.headers["x-alfred-destination-id"]).toBe(created.id);
    expect(detail.attempt_log[0].request_headers["X-Alfred-Signature"]).toBe(received.headers["x-alfred-signature"]);
    expect(JSON.stringify(detail)).not.toContain(created.secret.slice(6));
  });

  it("lists newest first with keyset pagination and filters; hostile filters are 422", async () => {
    const admin = await token(t.admin);
    const manager = await token(t.manager);
    const { body: dest } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination({ enabled: false }) });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await rest(h.deps, "POST", `/automations/destinations/${dest.id}/test`, { token: admin })).body.delivery_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/automations/deliveries?destination_id=${dest.id}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await rest(h.deps, "GET", query, { token: manager });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const filtered = await rest(h.deps, "GET", `/automations/deliveries?destination_id=${dest.id}&event_type=task.created`, { token: manager });
    expect(filtered.body).toEqual({ items: [], next_cursor: null });
    const future = await rest(h.deps, "GET", `/automations/deliveries?destination_id=${dest.id}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: manager });
    expect(future.body.items).toEqual([]);

    for (const bad of ["status=teleported", "destination_id=not-a-uuid", "limit=0", "limit=1000", "cursor=%27%20or%201%3D1", "since=yesterday", `since=2025-01-02T00:00:00Z&until=2025-01-01T00:00:00Z`, "event_type=lead.deleted"]) {
      const res = await rest(h.deps, "GET", `/automations/deliveries?${bad}`, { token: manager });
      expect(res.status, bad).toBe(422);
      expect(res.body.error.code).toBe("validation_error");
    }
  });

  it("manual retry records a manual attempt; replay makes a new delivery of an old event", async () => {
    const admin = await token(t.admin);
    const manager = await token(t.manager);
    const { body: dest } = await rest(h.deps, "POST", "/automations/destinations", { token: admin, body: newDestination() });
    const event = await h.deps.db.transaction((tx) =>
      recordEvent(tx, { tenantId: t.admin.tenantId, type: "task.created", sourceEventId: `task:${randomBytes(4).toString("hex")}`, payload: { task_id: "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918", title: "Call", status: "open", due_at: null, assignee_id: null, conversation_id: null, contact_id: null } }),
    );
    const deliveryId = event.deliveryIds.find(Boolean)!;
    await h.deps.producer.wakeDeliveries();
    await expect.poll(async () => (await rest(h.deps, "GET", `/automations/deliveries/${deliveryId}`, { token: manager })).body.status, { timeout: 10_000 }).toBe("delivered");

    const retried = await rest(h.deps, "POST", `/automations/deliveries/${deliveryId}/retry`, { token: manager });
    expect(retried.status).toBe(202);
    await expect.poll(async () => (await rest(h.deps, "GET", `/automations/deliveries/${deliveryId}`, { token: manager })).body.attempt_log.length, { timeout: 10_000 }).toBe(2);
    const detail = (await rest(h.deps, "GET", `/automations/deliveries/${deliveryId}`, { token: manager })).body;
    expect(detail.attempt_log.map((a: { trigger: string }) => a.trigger)).toEqual(["scheduled", "manual"]);

    const replay = await rest(h.deps, "POST", `/automations/events/${event.eventId}/replay`, { token: manager, body: { destination_id: dest.id } });
    expect(replay.status).toBe(202);
    expect(replay.body.delivery_ids).toHaveLength(1);
    expect(replay.body.delivery_ids[0]).not.toBe(deliveryId);
    await expect.poll(async () => (await rest(h.deps, "GET", `/automations/deliveries/${replay.body.delivery_ids[0]}`, { token: manager })).body.status, { timeout: 10_000 }).toBe("delivered");

    // Another tenant's destination is not found, even for one's own event.
    const { body: foreign } = await rest(h.deps, "POST", "/automations/destinations", { token: await token(other.admin), body: newDestination() });
    expect((await rest(h.deps, "POST", `/automations/events/${event.eventId}/replay`, { token: manager, body: { destination_id: foreign.id } })).status).toBe(404);
  });

  it("bulk cancel and bulk retry only ever touch the caller's tenant", async () => {
    const { body: foreignDest } = await rest(h.deps, "POST", "/automations/destinations", { token: await token(other.admin), body: newDestination({ enabled: false }) });
    const foreignTest = await rest(h.deps, "POST", `/automations/destinations/${foreignDest.id}/test`, { token: await token(other.admin) });
    const mine = await token(t.manager);
    expect((await rest(h.deps, "POST", "/automations/deliveries/cancel", { token: mine, body: { ids: [foreignTest.body.delivery_id] } })).body).toEqual({ count: 0 });
    expect((await rest(h.deps, "POST", "/automations/deliveries/cancel", { token: mine, body: { destination_id: foreignDest.id } })).body).toEqual({ count: 0 });
    expect((await rest(h.deps, "POST", "/automations/deliveries/bulk-retry", { token: mine, body: { destination_id: foreignDest.id } })).body).toEqual({ count: 0 });
    expect((await rest(h.deps, "POST", "/automations/deliveries/cancel", { token: mine, body: {} })).status).toBe(422);
    const list = await rest(h.deps, "GET", "/automations/deliveries?limit=100", { token: mine });
    expect(list.body.items.map((d: { id: string }) => d.id)).not.toContain(foreignTest.body.delivery_id);
  });
});

describe("roles", () => {
  type Role = "agent" | "manager" | "admin";
  const RANK: Record<Role, number> = { agent: 1, manager: 2, admin: 3 };
  const MATRIX: { name: string; minimum: Role; call: (c: ReturnType<typeof callerFor>) => Promise<unknown> }[] = [
    { name: "automation.destinations.list", minimum: "admin", call: (c) => c.automation.destinations.list() },
    { name: "automation.destinations.names", minimum: "manager", call: (c) => c.automation.destinations.names() },
    { name: "automation.destinations.create", minimum: "admin", call: (c) => c.automation.destinations.create({ name: "x", url: sink.url, event_types: ["task.created"] }) },
    { name: "automation.destinations.get", minimum: "admin", call: (c) => c.automation.destinations.get({ id: "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11" }).catch((e: { code?: string }) => (e.code === "NOT_FOUND" ? "ok" : Promise.reject(e))) },
    { name: "automation.destinations.confirmNewSecret", minimum: "admin", call: (c) => c.automation.destinations.confirmNewSecret({ id: "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11" }).catch((e: { code?: string }) => (e.code === "NOT_FOUND" ? "ok" : Promise.reject(e))) },
    { name: "automation.destinations.setCredential", minimum: "admin", call: (c) => c.automation.destinations.setCredential({ id: "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11", credential: { kind: "header", header_name: "X-Token" } }).catch((e: { code?: string }) => (e.code === "NOT_FOUND" ? "ok" : Promise.reject(e))) },
    { name: "automation.destinations.removeCredential", minimum: "admin", call: (c) => c.automation.destinations.removeCredential({ id: "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11" }).catch((e: { code?: string }) => (e.code === "NOT_FOUND" ? "ok" : Promise.reject(e))) },
    { name: "apiKeys.list", minimum: "admin", call: (c) => c.apiKeys.list() },
    { name: "apiKeys.create", minimum: "admin", call: (c) => c.apiKeys.create({ name: "k" }) },
    { name: "automation.deliveries.list", minimum: "manager", call: (c) => c.automation.deliveries.list({}) },
    { name: "automation.deliveries.cancel", minimum: "manager", call: (c) => c.automation.deliveries.cancel({ event_type: "task.completed" }) },
    { name: "automation.eventTypes", minimum: "agent", call: (c) => c.automation.eventTypes() },
    { name: "automation.eventTypeSample", minimum: "agent", call: (c) => c.automation.eventTypeSample({ type: "task.created" }) },
  ];
  for (const entry of MATRIX) {
    for (const role of ["agent", "manager", "admin"] as const) {
      const allowed = RANK[role] >= RANK[entry.minimum];
      it(`${entry.name} as ${role} is ${allowed ? "allowed" : "FORBIDDEN"}`, async () => {
        const call = entry.call(callerFor(h.deps, t[role]));
        if (allowed) await expect(call).resolves.toBeDefined();
        else await expect(call).rejects.toMatchObject({ code: "FORBIDDEN" });
      });
    }
  }

  it("names gives managers ids and names only, of their own tenant", async () => {
    const { items } = await callerFor(h.deps, t.manager).automation.destinations.names();
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(["enabled", "id", "name"]);
    const others = await callerFor(h.deps, other.manager).automation.destinations.names();
    expect(others.items.map((d) => d.id)).not.toEqual(expect.arrayContaining(items.map((d) => d.id)));
  });

  it("an agent gets 403 on the REST routes too", async () => {
    const agent = await token(t.agent);
    expect((await rest(h.deps, "GET", "/automations/destinations", { token: agent })).status).toBe(403);
    expect((await rest(h.deps, "GET", "/automations/deliveries", { token: agent })).status).toBe(403);
    expect((await rest(h.deps, "POST", "/api-keys", { token: agent, body: { name: "k" } })).status).toBe(403);
  });
});

describe("API keys", () => {
  it("are shown once, stored hashed, work as bearer on REST, record last use, and stop when revoked", async () => {
    const admin = await token(t.admin);
    const created = await rest(h.deps, "POST", "/api-keys", { token: admin, body: { name: "Activepieces platform" } });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^alf_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ role: "admin", prefix: key.slice(0, 12), last_used_at: null });
    const [row] = await h.deps.db.select().from(apiKeys).where(eq(apiKeys.id, created.body.id));
    expect(row!.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key.slice(4));

    const viaKey = await rest(h.deps, "POST", "/automations/destinations", { token: key, body: newDestination({ name: "made by a machine" }) });
    expect(viaKey.status).toBe(201);
    const list = await rest(h.deps, "GET", "/api-keys", { token: admin });
    const listed = list.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(listed.last_used_at).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(key.slice(12));

    expect((await rest(h.deps, "DELETE", `/api-keys/${created.body.id}`, { token: admin })).status).toBe(204);
    const after = await rest(h.deps, "GET", "/automations/destinations", { token: key });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("unauthorized");
  });

  it("act with the key's role, never above the creator's current role, and die with the creator", async () => {
    const admin = callerFor(h.deps, t.admin);
    const managerKey = (await admin.apiKeys.create({ name: "read deliveries", role: "manager" })).key;
    expect((await rest(h.deps, "GET", "/automations/deliveries", { token: managerKey })).status).toBe(200);
    expect((await rest(h.deps, "GET", "/automations/destinations", { token: managerKey })).status).toBe(403);

    // A second admin creates a key, is demoted to agent, then deactivated.
    const second = await admin.users.create({ email: `second-${randomBytes(3).toString("hex")}@example.test`, name: "Second", role: "admin", password: "password-123" });
    const secondPrincipal: Principal = { ...t.admin, userId: second.id, email: second.email, name: second.name };
    const adminKey = (await callerFor(h.deps, secondPrincipal).apiKeys.create({ name: "full" })).key;
    expect((await rest(h.deps, "GET", "/automations/destinations", { token: adminKey })).status).toBe(200);
    await admin.users.changeRole({ id: second.id, role: "agent" });
    expect((await rest(h.deps, "GET", "/automations/destinations", { token: adminKey })).status).toBe(403);
    await admin.users.deactivate({ id: second.id });
    expect((await rest(h.deps, "GET", "/automations/event-types", { token: adminKey })).status).toBe(401);
  });

  it.each([
    ["a made-up key", `alf_${"A".repeat(43)}`],
    ["a truncated real-looking key", "alf_abc"],
    ["garbage", "%%%"],
    ["an empty-ish token", "alf_"],
  ])("refuses %s with 401", async (_name, key) => {
    const res = await rest(h.deps, "GET", "/automations/event-types", { token: key });
    expect(res.status).toBe(401);
  });

  it("a key of another tenant sees only that tenant", async () => {
    const foreignKey = (await callerFor(h.deps, other.admin).apiKeys.create({ name: "other" })).key;
    const res = await rest(h.deps, "GET", "/automations/destinations", { token: foreignKey });
    expect(res.status).toBe(200);
    const mine = (await callerFor(h.deps, t.admin).automation.destinations.list()).items.map((d) => d.id);
    for (const d of res.body.items) expect(mine).not.toContain(d.id);
  });
});

describe("OpenAPI", () => {
  it("documents the automation and API-key routes", () => {
    // Generated from these routers alone, so this checks their meta and schemas only.
    const router = createTRPCRouter({ automation: automationRouter, apiKeys: apiKeysRouter });
    const paths = Object.keys(generateOpenApiDocument(router, { title: "t", version: "1", baseUrl: "/api/v1" }).paths ?? {});
    expect(paths).toEqual(
      expect.arrayContaining([
        "/automations/destinations",
        "/automations/destinations/{id}",
        "/automations/destinations/{id}/rotate-secret",
        "/automations/destinations/{id}/confirm-new-secret",
        "/automations/destinations/{id}/credential",
        "/automations/destinations/{id}/test",
        "/automations/deliveries",
        "/automations/deliveries/{id}",
        "/automations/deliveries/{id}/retry",
        "/automations/events/{id}/replay",
        "/automations/event-types",
        "/automations/event-types/{type}/sample",
        "/api-keys",
        "/api-keys/{id}",
      ]),
    );
  });
});
