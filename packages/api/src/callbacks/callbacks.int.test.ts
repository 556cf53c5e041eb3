import { alfredSignature, createDestination, rotateDestinationSecret } from "@alfred/automation";
import { createChannel, ingestMessage, newScope } from "@alfred/crm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApiHarness, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";
import { handleCallback } from "./handler";

let h: ApiHarness;
let a: TenantFixture;
let b: TenantFixture;
let destination: { id: string; secret: string; tenantId: string };
let otherDestination: { id: string; secret: string; tenantId: string };
let conversationA: string;
let contactA: string;
let conversationB: string;
let counter = 0;

const serviceDeps = () => ({ db: h.deps.db, keys: h.deps.keys, settings: h.deps.automation });

async function seedConversation(tenant: TenantFixture, accountId: string) {
  const channel = await h.deps.db.transaction((tx) =>
    createChannel(tx, h.deps.keys, h.deps.automation, tenant.admin.tenantId, { type: "api", name: `API ${accountId}`, config: { secret: "api-channel-secret-0123456789", send_url: "http://127.0.0.1:9/never" } }),
  );
  const { channels } = await import("@alfred/db/schema");
  const { eq } = await import("@alfred/db");
  const [row] = await h.deps.db.select().from(channels).where(eq(channels.id, channel.id));
  const result = await ingestMessage(h.deps.db, newScope(tenant.admin.tenantId, { type: "system", id: null }), row!, {
    externalId: `ext-${accountId}`,
    channelAccountId: channel.id,
    from: { externalId: `customer-${accountId}`, name: `Customer ${accountId}` },
    type: "text",
    body: "Hello",
    sentAt: new Date(),
    raw: {},
  });
  const { conversations } = await import("@alfred/db/schema");
  const [conv] = await h.deps.db.select().from(conversations).where(eq(conversations.id, result.conversationId));
  return { conversationId: result.conversationId, contactId: conv!.contactId };
}

beforeAll(async () => {
  h = await createApiHarness();
  a = await seedTenant(h.deps, "Callbacks A");
  b = await seedTenant(h.deps, "Callbacks B");
  const created = await createDestination(serviceDeps(), a.admin.tenantId, { name: "Activepieces", url: "http://127.0.0.1:4000/hook", event_types: ["message.ingested"] });
  destination = { id: created.id, secret: created.secret, tenantId: a.admin.tenantId };
  const createdB = await createDestination(serviceDeps(), b.admin.tenantId, { name: "B flows", url: "http://127.0.0.1:4000/b", event_types: ["task.created"] });
  otherDestination = { id: createdB.id, secret: createdB.secret, tenantId: b.admin.tenantId };
  ({ conversationId: conversationA, contactId: contactA } = await seedConversation(a, "a"));
  ({ conversationId: conversationB } = await seedConversation(b, "b"));
});
afterAll(() => h.close());
beforeEach(() => {
  counter++;
});

interface CallbackOptions {
  destinationId?: string;
  tenantHeader?: string;
  eventId?: string;
  timestamp?: number;
  secret?: string;
  body?: Record<string, unknown> | string;
  signatureOverride?: string;
  headers?: Record<string, string>;
}

function callbackRequest(action: string, params: Record<string, unknown>, options: CallbackOptions = {}) {
  const eventId = options.eventId ?? `evt-${counter}-${Math.random().toString(36).slice(2)}`;
  const tenantId = options.tenantHeader ?? destination.tenantId;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const body = typeof options.body === "string" ? options.body : JSON.stringify(options.body ?? { tenant_id: tenantId, event_id: eventId, action, params });
  const signature = options.signatureOverride ?? `sha256=${alfredSignature(options.secret ?? destination.secret, timestamp, eventId, tenantId, body)}`;
  return {
    eventId,
    request: () =>
      new Request("http://alfred.test/api/v1/automations/callbacks", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-alfred-destination-id": options.destinationId ?? destination.id,
          "x-alfred-tenant-id": tenantId,
          "x-alfred-event-id": eventId,
          "x-alfred-timestamp": timestamp,
          "x-alfred-signature": signature,
          ...options.headers,
        },
        body,
      }),
  };
}

async function send(action: string, params: Record<string, unknown>, options: CallbackOptions = {}) {
  const req = callbackRequest(action, params, options);
  const res = await handleCallback(req.request(), h.deps);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null, eventId: req.eventId };
}

async function counts() {
  const q = async (sql: string) => Number((await h.database.pool.query(sql)).rows[0].n);
  return {
    callbacks: await q("select count(*) as n from automation_callback_events"),
    tasks: await q("select count(*) as n from tasks"),
    comments: await q("select count(*) as n from internal_comments"),
    outbound: await q("select count(*) as n from messages where direction = 'out'"),
    events: await q("select count(*) as n from automation_events"),
    audits: await q("select count(*) as n from audit_logs where action = 'automation_callback_executed'"),
    conversationStates: (await h.database.pool.query("select id, status from conversations order by id")).rows,
    contacts: (await h.database.pool.query("select id, name, lead_score from contacts order by id")).rows,
  };
}

describe("actions, end to end", () => {
  it("create_task creates a task, stores the response, audits and emits task.created", async () => {
    const res = await send("create_task", { title: "Call back about pricing", conversation_id: conversationA, due_at: "2030-01-01T10:00:00Z" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, action: "create_task", event_id: res.eventId, result: { task_id: expect.any(String) } });
    const task = await h.database.pool.query("select tenant_id, title, created_by_destination_id, contact_id from tasks where id = $1", [res.body.result.task_id]);
    expect(task.rows[0]).toMatchObject({ tenant_id: a.admin.tenantId, title: "Call back about pricing", created_by_destination_id: destination.id, contact_id: contactA });
    const event = await h.database.pool.query("select type from automation_events where source_event_id = $1", [`task.created:${res.body.result.task_id}`]);
    expect(event.rows[0]?.type).toBe("task.created");
    const audit = await h.database.pool.query("select actor_type, actor_id, target_type, target_id from audit_logs where action = 'automation_callback_executed' and target_id = $1", [res.body.result.task_id]);
    expect(audit.rows[0]).toMatchObject({ actor_type: "destination", actor_id: destination.id, target_type: "task" });
    const stored = await h.database.pool.query("select status, response_status, response_body, result_type from automation_callback_events where event_id = $1", [res.eventId]);
    expect(stored.rows[0]).toMatchObject({ status: "succeeded", response_status: 200, response_body: res.text, result_type: "task" });
  });

  it("update_conversation_status resolves the conversation and emits conversation.updated", async () => {
    const res = await send("update_conversation_status", { conversation_id: conversationA, status: "resolved" });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ conversation_id: conversationA, status: "resolved" });
    const row = await h.database.pool.query("select status from conversations where id = $1", [conversationA]);
    expect(row.rows[0].status).toBe("resolved");
    await send("update_conversation_status", { conversation_id: conversationA, status: "open" });
  });

  it("add_internal_comment writes a private note authored by the destination", async () => {
    const res = await send("add_internal_comment", { conversation_id: conversationA, body: "Flow says: VIP customer" });
    expect(res.status).toBe(200);
    const row = await h.database.pool.query("select author_destination_id, author_user_id, body from internal_comments where id = $1", [res.body.result.comment_id]);
    expect(row.rows[0]).toEqual({ author_destination_id: destination.id, author_user_id: null, body: "Flow says: VIP customer" });
  });

  it("send_message queues an outbound message like an agent's reply", async () => {
    const res = await send("send_message", { conversation_id: conversationA, body: "Thanks, we are on it" });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ message_id: expect.any(String), status: "queued" });
    const row = await h.database.pool.query("select direction, status, sender_destination_id from messages where id = $1", [res.body.result.message_id]);
    expect(row.rows[0]).toEqual({ direction: "out", status: "queued", sender_destination_id: destination.id });
  });

  it("update_contact changes the contact and emits lead.score_changed when the score moves", async () => {
    const res = await send("update_contact", { contact_id: contactA, name: "Renamed by flow", lead_score: 88, attributes: { source: "activepieces" } });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ contact_id: contactA });
    const row = await h.database.pool.query("select name, lead_score, attributes from contacts where id = $1", [contactA]);
    expect(row.rows[0]).toMatchObject({ name: "Renamed by flow", lead_score: 88, attributes: { source: "activepieces" } });
    const events = await h.database.pool.query("select payload from automation_events where type = 'lead.score_changed' and tenant_id = $1", [a.admin.tenantId]);
    expect(events.rows.map((r) => r.payload)).toContainEqual({ contact_id: contactA, previous_score: 0, score: 88 });
  });

  it("links a callback to the outbound event named by its correlation_id", async () => {
    const event = await h.database.pool.query("select id from automation_events where tenant_id = $1 and type = 'message.ingested' limit 1", [a.admin.tenantId]);
    const eventId = `cb-${counter}`;
    const body = { tenant_id: a.admin.tenantId, event_id: eventId, correlation_id: event.rows[0].id, action: "add_internal_comment", params: { conversation_id: conversationA, body: "linked" } };
    const res = await send("add_internal_comment", {}, { eventId, body });
    expect(res.status).toBe(200);
    const row = await h.database.pool.query("select linked_event_id from automation_callback_events where event_id = $1", [eventId]);
    expect(row.rows[0].linked_event_id).toBe(event.rows[0].id);
  });
});

describe("rejections write nothing", () => {
  const cases: { name: string; status: number; code: string; make: () => ReturnType<typeof send> }[] = [
    { name: "unknown destination", status: 401, code: "invalid_signature", make: () => send("create_task", { title: "x" }, { destinationId: "00000000-0000-4000-8000-000000000000" }) },
    { name: "destination id that is not a uuid", status: 401, code: "invalid_signature", make: () => send("create_task", { title: "x" }, { destinationId: "not-a-uuid" }) },
    { name: "wrong secret", status: 401, code: "invalid_signature", make: () => send("create_task", { title: "x" }, { secret: "whsec_bm90LXRoZS1yaWdodC1zZWNyZXQtYXQtYWxs" }) },
    { name: "missing signature", status: 401, code: "invalid_signature", make: () => send("create_task", { title: "x" }, { signatureOverride: "" }) },
    { name: "sha1 signature", status: 401, code: "invalid_signature", make: () => send("create_task", { title: "x" }, { signatureOverride: "sha1=abcdef" }) },
    { name: "signature over another body (tampered)", status: 401, code: "invalid_signature", make: async () => {
      const req = callbackRequest("create_task", { title: "original" });
      const original = req.request();
      const tampered = new Request(original.url, { method: "POST", headers: original.headers, body: JSON.stringify({ tenant_id: a.admin.tenantId, event_id: req.eventId, action: "create_task", params: { title: "tampered" } }) });
      const res = await handleCallback(tampered, h.deps);
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: JSON.parse(text), eventId: req.eventId };
    } },
    { name: "timestamp 301 s old", status: 401, code: "stale_timestamp", make: () => send("create_task", { title: "x" }, { timestamp: Math.floor(Date.now() / 1000) - 301 }) },
    { name: "timestamp 301 s in the future", status: 401, code: "stale_timestamp", make: () => send("create_task", { title: "x" }, { timestamp: Math.floor(Date.now() / 1000) + 301 }) },
    { name: "timestamp 999999999999 (year 33658)", status: 401, code: "stale_timestamp", make: () => send("create_task", { title: "x" }, { timestamp: 999_999_999_999 }) },
    { name: "destination of another tenant (header names B)", status: 403, code: "tenant_mismatch", make: () => send("create_task", { title: "x" }, { tenantHeader: b.admin.tenantId }) },
    { name: "body tenant differs from header", status: 403, code: "tenant_mismatch", make: () => send("create_task", {}, { body: { tenant_id: b.admin.tenantId, event_id: `e-${counter}`, action: "create_task", params: { title: "x" } }, eventId: `e-${counter}` }) },
    { name: "body event_id differs from header", status: 422, code: "validation_error", make: () => send("create_task", {}, { body: { tenant_id: a.admin.tenantId, event_id: "other", action: "create_task", params: { title: "x" } } }) },
    { name: "unknown action", status: 422, code: "validation_error", make: () => send("delete_everything", {}) },
    { name: "invalid params", status: 422, code: "validation_error", make: () => send("update_conversation_status", { conversation_id: conversationA, status: "archived" }) },
    { name: "malformed JSON", status: 400, code: "bad_request", make: () => send("create_task", {}, { body: "{not json" }) },
    { name: "target in another tenant", status: 404, code: "not_found", make: () => send("update_conversation_status", { conversation_id: conversationB, status: "resolved" }) },
    { name: "NUL in a task title (issue #16)", status: 422, code: "validation_error", make: () => send("create_task", { title: "call\u0000back", conversation_id: conversationA }) },
    { name: "lone surrogate in a comment", status: 422, code: "validation_error", make: () => send("add_internal_comment", { conversation_id: conversationA, body: "half \uD83D" }) },
    { name: "NUL in an attribute key", status: 422, code: "validation_error", make: () => send("update_contact", { contact_id: contactA, attributes: { "plan\u0000": "gold" } }) },
    { name: "attributes nested 5,000 deep", status: 422, code: "validation_error", make: () => send("update_contact", {}, { body: `{"tenant_id":"${a.admin.tenantId}","event_id":"deep-${counter}","action":"update_contact","params":{"contact_id":"${contactA}","attributes":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}}`, eventId: `deep-${counter}` }) },
    { name: "due_at in year 0", status: 422, code: "validation_error", make: () => send("create_task", { title: "x", conversation_id: conversationA, due_at: "0000-01-01T00:00:00Z" }) },
    { name: "due_at on February 31", status: 422, code: "validation_error", make: () => send("create_task", { title: "x", conversation_id: conversationA, due_at: "2030-02-31T00:00:00Z" }) },
    { name: "body over 256 KiB", status: 413, code: "payload_too_large", make: () => send("add_internal_comment", { conversation_id: conversationA, body: "x".repeat(300 * 1024) }) },
  ];

  it.each(cases)("$name -> $status $code, nothing written", async ({ status, code, make }) => {
    const before = await counts();
    const res = await make();
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, message: expect.any(String), correlation_id: expect.any(String) });
    expect(await counts()).toEqual(before);
  });

  it("names the field path of invalid params", async () => {
    const res = await send("create_task", { title: "" });
    expect(res.body.error.path).toBe("params.title");
  });

  it("a disabled destination is refused with 403 destination_disabled", async () => {
    await h.database.pool.query("update automation_destinations set enabled = false, disabled_reason = 'manual' where id = $1", [destination.id]);
    try {
      const before = await counts();
      const res = await send("create_task", { title: "x" });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("destination_disabled");
      expect(await counts()).toEqual(before);
    } finally {
      await h.database.pool.query("update automation_destinations set enabled = true, disabled_reason = null where id = $1", [destination.id]);
    }
  });

  it("a timestamp exactly at the window edge (300 s) is accepted", async () => {
    const res = await send("add_internal_comment", { conversation_id: conversationA, body: "edge" }, { timestamp: Math.floor(Date.now() / 1000) - 299 });
    expect(res.status).toBe(200);
  });
});

describe("exactly-once", () => {
  it("50 concurrent identical callbacks create exactly one task; each answer is the stored 200 or a 409", async () => {
    const req = callbackRequest("create_task", { title: "Exactly once", conversation_id: conversationA });
    const responses = await Promise.all(Array.from({ length: 50 }, () => handleCallback(req.request(), h.deps)));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const ok = bodies.filter((_, i) => statuses[i] === 200);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok).size).toBe(1);
    const tasks = await h.database.pool.query("select count(*)::int as n from tasks where title = 'Exactly once'");
    expect(tasks.rows[0].n).toBe(1);
    const replays = responses.filter((r) => r.headers.get("x-alfred-idempotent-replay") === "true").length;
    expect(replays).toBeGreaterThanOrEqual(ok.length - 1);
  });

  it("a replay after 200 returns the same bytes with X-Alfred-Idempotent-Replay", async () => {
    const req = callbackRequest("create_task", { title: "Replay me" });
    const first = await handleCallback(req.request(), h.deps);
    const firstBody = await first.text();
    const second = await handleCallback(req.request(), h.deps);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(firstBody);
    expect(second.headers.get("x-alfred-idempotent-replay")).toBe("true");
    expect(first.headers.get("x-alfred-idempotent-replay")).toBeNull();
  });

  it("the event id is the key: the same event id with a different body gets the stored response and runs nothing", async () => {
    const eventId = `same-id-${counter}`;
    const first = await send("create_task", { title: "First body" }, { eventId });
    const before = await counts();
    const second = await send("create_task", { title: "Second body" }, { eventId });
    expect(second.text).toBe(first.text);
    expect(second.headers.get("x-alfred-idempotent-replay")).toBe("true");
    expect(await counts()).toEqual(before);
  });

  it("a final 4xx outcome (WhatsApp-style refusal) is stored and replayed, with no half-change", async () => {
    // The API channel's send_url exists but the channel is disabled: the domain refuses the send.
    await h.database.pool.query("update channels set enabled = false where tenant_id = $1", [a.admin.tenantId]);
    try {
      const eventId = `refused-${counter}`;
      const before = await counts();
      const first = await send("send_message", { conversation_id: conversationA, body: "hi" }, { eventId });
      expect(first.status).toBe(422);
      const after = await counts();
      expect(after.outbound).toBe(before.outbound);
      expect(after.callbacks).toBe(before.callbacks + 1);
      const again = await send("send_message", { conversation_id: conversationA, body: "hi" }, { eventId });
      expect(again.status).toBe(422);
      expect(again.text).toBe(first.text);
      expect(again.headers.get("x-alfred-idempotent-replay")).toBe("true");
    } finally {
      await h.database.pool.query("update channels set enabled = true where tenant_id = $1", [a.admin.tenantId]);
    }
  });
});

describe("secret rotation", () => {
  it("a secret rotated out within the grace period still verifies; after it, it does not", async () => {
    const rotated = await createDestination(serviceDeps(), a.admin.tenantId, { name: "Rotating", url: "http://127.0.0.1:4000/r", event_types: ["task.created"] });
    const oldSecret = rotated.secret;
    const fresh = await rotateDestinationSecret(serviceDeps(), a.admin.tenantId, rotated.id);
    const withOld = await send("add_internal_comment", { conversation_id: conversationA, body: "old secret" }, { destinationId: rotated.id, secret: oldSecret });
    expect(withOld.status).toBe(200);
    const withNew = await send("add_internal_comment", { conversation_id: conversationA, body: "new secret" }, { destinationId: rotated.id, secret: fresh.secret });
    expect(withNew.status).toBe(200);
    await h.database.pool.query("update automation_destinations set previous_secret_expires_at = now() - interval '1 second' where id = $1", [rotated.id]);
    const expired = await send("add_internal_comment", { conversation_id: conversationA, body: "old again" }, { destinationId: rotated.id, secret: oldSecret });
    expect(expired.status).toBe(401);
  });
});

describe("tenant isolation", () => {
  it("a valid signed callback of tenant A naming tenant B's conversation -> 404 and B unchanged", async () => {
    const before = await h.database.pool.query("select * from conversations where tenant_id = $1 order by id", [b.admin.tenantId]);
    const comments = await h.database.pool.query("select count(*)::int as n from internal_comments where tenant_id = $1", [b.admin.tenantId]);
    for (const [action, params] of [
      ["update_conversation_status", { conversation_id: conversationB, status: "resolved" }],
      ["add_internal_comment", { conversation_id: conversationB, body: "intrusion" }],
      ["send_message", { conversation_id: conversationB, body: "intrusion" }],
      ["create_task", { title: "intrusion", conversation_id: conversationB }],
    ] as const) {
      const res = await send(action, params);
      expect(res.status, action).toBe(404);
    }
    expect((await h.database.pool.query("select * from conversations where tenant_id = $1 order by id", [b.admin.tenantId])).rows).toEqual(before.rows);
    expect((await h.database.pool.query("select count(*)::int as n from internal_comments where tenant_id = $1", [b.admin.tenantId])).rows[0].n).toBe(comments.rows[0].n);
  });

  it("tenant B's destination signing as tenant A is refused (tenant_mismatch)", async () => {
    const res = await send("create_task", { title: "cross" }, { destinationId: otherDestination.id, secret: otherDestination.secret });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("tenant_mismatch");
  });
});
