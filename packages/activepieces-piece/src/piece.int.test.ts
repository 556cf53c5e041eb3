import { createServer as createHttpsServer, get as httpsGet } from "node:https";
import type { AddressInfo } from "node:net";
import { createApiKey } from "@alfred/auth";
import { sampleEnvelope } from "@alfred/automation";
import { startDeliveryEngine, startSink, type Sink, type SinkRequest } from "@alfred/automation/testing";
import { accessTokenFor, createApiHarness, rest, seedConversation, seedTenant, type ApiHarness, type TenantFixture } from "@alfred/api/testing";
import { TEST_TLS_CERT, TEST_TLS_KEY } from "@alfred/channels/testing";
import { and, eq } from "@alfred/db";
import { internalComments, messages, tasks } from "@alfred/db/schema";
import { StoreScope } from "@activepieces/pieces-framework";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alfred } from "./index";
import { alfredAuth } from "./lib/auth";
import type { AlfredConnection } from "./lib/common/alfred-client";
import { TRIGGER_DESTINATION_KEY, actionsDestinationKey, type HeldDestination } from "./lib/common/destinations";
import { startAlfredServer, type AlfredServer } from "./testing/alfred-server";
import { memoryStore, pieceContext, type PieceContext } from "./testing/framework-context";

/**
 * The piece against a running Alfred: REST and callbacks behind a real HTTP server on loopback,
 * the delivery engine in-process, a local receiver standing in for Activepieces' webhook endpoint.
 * The triggers and actions are driven as Activepieces drives them, through their hooks.
 */
let h: ApiHarness;
let t: TenantFixture;
let alfredServer: AlfredServer;
let receiver: Sink;
let engine: { stop(): Promise<void> };
let connection: AlfredConnection;
let conversation: { conversationId: string; contactId: string };

const trigger = alfred.getTrigger("new_inbound_message")!;
const action = (name: string) => alfred.getAction(name)!;
// The hooks' context types are Activepieces' whole engine surface; the piece reads only PieceContext.
const hook = (ctx: PieceContext) => ctx as never;

beforeAll(async () => {
  receiver = await startSink();
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Piece tenant");
  alfredServer = await startAlfredServer(h.deps);
  const key = await createApiKey(h.deps.db, t.admin.tenantId, t.admin.userId, { name: "Activepieces", role: "admin" });
  connection = { base_url: alfredServer.url, api_key: key.key };
  conversation = await seedConversation(h.deps, t.admin.tenantId, "piece-phone-1");
  engine = await startDeliveryEngine(
    { db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation, logger: h.deps.logger, publishLive: (events) => h.deps.producer.publishLive(events) },
    { prefix: h.prefix },
  );
});

afterAll(async () => {
  await engine?.stop();
  await alfredServer?.close();
  await h?.close();
  await receiver?.close();
});

const adminToken = () => accessTokenFor(h.deps, t.admin);
const destinationsAt = async (url: string) =>
  (await rest(h.deps, "GET", "/automations/destinations", { token: await adminToken() })).body.items.filter((d: { url: string }) => d.url === url);

/** What Activepieces hands the trigger for a request its webhook endpoint received. */
const payloadOf = (request: SinkRequest): PieceContext["payload"] => ({
  body: JSON.parse(request.body),
  rawBody: request.body,
  headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
  queryParams: {},
});

describe("connection", () => {
  it("validates an admin key and explains every refusal", async () => {
    const validate = alfredAuth.validate!;
    const server = { apiUrl: "", publicUrl: "" };
    expect(await validate({ auth: connection, server })).toEqual({ valid: true });
    expect(await validate({ auth: { ...connection, base_url: `${alfredServer.url}/api/v1/` }, server })).toEqual({ valid: true });

    const agentKey = await createApiKey(h.deps.db, t.admin.tenantId, t.admin.userId, { name: "agent key", role: "agent" });
    expect(await validate({ auth: { ...connection, api_key: agentKey.key }, server })).toEqual({ valid: false, error: expect.stringContaining("needs an admin key") });
    expect(await validate({ auth: { ...connection, api_key: "alf_not-a-key" }, server })).toEqual({ valid: false, error: expect.stringContaining("refused this API key") });
    expect(await validate({ auth: { ...connection, base_url: "http://127.0.0.1:9" }, server })).toEqual({ valid: false, error: expect.stringMatching(/Could not reach Alfred at http:\/\/127\.0\.0\.1:9: ECONNREFUSED/) });
    expect(await validate({ auth: { ...connection, base_url: "ftp://alfred.example.com" }, server })).toEqual({ valid: false, error: expect.stringContaining("https://") });
  });
});

describe("TLS", () => {
  it("verifies Alfred's certificate even while NODE_TLS_REJECT_UNAUTHORIZED=0 (which pieces-common sets)", async () => {
    const untrusted = createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ user: {}, tenant: { id: t.admin.tenantId, name: "Impostor" }, role: "admin" }));
    });
    await new Promise<void>((resolve) => untrusted.listen(0, "127.0.0.1", resolve));
    const base = `https://127.0.0.1:${(untrusted.address() as AddressInfo).port}`;
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      // The control: with the process-wide switch off, a client without the piece's agent is answered.
      const status = await new Promise<number | undefined>((resolve, reject) => httpsGet(`${base}/api/v1/me`, (res) => resolve(res.resume().statusCode)).on("error", reject));
      expect(status).toBe(200);
      const verdict = await alfredAuth.validate!({ auth: { ...connection, base_url: base }, server: { apiUrl: "", publicUrl: "" } });
      expect(verdict).toEqual({ valid: false, error: expect.stringMatching(/Could not reach Alfred.*SELF_SIGNED/) });
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      untrusted.closeAllConnections();
      await new Promise<void>((resolve) => untrusted.close(() => resolve()));
    }
  });
});

describe("a trigger's life: enable, deliver, test, disable", () => {
  const webhookUrl = () => `${receiver.url}/flows/inbound`;
  const store = memoryStore();
  let held: HeldDestination;

  it("onEnable creates a destination for the webhook URL with just that event type and holds its secret", async () => {
    await trigger.onEnable(hook(pieceContext(connection, { store, webhookUrl: webhookUrl() })));
    const [destination, ...more] = await destinationsAt(webhookUrl());
    expect(more).toEqual([]);
    expect(destination).toMatchObject({ event_types: ["message.ingested"], enabled: true, previous_secret_expires_at: null });
    held = (await store.get<HeldDestination>(TRIGGER_DESTINATION_KEY))!;
    expect(held).toEqual({ id: destination.id, secret: expect.stringMatching(/^whsec_/), tenant_id: t.admin.tenantId });
  });

  it("a second onEnable reuses it: same destination, same secret, nothing rotated", async () => {
    await trigger.onEnable(hook(pieceContext(connection, { store, webhookUrl: webhookUrl() })));
    const [destination, ...more] = await destinationsAt(webhookUrl());
    expect(more).toEqual([]);
    expect(destination).toMatchObject({ id: held.id, previous_secret_expires_at: null });
    expect(await store.get(TRIGGER_DESTINATION_KEY)).toEqual(held);
  });

  it("onEnable without the held secret finds the destination again and rotates to learn a secret", async () => {
    const forgetful = memoryStore();
    await trigger.onEnable(hook(pieceContext(connection, { store: forgetful, webhookUrl: webhookUrl() })));
    const [destination, ...more] = await destinationsAt(webhookUrl());
    expect(more).toEqual([]);
    expect(destination.id).toBe(held.id);
    expect(destination.previous_secret_expires_at).not.toBeNull();
    const renewed = (await forgetful.get<HeldDestination>(TRIGGER_DESTINATION_KEY))!;
    expect(renewed.secret).not.toBe(held.secret);
    held = renewed;
    await store.put(TRIGGER_DESTINATION_KEY, held);
  });

  it("onEnable notices a secret rotated in Alfred (the mask no longer matches) and a disabled destination", async () => {
    const admin = await adminToken();
    expect((await rest(h.deps, "POST", `/automations/destinations/${held.id}/rotate-secret`, { token: admin })).status).toBe(200);
    expect((await rest(h.deps, "PATCH", `/automations/destinations/${held.id}`, { token: admin, body: { enabled: false } })).status).toBe(200);
    await trigger.onEnable(hook(pieceContext(connection, { store, webhookUrl: webhookUrl() })));
    const [destination] = await destinationsAt(webhookUrl());
    expect(destination).toMatchObject({ id: held.id, enabled: true });
    const renewed = (await store.get<HeldDestination>(TRIGGER_DESTINATION_KEY))!;
    expect(renewed.secret).not.toBe(held.secret);
    held = renewed;
  });

  it("an inbound message is delivered to the receiver, and run turns it into exactly one trigger output", async () => {
    const before = receiver.requests.length;
    const { conversationId } = await seedConversation(h.deps, t.admin.tenantId, "piece-phone-2");
    await expect.poll(() => receiver.requests.slice(before).find((r) => r.url === "/hook/flows/inbound"), { timeout: 15_000 }).toBeDefined();
    const delivered = receiver.requests.slice(before).find((r) => r.url === "/hook/flows/inbound")!;

    const output = await trigger.run(hook(pieceContext(connection, { store, webhookUrl: webhookUrl(), payload: payloadOf(delivered) })));
    expect(output).toEqual([
      expect.objectContaining({ type: "message.ingested", tenant_id: t.admin.tenantId, event_id: delivered.headers["x-alfred-event-id"], payload: expect.objectContaining({ conversation_id: conversationId, body: "hello" }) }),
    ]);

    // The same delivery altered in transit, or without its signature, starts nothing.
    const tampered = { ...payloadOf(delivered), rawBody: delivered.body.replace('"hello"', '"HELLO"') };
    expect(await trigger.run(hook(pieceContext(connection, { store, payload: tampered })))).toEqual([]);
    const unsigned = payloadOf(delivered);
    delete unsigned.headers["x-alfred-signature"];
    expect(await trigger.run(hook(pieceContext(connection, { store, payload: unsigned })))).toEqual([]);
  });

  it("Alfred's 'send test event' reaches the receiver but is not a message.ingested, so no run starts", async () => {
    const before = receiver.requests.length;
    const sent = await rest(h.deps, "POST", `/automations/destinations/${held.id}/test`, { token: await adminToken() });
    expect(sent.status).toBe(202);
    await expect.poll(() => receiver.requests.slice(before).find((r) => r.headers["x-alfred-event-id"] === sent.body.event_id), { timeout: 15_000 }).toBeDefined();
    const delivered = receiver.requests.slice(before).find((r) => r.headers["x-alfred-event-id"] === sent.body.event_id)!;
    expect(await trigger.run(hook(pieceContext(connection, { store, payload: payloadOf(delivered) })))).toEqual([]);
  });

  it("test returns Alfred's sample envelope for the type, for this workspace", async () => {
    expect(await trigger.test(hook(pieceContext(connection, { store })))).toEqual([sampleEnvelope("message.ingested", t.admin.tenantId)]);
  });

  it("onDisable deletes the destination and forgets it; a second onDisable (already gone) is fine", async () => {
    await trigger.onDisable(hook(pieceContext(connection, { store, webhookUrl: webhookUrl() })));
    expect(await destinationsAt(webhookUrl())).toEqual([]);
    expect((await rest(h.deps, "GET", `/automations/destinations/${held.id}`, { token: await adminToken() })).status).toBe(404);
    expect(await store.get(TRIGGER_DESTINATION_KEY)).toBeNull();

    const stale = memoryStore();
    await stale.put(TRIGGER_DESTINATION_KEY, held);
    await expect(trigger.onDisable(hook(pieceContext(connection, { store: stale, webhookUrl: webhookUrl() })))).resolves.toBeUndefined();
    await expect(trigger.onDisable(hook(pieceContext(connection, { store: memoryStore(), webhookUrl: webhookUrl() })))).resolves.toBeUndefined();
  });
});

describe("actions: signed callbacks, exactly once", () => {
  const store = memoryStore();
  const run = (name: string, propsValue: Record<string, unknown>) => action(name).run(hook(pieceContext(connection, { store, propsValue })));
  const tasksTitled = (title: string) => h.deps.db.select().from(tasks).where(and(eq(tasks.tenantId, t.admin.tenantId), eq(tasks.title, title)));

  it("create task makes a task in Alfred through a callback-only destination created on first use", async () => {
    const result = (await run("create_task", { title: "Call Hana back", conversation_id: conversation.conversationId, description: "", due_at: undefined })) as Record<string, unknown>;
    expect(result).toMatchObject({ ok: true, action: "create_task", result: { task_id: expect.any(String) }, idempotent_replay: false });
    const [task] = await tasksTitled("Call Hana back");
    expect(task).toMatchObject({ id: (result.result as { task_id: string }).task_id, conversationId: conversation.conversationId });

    const held = (await store.get<HeldDestination>(actionsDestinationKey(t.admin.tenantId), StoreScope.PROJECT))!;
    const { body } = await rest(h.deps, "GET", `/automations/destinations/${held.id}`, { token: await adminToken() });
    expect(body).toMatchObject({ name: "Activepieces actions (project project-1)", event_types: [], enabled: true });
  });

  it("acts once per idempotency key: a repeat replays the first answer; without a key every run acts", async () => {
    const first = (await run("create_task", { title: "Once only", idempotency_key: "flow-run-42" })) as Record<string, unknown>;
    const again = (await run("create_task", { title: "Once only", idempotency_key: " flow-run-42 " })) as Record<string, unknown>;
    expect(again).toEqual({ ...first, idempotent_replay: true });
    expect(await tasksTitled("Once only")).toHaveLength(1);

    await run("create_task", { title: "Every time" });
    await run("create_task", { title: "Every time" });
    expect(await tasksTitled("Every time")).toHaveLength(2);
  });

  it("renews the destination once when Alfred refuses its signature (deleted by an admin), then acts", async () => {
    const held = (await store.get<HeldDestination>(actionsDestinationKey(t.admin.tenantId), StoreScope.PROJECT))!;
    expect((await rest(h.deps, "DELETE", `/automations/destinations/${held.id}`, { token: await adminToken() })).status).toBe(204);
    await run("create_task", { title: "After renewal" });
    expect(await tasksTitled("After renewal")).toHaveLength(1);
    const renewed = (await store.get<HeldDestination>(actionsDestinationKey(t.admin.tenantId), StoreScope.PROJECT))!;
    expect(renewed.id).not.toBe(held.id);
  });

  it("updates the conversation status, comments, replies and updates the contact", async () => {
    const { conversationId, contactId } = conversation;
    expect(await run("update_conversation_status", { conversation_id: conversationId, status: "resolved" })).toMatchObject({ result: { conversation_id: conversationId, status: "resolved" } });
    const comment = (await run("add_internal_comment", { conversation_id: conversationId, body: "Checked by the flow" })) as { result: { comment_id: string } };
    expect(await h.deps.db.select().from(internalComments).where(eq(internalComments.id, comment.result.comment_id))).toHaveLength(1);
    const reply = (await run("send_message", { conversation_id: conversationId, body: "We ship to Lisbon." })) as { result: { message_id: string } };
    const [message] = await h.deps.db.select().from(messages).where(eq(messages.id, reply.result.message_id));
    expect(message).toMatchObject({ conversationId, body: "We ship to Lisbon.", direction: "out" });
    expect(await run("update_contact", { contact_id: contactId, name: "Hana Sato", email: "", phone: null, lead_score: 80 })).toMatchObject({ result: { contact_id: contactId } });
    const contact = await rest(h.deps, "GET", `/contacts/${contactId}`, { token: await adminToken() });
    expect(contact.body).toMatchObject({ name: "Hana Sato", lead_score: 80 });
  });

  it("fails the step with Alfred's reason when the input is refused, and leaves nothing behind", async () => {
    await expect(run("create_task", { title: "   " })).rejects.toThrow(/422 \(validation_error\).*params\.title/);
    await expect(run("update_conversation_status", { conversation_id: "not-a-uuid", status: "resolved" })).rejects.toThrow(/params\.conversation_id/);
    await expect(run("create_task", { title: "Long key", idempotency_key: "k".repeat(201) })).rejects.toThrow(/at most 200/);
    expect(await tasksTitled("Long key")).toEqual([]);
  });
});
