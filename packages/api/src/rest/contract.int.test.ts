import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { alfredSignature } from "@alfred/automation";
import { signApiBody, signSha256Header } from "@alfred/channels";
import { createDb, eq, schema } from "@alfred/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleCallback, MAX_CALLBACK_BYTES } from "../callbacks/handler";
import { handleWebhook, handleWebhookVerification } from "../intake/webhooks";
import { accessTokenFor, createApiHarness, seedConversation, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";
import { OpenApiContract, type Answer, type DocumentedOperation } from "../testing/openapi-contract";
import { REST_CASES, type Call, type CaseContext, type Fixtures } from "./contract.rest-cases";
import { createApiKeyResolver } from "./api-keys";
import { handleRestRequest, MAX_JSON_BODY_BYTES } from "./handler";
import { openApiDocument } from "./openapi";
import { restRoutes, type RestRoute } from "./routes";

/**
 * The OpenAPI document against the real handlers: EVERY operation it lists is called with a request
 * that succeeds and with one request per documented error status, through the same entry points
 * the Next routes use (the REST adapter, handleCallback, handleWebhook), on real Postgres and Redis.
 * Each answer must have the status the request was built for, and must conform to the document
 * (status listed, headers, media type, body schema: see OpenApiContract). A status the document
 * lists that no request here can provoke fails too, so the document lists nothing the server does
 * not do, and the server answers nothing the document does not say.
 */

const doc = openApiDocument() as unknown as Record<string, unknown>;
const contract = new OpenApiContract(doc);
const operations = contract.operations();

let h: ApiHarness;
let t: TenantFixture;
let fx: Fixtures;

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Calls the REST adapter exactly as the Next route does, API keys included. */
async function send(method: string, call: Call & { rawBody?: string }): Promise<Answer> {
  const headers: Record<string, string> = { ...call.headers };
  const token = call.token === undefined ? fx.tokens.admin : call.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body = call.rawBody;
  if (call.body !== undefined && body === undefined) {
    body = JSON.stringify(call.body);
    headers["content-type"] ??= "application/json";
  }
  const request = new Request(`http://alfred.test/api/v1${call.path}`, { method, headers, body });
  return answerOf(await handleRestRequest(request, call.path.split("?")[0]!, h.deps, { resolveApiKey: createApiKeyResolver(h.deps) }));
}

const ctx: CaseContext = {
  get fx() {
    return fx;
  },
  send,
  async sendJson(method, call) {
    const answer = await send(method, call);
    return { status: answer.status, body: answer.body ? JSON.parse(answer.body) : {} };
  },
};

const withQuery = (path: string, query: string) => `${path}${path.includes("?") ? "&" : "?"}${query}`;
const LOWER_ROLE = { manager: "agent", admin: "manager" } as const;

/** A path parameter value of the right shape that names nothing. */
function absentValue(op: DocumentedOperation, name: string): string {
  const schema = op.operation.parameters?.find((p) => p.in === "path" && p.name === name)?.schema;
  return schema?.format === "uuid" ? randomUUID() : "999999999999";
}

/** The requests for each documented status of a REST operation; the generic ones follow from how the adapter works. */
function restPlan(op: DocumentedOperation, route: RestRoute): Map<number, () => Promise<Answer>> {
  const known = REST_CASES[`${op.method} ${op.template}`];
  const success = known?.success ?? (async () => ({ path: op.template }));
  const variant = (change: (call: Call) => Call & { rawBody?: string }) => async () => send(op.method, change(await success(ctx)));
  const replaceParams = (call: Call, value: (name: string) => string) => {
    let path = call.path;
    const concrete = new RegExp(`^${op.template.replace(/\{(\w+)\}/g, "([^/?]+)")}`).exec(call.path)!;
    route.paramNames.forEach((name, i) => (path = path.replace(concrete[i + 1]!, value(name))));
    return { ...call, path };
  };
  const plan = new Map<number, () => Promise<Answer>>();
  plan.set(route.successStatus, variant((call) => call));
  plan.set(401, variant((call) => ({ ...call, token: route.access === "public" ? "not-a-token" : null })));
  if (route.access === "manager" || route.access === "admin") plan.set(403, variant((call) => ({ ...call, token: fx.tokens[LOWER_ROLE[route.access as "manager" | "admin"]] })));
  if (route.paramNames.length > 0) {
    plan.set(400, variant((call) => replaceParams(call, () => "%E0%A4%A")));
    plan.set(404, variant((call) => replaceParams(call, (name) => absentValue(op, name))));
  } else {
    plan.set(400, variant((call) => ({ ...call, body: undefined, rawBody: "{", headers: { ...call.headers, "content-type": "application/json" } })));
  }
  plan.set(413, variant((call) => ({ ...call, body: undefined, rawBody: `{"x":"${"a".repeat(MAX_JSON_BODY_BYTES)}"}`, headers: { ...call.headers, "content-type": "application/json" } })));
  plan.set(415, variant((call) => ({ ...call, body: undefined, rawBody: "name=x", headers: { ...call.headers, "content-type": "application/x-www-form-urlencoded" } })));
  plan.set(422, variant((call) => ({ ...call, path: withQuery(call.path, "note=%00") })));
  for (const [status, provoke] of Object.entries(known?.errors ?? {})) {
    plan.set(Number(status), async () => {
      const made = await provoke!(ctx);
      return "status" in made ? made : send(op.method, made);
    });
  }
  return plan;
}

describe("every operation of the OpenAPI document answers as documented", () => {
  it("lists every REST route and the signed operations", () => {
    expect(operations.length).toBe(restRoutes.length + 4);
    expect(operations.map((op) => `${op.method} ${op.template}`)).toEqual(
      expect.arrayContaining(["POST /automations/callbacks", "POST /webhooks/{channel_type}", "GET /webhooks/{channel_type}", "GET /attachments/{id}/content"]),
    );
  });

  // Sign-in throttles need a dozen password hashes: slow on a busy machine, never a timing assertion.
  it.each(operations.map((op) => [`${op.method} ${op.template}`, op] as const))("%s", { timeout: 120_000 }, async (label, op) => {
    const route = restRoutes.find((r) => r.method === op.method && r.template === op.template);
    const plan = route ? restPlan(op, route) : SIGNED_PLANS[label];
    expect(plan, `${label}: no requests for this operation; add them to the contract test`).toBeDefined();
    for (const status of op.statuses) {
      const provoke = plan!.get(status);
      expect(provoke, `${label} documents ${status} but nothing here provokes it: add a case (contract.rest-cases.ts) or fix the document`).toBeDefined();
      const answer = await provoke!();
      expect(answer.status, `${label}, the request meant to get ${status}, got: ${answer.body.slice(0, 300)}`).toBe(status);
      expect(contract.problems(op.method, op.template, answer), `${label} ${status}`).toEqual([]);
    }
  });

  it("each success request body of a REST operation fits the request schema the document gives clients", async () => {
    for (const route of restRoutes) {
      const call: Call = await (REST_CASES[`${route.method} ${route.template}`]?.success ?? (async () => ({ path: route.template })))(ctx);
      if (call.body === undefined) continue;
      expect(contract.validate(["paths", route.template, route.method.toLowerCase(), "requestBody", "content", "application/json", "schema"], call.body), `${route.method} ${route.template}`).toEqual([]);
    }
  });
});

// --- the signed operations: callbacks and webhooks --------------------------------------------

function callback(body: unknown, options: { tenantHeader?: string; eventId?: string; signature?: string; rawBody?: string } = {}) {
  const eventId = options.eventId ?? `evt-${randomUUID()}`;
  const tenantId = options.tenantHeader ?? t.admin.tenantId;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const raw = options.rawBody ?? JSON.stringify({ tenant_id: t.admin.tenantId, event_id: eventId, ...(body as object) });
  const signature = options.signature ?? `sha256=${alfredSignature(fx.destinationSecret, timestamp, eventId, tenantId, raw)}`;
  const request = new Request("http://alfred.test/api/v1/automations/callbacks", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-alfred-destination-id": fx.destinationId,
      "x-alfred-event-id": eventId,
      "x-alfred-tenant-id": tenantId,
      "x-alfred-timestamp": timestamp,
      "x-alfred-signature": signature,
    },
    body: raw,
  });
  return { eventId, raw, send: async () => answerOf(await handleCallback(request, h.deps)) };
}

const addComment = (conversationId: string) => ({ action: "add_internal_comment", params: { conversation_id: conversationId, body: "From the flow" } });

function webhook(type: string, raw: string, headers: Record<string, string>, deps = h.deps) {
  return async () => answerOf(await handleWebhook(new Request(`http://alfred.test/api/v1/webhooks/${type}`, { method: "POST", headers, body: raw }), type, deps));
}

function whatsappText(phone: string): string {
  const message = { from: "15550001111", id: `wamid.${randomUUID()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Hello" } };
  const value = { messaging_product: "whatsapp", metadata: { display_phone_number: phone, phone_number_id: phone }, contacts: [{ profile: { name: "Hana" }, wa_id: "15550001111" }], messages: [message] };
  return JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value }] }] });
}

const metaSigned = (raw: string, secret = "y") => ({ "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, secret) });

/** A WhatsApp text message for `phone`, signed with the app secret of the seeded channel (unless told otherwise). */
function signedWhatsapp(phone: string, options: { secret?: string; contentType?: string; deps?: ApiHarness["deps"] } = {}): Promise<Answer> {
  const raw = whatsappText(phone);
  const headers = { ...metaSigned(raw, options.secret), ...(options.contentType ? { "content-type": options.contentType } : {}) };
  return webhook("whatsapp", raw, headers, options.deps)();
}

const SIGNED_PLANS: Record<string, Map<number, () => Promise<Answer>>> = {
  "POST /automations/callbacks": new Map([
    [200, () => callback(addComment(fx.conversationId)).send()],
    [400, () => callback(null, { rawBody: "{not json" }).send()],
    [401, () => callback(addComment(fx.conversationId), { signature: `sha256=${"0".repeat(64)}` }).send()],
    [403, () => callback(addComment(fx.conversationId), { tenantHeader: randomUUID() }).send()],
    [404, () => callback(addComment(randomUUID())).send()],
    [
      409,
      async () => {
        // A first copy still running: its claim is there, without an answer yet.
        const pending = callback(addComment(fx.conversationId));
        await h.deps.db.insert(schema.automationCallbackEvents).values({
          tenantId: t.admin.tenantId,
          destinationId: fx.destinationId,
          eventId: pending.eventId,
          action: "add_internal_comment",
          requestBody: JSON.parse(pending.raw),
          status: "processing",
        });
        return pending.send();
      },
    ],
    [413, () => callback(null, { rawBody: `{"pad":"${"a".repeat(MAX_CALLBACK_BYTES)}"}` }).send()],
    [422, () => callback({ action: "launch_rocket", params: {} }).send()],
  ]),
  "GET /attachments/{id}/content": new Map([
    [200, () => send("GET", { path: `/attachments/${fx.attachmentId}/content` })],
    [401, () => send("GET", { path: `/attachments/${fx.attachmentId}/content`, token: null })],
    [404, () => send("GET", { path: `/attachments/${randomUUID()}/content` })],
  ]),
  "GET /webhooks/{channel_type}": new Map([
    [200, async () => answerOf(await handleWebhookVerification(new Request("http://alfred.test/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=z&hub.challenge=1158201444"), "whatsapp", h.deps))],
    [403, async () => answerOf(await handleWebhookVerification(new Request("http://alfred.test/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"), "whatsapp", h.deps))],
  ]),
  "POST /webhooks/{channel_type}": new Map([
    [200, () => signedWhatsapp(fx.phone)],
    [400, () => webhook("whatsapp", "{not json", metaSigned("{not json"))()],
    [401, () => signedWhatsapp(fx.phone, { secret: "wrong secret" })],
    [404, () => signedWhatsapp("1999")],
    [413, () => webhook("whatsapp", `{"pad":"${"a".repeat(1024 * 1024)}"}`, { "content-type": "application/json" })()],
    [415, () => signedWhatsapp(fx.phone, { contentType: "text/plain" })],
    [
      422,
      () => {
        const raw = JSON.stringify({ channel_id: fx.apiChannelId, external_id: "m-1", from: { id: "c-1" } });
        return webhook("api", raw, { "content-type": "application/json", "x-alfred-signature": signApiBody(raw, API_CHANNEL_SECRET) })();
      },
    ],
    [
      503,
      async () => {
        // Storage is down: nothing is acknowledged, so the provider retries.
        const down = createDb(h.database.url, { max: 1 });
        await down.close();
        return signedWhatsapp(fx.phone, { deps: { ...h.deps, db: down.db } });
      },
    ],
  ]),
};

const API_CHANNEL_SECRET = "api-channel-secret-0123456789";

// --- fixtures ------------------------------------------------------------------------------------

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Contract Co");
  const phone = `1555${Date.now()}`;
  const seeded = await seedConversation(h.deps, t.admin.tenantId, phone);
  const admin = await accessTokenFor(h.deps, t.admin);
  fx = { tokens: { admin, manager: await accessTokenFor(h.deps, t.manager), agent: await accessTokenFor(h.deps, t.agent), refresh: "" } } as Fixtures;
  const json = async (method: string, call: Call) => {
    const answer = await ctx.sendJson(method, call);
    expect(answer.status, `${method} ${call.path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    return answer.body;
  };
  const login = await json("POST", { path: "/auth/login", token: null, body: { email: t.admin.email, password: t.password } });
  const destination = await json("POST", { path: "/automations/destinations", body: { name: "Sink", url: "https://127.0.0.1:9/hook", event_types: ["task.created"] } });
  Object.assign(fx, { destinationId: destination.id, destinationSecret: destination.secret });
  const sent = await json("POST", { path: `/automations/destinations/${destination.id}/test` });
  const task = await json("POST", { path: "/tasks", body: { title: "Call back", conversation_id: seeded.conversationId } });
  const deliveries = await json("GET", { path: `/automations/deliveries?event_type=task.created` });
  const spareUser = await json("POST", { path: "/users", body: { email: `spare-${randomUUID()}@example.test`, name: "Sam Spare", role: "agent", password: t.password } });
  const apiChannel = await json("POST", { path: "/channels", body: { type: "api", name: "Custom app", config: { secret: API_CHANNEL_SECRET } } });
  // Stored before its type left the catalog.
  const [retired] = await h.deps.db.insert(schema.automationEvents).values({ tenantId: t.admin.tenantId, type: "conversation.archived", sourceEventId: `retired-${randomUUID()}`, payload: {} }).returning();
  const [notification] = await h.deps.db.insert(schema.notifications).values({ tenantId: t.admin.tenantId, userId: t.admin.userId, kind: "note", title: "Hello" }).returning();

  Object.assign(fx, {
    tokens: { ...fx.tokens, refresh: login.refresh_token },
    adminId: t.admin.userId,
    adminEmail: t.admin.email,
    agentEmail: t.agent.email,
    agentId: t.agent.userId,
    spareUserId: spareUser.id,
    password: t.password,
    phone,
    channelId: seeded.channelId,
    conversationId: seeded.conversationId,
    contactId: seeded.contactId,
    deliveryId: sent.delivery_id,
    retiredEventId: retired!.id,
    catalogEventId: deliveries.items[0].event_id,
    taskId: task.id,
    notificationId: notification!.id,
    apiChannelId: apiChannel.id,
  });

  // A stored file on the seeded customer message.
  const [message] = await h.deps.db.select({ id: schema.messages.id }).from(schema.messages).where(eq(schema.messages.conversationId, seeded.conversationId));
  const blob = await h.deps.storage.put(`contract/${randomUUID()}`, Readable.from([Buffer.from("%PDF-1.4 contract")]), { contentType: "application/pdf", maxBytes: 1000 });
  const [attachment] = await h.deps.db
    .insert(schema.messageAttachments)
    .values({ tenantId: t.admin.tenantId, messageId: message!.id, kind: "file", status: "stored", storageKey: blob.key, filename: "offer.pdf", contentType: blob.contentType, size: blob.size, sha256: blob.sha256 })
    .returning();
  Object.assign(fx, { messageId: message!.id, attachmentId: attachment!.id });

  expect((await callback(addComment(seeded.conversationId)).send()).status).toBe(200);
  fx.callbackEventId = (await json("GET", { path: "/automations/callbacks" })).items[0].id;

  // A signed body Alfred cannot read is stored parked, for an admin to retry.
  const unreadable = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value: { metadata: { phone_number_id: phone }, messages: [{ from: "1" }] } }] }] });
  expect((await webhook("whatsapp", unreadable, metaSigned(unreadable))()).status).toBe(200);
  fx.parkedReceiptId = (await json("GET", { path: "/operations/receipts?status=parked" })).items[0].id;
}, 60_000);
afterAll(() => h.close());
