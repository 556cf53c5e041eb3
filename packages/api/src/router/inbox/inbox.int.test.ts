import { randomUUID } from "node:crypto";
import { createChannel, ingestMessage, newScope } from "@alfred/crm";
import { eq, schema } from "@alfred/db";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";

/**
 * The inbox domain through tRPC and REST with real Postgres and Redis: conversation list filters,
 * search and keyset pagination, the timeline, status / snooze / assignment, contacts, tasks,
 * notifications, their outbox events and audit rows.
 */

type ChannelRow = typeof schema.channels.$inferSelect;
type Row = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw rows

let h: ApiHarness;
let t: TenantFixture;
let other: TenantFixture;
let whatsapp: ChannelRow;
let api: ChannelRow;
let seq = 0;

const q = async (text: string, params: unknown[] = []) => (await h.database.pool.query(text, params)).rows as Row[];
const agent = () => callerFor(h.deps, t.agent);
const admin = () => callerFor(h.deps, t.admin);

async function channelRow(id: string): Promise<ChannelRow> {
  const [row] = await h.deps.db.select().from(schema.channels).where(eq(schema.channels.id, id));
  return row!;
}

/** A customer message, stored the way the webhook stores it. */
async function inbound(channel: ChannelRow, o: { from: string; name?: string; phone?: string; email?: string; text?: string }) {
  const result = await ingestMessage(h.deps.db, newScope(channel.tenantId, { type: "system", id: null }), channel, {
    externalId: `ext-${seq++}-${randomUUID()}`,
    channelAccountId: channel.externalId ?? channel.id,
    from: { externalId: o.from, ...(o.name ? { name: o.name } : {}), ...(o.phone ? { phone: o.phone } : {}), ...(o.email ? { email: o.email } : {}) },
    type: "text",
    body: o.text ?? "hello",
    sentAt: new Date(),
    raw: {},
  });
  return result;
}

const newSender = () => `sender-${seq++}-${randomUUID().slice(0, 8)}`;
const events = (type: string, key: string, value: string) => q(`select * from automation_events where tenant_id = $1 and type = $2 and payload->>$3 = $4 order by created_at`, [t.admin.tenantId, type, key, value]);

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Inbox Co");
  other = await seedTenant(h.deps, "Other Co");
  whatsapp = await channelRow(
    (await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: "5550001", access_token: "x", app_secret: "y", verify_token: "z" } })).id,
  );
  api = await channelRow((await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "api", name: "API", config: { secret: "s" } })).id);
});
afterAll(() => h.close());

describe("conversations.list", () => {
  let mine: string;
  let managers: string;
  let unassigned: string;
  let onApi: string;

  beforeAll(async () => {
    mine = (await inbound(whatsapp, { from: newSender(), name: "Mina Mine" })).conversationId;
    managers = (await inbound(whatsapp, { from: newSender(), name: "Manny Managed" })).conversationId;
    unassigned = (await inbound(whatsapp, { from: newSender(), name: "Una Unassigned" })).conversationId;
    onApi = (await inbound(api, { from: newSender(), name: "Apia Api" })).conversationId;
    await admin().conversations.update({ id: mine, assignee_id: t.agent.userId });
    await admin().conversations.update({ id: managers, assignee_id: t.manager.userId });
    await admin().conversations.update({ id: onApi, status: "resolved" });
  });

  const ids = async (input: Parameters<ReturnType<typeof agent>["conversations"]["list"]>[0]) => (await agent().conversations.list({ limit: 100, ...input })).items.map((c) => c.id);

  it("assignee=me / unassigned / <user id> / none", async () => {
    expect(await ids({ assignee: "me" })).toEqual([mine]);
    const none = await ids({ assignee: "unassigned" });
    expect(none).toEqual(expect.arrayContaining([unassigned, onApi]));
    expect(none).not.toContain(mine);
    expect(none).not.toContain(managers);
    expect(await ids({ assignee: t.manager.userId })).toEqual([managers]);
    expect(await ids({})).toEqual(expect.arrayContaining([mine, managers, unassigned, onApi]));
  });

  it("status and channel_id filters", async () => {
    expect(await ids({ status: "resolved" })).toEqual([onApi]);
    expect(await ids({ status: "open" })).not.toContain(onApi);
    expect(await ids({ channel_id: api.id })).toEqual([onApi]);
    expect(await ids({ channel_id: whatsapp.id })).not.toContain(onApi);
  });

  it("items carry contact, channel, last message, unread count and assignee", async () => {
    const [item] = (await agent().conversations.list({ assignee: "me" })).items;
    expect(item).toMatchObject({
      id: mine,
      status: "open",
      contact: { name: "Mina Mine" },
      channel: { id: whatsapp.id, type: "whatsapp" },
      last_message: { body: "hello", direction: "in" },
      unread_count: 1,
      assignee_id: t.agent.userId,
    });
  });

  it("never shows another tenant's conversations, contacts or tasks, even filtered by their ids", async () => {
    const foreign = callerFor(h.deps, other.admin);
    expect((await foreign.conversations.list({ limit: 100 })).items).toEqual([]);
    expect((await foreign.conversations.list({ channel_id: whatsapp.id })).items).toEqual([]);
    expect((await foreign.conversations.list({ assignee: t.agent.userId })).items).toEqual([]);
    expect((await foreign.contacts.list({ q: "Mina" })).items).toEqual([]);
    const task = await agent().tasks.create({ title: "private", conversation_id: mine });
    expect((await foreign.tasks.list({ conversation_id: mine })).items).toEqual([]);
    expect((await foreign.tasks.list({})).items.map((x) => x.id)).not.toContain(task.id);
  });
});

describe("search (q)", () => {
  let byName: string;
  let byPhone: string;
  let byEmail: string;
  let byText: string;

  beforeAll(async () => {
    byName = (await inbound(whatsapp, { from: newSender(), name: "Zebulon Quixote" })).conversationId;
    byPhone = (await inbound(whatsapp, { from: newSender(), phone: "+4915123456789" })).conversationId;
    byEmail = (await inbound(api, { from: newSender(), email: "rare.person@searchable.example" })).conversationId;
    byText = (await inbound(whatsapp, { from: newSender(), text: "my parcel number is XJ-99-PLUTO" })).conversationId;
  });

  const search = async (qText: string) => (await agent().conversations.list({ q: qText, limit: 100 })).items.map((c) => c.id);

  it.each([
    ["contact name, any case", "zebulon quix", () => byName],
    ["phone", "15123456", () => byPhone],
    ["e-mail", "RARE.PERSON@", () => byEmail],
    ["message text", "xj-99-pluto", () => byText],
  ])("finds by %s", async (_what, qText, expected) => {
    expect(await search(qText)).toEqual([expected()]);
  });

  it("LIKE wildcards in q are literal", async () => {
    expect(await search("%")).toEqual([]);
    expect(await search("_")).toEqual([]);
  });

  it("contacts.list q finds by name, e-mail and phone", async () => {
    const names = async (qText: string) => (await agent().contacts.list({ q: qText })).items.map((c) => c.name ?? c.email ?? c.phone);
    expect(await names("Zebulon")).toEqual(["Zebulon Quixote"]);
    expect(await names("searchable.example")).toEqual(["rare.person@searchable.example"]);
    expect(await names("15123456")).toEqual(["+4915123456789"]);
  });
});

describe("keyset pagination", () => {
  async function walk(pageSize: number, channelId: string, between?: () => Promise<unknown>) {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await agent().conversations.list({ channel_id: channelId, limit: pageSize, cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.next_cursor ?? undefined;
      if (pages++ === 0) await between?.();
    } while (cursor && pages < 100);
    return seen;
  }

  it("walks every conversation exactly once, newest activity first, stable under inserts", async () => {
    const channel = await channelRow((await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "api", name: "Paging", config: { secret: "p" } })).id);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await inbound(channel, { from: newSender() })).conversationId);
    const expected = [...created].reverse();
    expect(await walk(100, channel.id)).toEqual(expected);

    let inserted = "";
    const seen = await walk(2, channel.id, async () => {
      inserted = (await inbound(channel, { from: newSender() })).conversationId;
    });
    expect(seen).toEqual(expected);
    expect(seen).not.toContain(inserted);
  });

  it("conversations whose activity falls in the same millisecond are neither skipped nor repeated", async () => {
    const channel = await channelRow((await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "api", name: "Micro", config: { secret: "m" } })).id);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await inbound(channel, { from: newSender() })).conversationId);
    // Postgres keeps microseconds: these four share one millisecond, the last is older.
    const stamps = ["2030-01-01T00:00:00.123456Z", "2030-01-01T00:00:00.123400Z", "2030-01-01T00:00:00.123300Z", "2030-01-01T00:00:00.123001Z", "2030-01-01T00:00:00.122000Z"];
    for (const [i, id] of ids.entries()) await q(`update conversations set last_activity_at = $2 where id = $1`, [id, stamps[i]]);
    for (const size of [1, 2, 3]) expect(await walk(size, channel.id)).toEqual(ids);
  });

  it("contacts.list and tasks.list do not skip rows created in the same millisecond either", async () => {
    const stamps = ["2030-01-01T00:00:00.123456Z", "2030-01-01T00:00:00.123400Z", "2030-01-01T00:00:00.123300Z", "2030-01-01T00:00:00.122000Z"];
    const contactIds: string[] = [];
    for (const [i, at] of stamps.entries()) {
      const [row] = await q(`insert into contacts (tenant_id, name, created_at) values ($1, $2, $3) returning id`, [t.admin.tenantId, `Microsecond Person ${i}`, at]);
      contactIds.push(row!.id as string);
    }
    const taskIds: string[] = [];
    for (const at of stamps) {
      const [row] = await q(`insert into tasks (tenant_id, title, contact_id, created_at) values ($1, 'same ms', $2, $3) returning id`, [t.admin.tenantId, contactIds[0], at]);
      taskIds.push(row!.id as string);
    }
    const contactsSeen: string[] = [];
    const tasksSeen: string[] = [];
    let contactCursor: string | undefined;
    let taskCursor: string | undefined;
    do {
      const page = await agent().contacts.list({ q: "Microsecond Person", limit: 1, cursor: contactCursor });
      contactsSeen.push(...page.items.map((c) => c.id));
      contactCursor = page.next_cursor ?? undefined;
    } while (contactCursor);
    do {
      const page = await agent().tasks.list({ contact_id: contactIds[0], limit: 1, cursor: taskCursor });
      tasksSeen.push(...page.items.map((x) => x.id));
      taskCursor = page.next_cursor ?? undefined;
    } while (taskCursor);
    expect(contactsSeen).toEqual(contactIds);
    expect(tasksSeen).toEqual(taskIds);
  });

  it("a cursor that is not ours -> 422 on the cursor field", async () => {
    const res = await rest(h.deps, "GET", "/conversations?cursor=not-a-cursor", { token: await accessTokenFor(h.deps, t.agent) });
    expect(res.status).toBe(422);
    expect(res.body.error.path).toBe("cursor");
  });
});

describe("timeline", () => {
  it("interleaves messages and internal comments in time order, pages going back in time", async () => {
    const from = newSender();
    const { conversationId } = await inbound(whatsapp, { from, text: "m1 in" });
    await agent().conversations.addComment({ id: conversationId, body: "c1 note" });
    await agent().conversations.sendMessage({ id: conversationId, body: "m2 out" });
    await inbound(whatsapp, { from, text: "m3 in" });
    await admin().conversations.addComment({ id: conversationId, body: "c2 note" });
    const expected = ["m1 in", "c1 note", "m2 out", "m3 in", "c2 note"];

    const all = await agent().conversations.timeline({ id: conversationId });
    expect(all.items.map((i) => i.body)).toEqual(expected);
    expect(all.items.map((i) => i.kind)).toEqual(["message", "comment", "message", "message", "comment"]);
    expect(all.items[1]).toMatchObject({ kind: "comment", direction: null, author: { type: "user", id: t.agent.userId, name: "Ann Agent" } });
    expect(all.items[2]).toMatchObject({ direction: "out", status: "queued", author: { type: "user", id: t.agent.userId } });
    expect(all.items[0]).toMatchObject({ direction: "in", status: "received", author: { type: "contact" } });
    expect(all.next_cursor).toBeNull();

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await agent().conversations.timeline({ id: conversationId, limit: 2, cursor });
      pages.push(page.items.map((i) => i.body!));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([["m3 in", "c2 note"], ["c1 note", "m2 out"], ["m1 in"]]);
  });

  it("items in the same millisecond are neither skipped nor repeated across pages", async () => {
    const { conversationId } = await inbound(whatsapp, { from: newSender(), text: "base" });
    const stamps = ["2030-01-01T00:00:00.123456Z", "2030-01-01T00:00:00.123400Z", "2030-01-01T00:00:00.123300Z", "2030-01-01T00:00:00.122000Z"];
    for (const [i, at] of stamps.entries()) {
      await q(`insert into internal_comments (tenant_id, conversation_id, body, created_at) values ($1, $2, $3, $4)`, [t.admin.tenantId, conversationId, `n${i}`, at]);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await agent().conversations.timeline({ id: conversationId, limit: 1, cursor });
      seen.unshift(...page.items.map((i) => i.body!));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["base", "n3", "n2", "n1", "n0"]);
  });

  it("markRead zeroes the unread count", async () => {
    const from = newSender();
    const { conversationId } = await inbound(whatsapp, { from });
    await inbound(whatsapp, { from });
    expect((await agent().conversations.get({ id: conversationId })).unread_count).toBe(2);
    await agent().conversations.markRead({ id: conversationId });
    expect((await agent().conversations.get({ id: conversationId })).unread_count).toBe(0);
  });
});

describe("status, snooze and assignment", () => {
  let id: string;
  beforeAll(async () => {
    id = (await inbound(whatsapp, { from: newSender() })).conversationId;
  });

  it("pending, resolved and open record conversation.updated with the change", async () => {
    for (const status of ["pending", "resolved", "open"] as const) {
      expect(await agent().conversations.update({ id, status })).toMatchObject({ status });
    }
    const recorded = await events("conversation.updated", "conversation_id", id);
    expect(recorded.map((e) => e.payload.status)).toEqual(["pending", "resolved", "open"]);
    expect(recorded.every((e) => e.payload.changes.includes("status"))).toBe(true);
    // The same status again changes nothing and records nothing.
    await agent().conversations.update({ id, status: "open" });
    expect(await events("conversation.updated", "conversation_id", id)).toHaveLength(3);
  });

  it("snoozing needs a future snoozed_until; reopening clears it", async () => {
    await expect(agent().conversations.update({ id, status: "snoozed" })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringMatching(/snoozed_until/) });
    await expect(agent().conversations.update({ id, status: "snoozed", snoozed_until: new Date(Date.now() - 60_000).toISOString() as never })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect((await agent().conversations.get({ id })).status).toBe("open");

    const until = new Date(Date.now() + 3_600_000);
    expect(await agent().conversations.update({ id, status: "snoozed", snoozed_until: until.toISOString() as never })).toMatchObject({ status: "snoozed", snoozed_until: until.toISOString() });
    expect(await agent().conversations.update({ id, status: "open" })).toMatchObject({ status: "open", snoozed_until: null });
  });

  it("assigns only to an active user of the tenant", async () => {
    expect(await agent().conversations.update({ id, assignee_id: t.manager.userId })).toMatchObject({ assignee_id: t.manager.userId });
    for (const bad of [other.agent.userId, randomUUID()]) {
      await expect(agent().conversations.update({ id, assignee_id: bad })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringMatching(/assignee_id/) });
    }
    const leaver = await admin().users.create({ email: `leaver-${seq++}@example.test`, name: "Lea Leaver", role: "agent", password: "password-123" });
    await admin().users.deactivate({ id: leaver.id });
    await expect(agent().conversations.update({ id, assignee_id: leaver.id })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect((await agent().conversations.get({ id })).assignee_id).toBe(t.manager.userId);
    expect(await agent().conversations.update({ id, assignee_id: null })).toMatchObject({ assignee_id: null });
    const recorded = await events("conversation.updated", "conversation_id", id);
    expect(recorded.filter((e) => e.payload.changes.includes("assignee_id")).map((e) => e.payload.assignee_id)).toEqual([t.manager.userId, null]);
  });
});

describe("outbox events of quick successive changes", () => {
  it("two changes in the same millisecond each record their own event (none deduplicated away)", async () => {
    const { conversationId } = await inbound(whatsapp, { from: newSender() });
    const contactId = (await agent().conversations.get({ id: conversationId })).contact.id;
    const task = await agent().tasks.create({ title: "toggle" });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date() });
    try {
      await agent().conversations.update({ id: conversationId, status: "pending" });
      await agent().conversations.update({ id: conversationId, status: "open" });
      await agent().contacts.update({ id: contactId, lead_score: 10 });
      await agent().contacts.update({ id: contactId, lead_score: 20 });
      await agent().tasks.update({ id: task.id, status: "done" });
      await agent().tasks.update({ id: task.id, status: "open" });
      await agent().tasks.update({ id: task.id, status: "done" });
    } finally {
      vi.useRealTimers();
    }
    expect((await events("conversation.updated", "conversation_id", conversationId)).map((e) => e.payload.status)).toEqual(["pending", "open"]);
    expect((await events("lead.score_changed", "contact_id", contactId)).map((e) => e.payload.score)).toEqual([10, 20]);
    expect(await events("contact.updated", "contact_id", contactId)).toHaveLength(2);
    expect(await events("task.completed", "task_id", task.id)).toHaveLength(2);
  });
});

describe("channels", () => {
  it("secrets are encrypted at rest and only ever returned masked; only admins manage channels", async () => {
    const token = await accessTokenFor(h.deps, t.admin);
    const secret = "super-secret-app-secret-123456";
    const created = await rest(h.deps, "POST", "/channels", {
      token,
      body: { type: "messenger", name: "FB", config: { page_id: `p${seq++}`, page_access_token: "page-token-abcdef", app_secret: secret, verify_token: "verify-me-123" } },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(secret);
    expect(created.body.secrets_masked.app_secret).toMatch(/…/);
    const [row] = await q(`select secrets_encrypted::text as enc, config::text as config from channels where id = $1`, [created.body.id]);
    expect(row!.enc).not.toContain(secret);
    expect(row!.config).not.toContain(secret);
    for (const path of [`/channels/${created.body.id}`, "/channels"]) {
      const res = await rest(h.deps, "GET", path, { token });
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    const patched = await rest(h.deps, "PATCH", `/channels/${created.body.id}`, { token, body: { config: { app_secret: "rotated-secret-999999" } } });
    expect(patched.status).toBe(200);
    expect(JSON.stringify(patched.body)).not.toContain("rotated-secret-999999");

    await expect(agent().channels.create({ type: "api", name: "no", config: { secret: "s" } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const missing = await rest(h.deps, "POST", "/channels", { token, body: { type: "whatsapp", name: "WA2", config: { phone_number_id: "1" } } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.path).toBe("config.access_token");
    const taken = await rest(h.deps, "POST", "/channels", { token: await accessTokenFor(h.deps, other.admin), body: { type: "whatsapp", name: "dup", config: { phone_number_id: "5550001", access_token: "a", app_secret: "b", verify_token: "c" } } });
    expect(taken.status).toBe(409);
    expect(await rest(h.deps, "DELETE", `/channels/${created.body.id}`, { token })).toMatchObject({ status: 204 });
  });
});

describe("contacts", () => {
  it("update: lead_score records lead.score_changed and contact.updated; an unchanged value records nothing", async () => {
    const { conversationId } = await inbound(whatsapp, { from: newSender(), name: "Lee Lead" });
    const contactId = (await agent().conversations.get({ id: conversationId })).contact.id;

    const updated = await agent().contacts.update({ id: contactId, lead_score: 40, attributes: { plan: "pro", tier: 2 } });
    expect(updated).toMatchObject({ lead_score: 40, attributes: { plan: "pro", tier: 2 } });
    const [scored] = await events("lead.score_changed", "contact_id", contactId);
    expect(scored!.payload).toMatchObject({ previous_score: 0, score: 40 });
    const [changed] = await events("contact.updated", "contact_id", contactId);
    expect(changed!.payload.changes).toEqual(["attributes", "lead_score"]);

    await agent().contacts.update({ id: contactId, lead_score: 40 });
    expect(await events("lead.score_changed", "contact_id", contactId)).toHaveLength(1);
    expect(await events("contact.updated", "contact_id", contactId)).toHaveLength(1);

    const renamed = await agent().contacts.update({ id: contactId, name: "Lee Renamed", attributes: { tier: null }, settings: { automated_messages_opt_out: true, preferred_language: "de" } });
    expect(renamed).toMatchObject({ name: "Lee Renamed", attributes: { plan: "pro" }, settings: { automated_messages_opt_out: true, preferred_language: "de" } });
    expect(await events("lead.score_changed", "contact_id", contactId)).toHaveLength(1);
    expect((await events("contact.updated", "contact_id", contactId)).at(-1)!.payload.changes).toEqual(["name", "attributes"]);
    expect(await agent().contacts.get({ id: contactId })).toMatchObject({ name: "Lee Renamed", settings: { preferred_language: "de" } });
    expect((await agent().contacts.conversations({ id: contactId })).items.map((c) => c.id)).toEqual([conversationId]);
  });

  it("an invalid lead_score is refused with the field path and changes nothing", async () => {
    const { conversationId } = await inbound(whatsapp, { from: newSender() });
    const contactId = (await agent().conversations.get({ id: conversationId })).contact.id;
    const res = await rest(h.deps, "PATCH", `/contacts/${contactId}`, { token: await accessTokenFor(h.deps, t.agent), body: { lead_score: 101 } });
    expect(res.status).toBe(422);
    expect(res.body.error.path).toBe("lead_score");
    expect((await agent().contacts.get({ id: contactId })).lead_score).toBe(0);
  });
});

describe("tasks", () => {
  it("create (contact taken from the conversation), list with filters incl. overdue, complete once", async () => {
    const { conversationId } = await inbound(whatsapp, { from: newSender() });
    const contactId = (await agent().conversations.get({ id: conversationId })).contact.id;
    const past = new Date(Date.now() - 3_600_000).toISOString() as never;
    const future = new Date(Date.now() + 86_400_000).toISOString() as never;

    const overdue = await agent().tasks.create({ title: "Call back", conversation_id: conversationId, assignee_id: t.agent.userId, due_at: past, lead: true });
    expect(overdue).toMatchObject({ contact_id: contactId, conversation_id: conversationId, lead: true, overdue: true, status: "open", created_by: { type: "user", id: t.agent.userId } });
    const later = await agent().tasks.create({ title: "Send quote", contact_id: contactId, due_at: future });
    const elsewhere = await admin().tasks.create({ title: "Unrelated", assignee_id: t.manager.userId });
    expect((await events("task.created", "task_id", overdue.id))[0]!.payload).toMatchObject({ title: "Call back", conversation_id: conversationId });

    const list = async (input: Parameters<ReturnType<typeof agent>["tasks"]["list"]>[0]) => (await agent().tasks.list({ limit: 100, ...input })).items.map((x) => x.id);
    expect(await list({ assignee: "me" })).toEqual([overdue.id]);
    expect(await list({ assignee: "unassigned" })).toContain(later.id);
    expect(await list({ assignee: "unassigned" })).not.toContain(overdue.id);
    expect(await list({ assignee: t.manager.userId })).toEqual([elsewhere.id]);
    expect(await list({ conversation_id: conversationId })).toEqual([overdue.id]);
    expect(await list({ contact_id: contactId })).toEqual([later.id, overdue.id]);
    expect(await list({ overdue: true })).toEqual([overdue.id]);

    const done = await agent().tasks.update({ id: overdue.id, status: "done" });
    expect(done).toMatchObject({ status: "done", overdue: false, completed_at: expect.any(String) });
    await agent().tasks.update({ id: overdue.id, status: "done" });
    expect(await events("task.completed", "task_id", overdue.id)).toHaveLength(1);
    expect(await list({ overdue: true })).toEqual([]);
    expect(await list({ status: "done", contact_id: contactId })).toEqual([overdue.id]);
    expect(await list({ status: "open", contact_id: contactId })).toEqual([later.id]);

    const rest_ = await rest(h.deps, "GET", `/tasks?contact_id=${contactId}&status=open`, { token: await accessTokenFor(h.deps, t.agent) });
    expect(rest_.status).toBe(200);
    expect(rest_.body.items.map((x: { id: string }) => x.id)).toEqual([later.id]);
  });

  it("reassigns only within the tenant; a lead task needs a contact", async () => {
    const task = await agent().tasks.create({ title: "Reassign me" });
    expect(await agent().tasks.update({ id: task.id, assignee_id: t.manager.userId })).toMatchObject({ assignee_id: t.manager.userId });
    await expect(agent().tasks.update({ id: task.id, assignee_id: other.agent.userId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(agent().tasks.create({ title: "Lead without contact", lead: true })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    const res = await rest(h.deps, "POST", "/tasks", { token: await accessTokenFor(h.deps, t.agent), body: { title: "" } });
    expect(res.status).toBe(422);
    expect(res.body.error.path).toBe("title");
  });
});

describe("notifications", () => {
  it("a user sees their own; admins also see workspace-wide ones; mark read", async () => {
    const [mine] = await q(`insert into notifications (tenant_id, user_id, kind, title) values ($1, $2, 'task.overdue', 'For the agent') returning id`, [t.admin.tenantId, t.agent.userId]);
    const [everyone] = await q(`insert into notifications (tenant_id, user_id, kind, title) values ($1, null, 'destination.disabled', 'For admins') returning id`, [t.admin.tenantId]);

    const agentView = await agent().notifications.list();
    expect(agentView.items.map((n) => n.id)).toEqual([mine!.id]);
    expect(agentView.unread_count).toBe(1);
    const adminView = await admin().notifications.list();
    expect(adminView.items.map((n) => n.id)).toEqual([everyone!.id]);

    await expect(agent().notifications.markRead({ id: everyone!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await agent().notifications.markRead({ id: mine!.id })).toEqual({ id: mine!.id, read: true });
    expect(await agent().notifications.list({ unread: true })).toEqual({ items: [], unread_count: 0 });

    const viaRest = await rest(h.deps, "GET", "/notifications?unread=false", { token: await accessTokenFor(h.deps, t.agent) });
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.items[0]).toMatchObject({ id: mine!.id, read_at: expect.any(String) });
  });
});

describe("audit", () => {
  it("every write leaves who, what, tenant and correlation id", async () => {
    const { conversationId } = await inbound(whatsapp, { from: newSender() });
    const contactId = (await agent().conversations.get({ id: conversationId })).contact.id;
    const caller = agent();
    await caller.conversations.update({ id: conversationId, status: "pending" });
    const comment = await caller.conversations.addComment({ id: conversationId, body: "audited" });
    const sent = await caller.conversations.sendMessage({ id: conversationId, body: "audited reply" });
    await caller.contacts.update({ id: contactId, lead_score: 5 });
    const task = await caller.tasks.create({ title: "audited task", conversation_id: conversationId });
    await caller.tasks.update({ id: task.id, status: "done" });

    const rows = await q(`select * from audit_logs where tenant_id = $1 and actor_id = $2 and target_id = any($3) order by created_at`, [t.admin.tenantId, t.agent.userId, [conversationId, comment.id, sent.id, contactId, task.id]]);
    expect(rows.map((r) => [r.action, r.target_id])).toEqual([
      ["conversations.update", conversationId],
      ["conversations.addComment", comment.id],
      ["conversations.sendMessage", sent.id],
      ["contacts.update", contactId],
      ["tasks.create", task.id],
      ["tasks.update", task.id],
    ]);
    expect(rows.every((r) => r.actor_type === "user" && typeof r.correlation_id === "string" && r.correlation_id.length > 0)).toBe(true);
  });
});

describe("REST spot checks", () => {
  let token: string;
  let id: string;
  beforeAll(async () => {
    token = await accessTokenFor(h.deps, t.agent);
    id = (await inbound(whatsapp, { from: newSender(), name: "Rest Person" })).conversationId;
    await admin().conversations.update({ id, assignee_id: t.agent.userId });
  });

  it("GET /conversations?assignee=me&limit=2 pages with next_cursor", async () => {
    const first = await rest(h.deps, "GET", "/conversations?assignee=me&limit=2", { token });
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeLessThanOrEqual(2);
    expect(first.body.items.every((c: { assignee_id: string }) => c.assignee_id === t.agent.userId)).toBe(true);
    expect(first.body.items[0]).toMatchObject({ id, contact: { name: "Rest Person" }, channel: { type: "whatsapp" } });
    if (first.body.next_cursor) {
      const second = await rest(h.deps, "GET", `/conversations?assignee=me&limit=2&cursor=${first.body.next_cursor}`, { token });
      expect(second.status).toBe(200);
      expect(second.body.items.map((c: { id: string }) => c.id)).not.toContain(id);
    }
  });

  it("PATCH /conversations/{id} and GET /conversations/{id}/messages", async () => {
    const res = await rest(h.deps, "PATCH", `/conversations/${id}`, { token, body: { status: "pending" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: "pending" });
    const timeline = await rest(h.deps, "GET", `/conversations/${id}/messages?limit=10`, { token });
    expect(timeline.status).toBe(200);
    expect(timeline.body.items[0]).toMatchObject({ kind: "message", direction: "in", body: "hello" });
  });

  it("POST /conversations/{id}/messages -> 202 queued; POST /comments -> 201", async () => {
    const res = await rest(h.deps, "POST", `/conversations/${id}/messages`, { token, body: { body: "hello from REST" } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: "queued" });
    const comment = await rest(h.deps, "POST", `/conversations/${id}/comments`, { token, body: { body: "private" } });
    expect(comment.status).toBe(201);
  });

  it.each([
    ["POST", "/messages", "body", { body: "   " }],
    ["POST", "/comments", "body", {}],
    ["PATCH", "", "status", { status: "closed" }],
    ["PATCH", "", "assignee_id", { assignee_id: "not-a-uuid" }],
    ["PATCH", "", "snoozed_until", { status: "snoozed", snoozed_until: "tomorrow" }],
  ])("%s /conversations/{id}%s with bad input -> 422 naming %s", async (method, suffix, path, body) => {
    const before = await q(`select count(*)::int as n from messages where conversation_id = $1`, [id]);
    const res = await rest(h.deps, method, `/conversations/${id}${suffix}`, { token, body });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "validation_error", path });
    expect(await q(`select count(*)::int as n from messages where conversation_id = $1`, [id])).toEqual(before);
  });

  it("GET /conversations?limit=1000 -> 422 on limit; unknown conversation -> 404", async () => {
    const res = await rest(h.deps, "GET", "/conversations?limit=1000", { token });
    expect(res.status).toBe(422);
    expect(res.body.error.path).toBe("limit");
    expect((await rest(h.deps, "GET", `/conversations/${randomUUID()}`, { token })).status).toBe(404);
  });

  it("GET /contacts?q= and GET /contacts/{id}", async () => {
    const res = await rest(h.deps, "GET", "/contacts?q=rest%20person", { token });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const one = await rest(h.deps, "GET", `/contacts/${res.body.items[0].id}`, { token });
    expect(one).toMatchObject({ status: 200, body: { name: "Rest Person", lead_score: 0 } });
  });
});
