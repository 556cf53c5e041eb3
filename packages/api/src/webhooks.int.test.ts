import { readFileSync } from "node:fs";
import { hmacSha256Hex, signApiBody, signSha256Header } from "@alfred/channels";
import { createChannel, drainDueReceipts } from "@alfred/crm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createApiHarness, seedTenant, type ApiHarness, type TenantFixture } from "./testing/harness";
import { handleWebhook, handleWebhookVerification } from "./intake/webhooks";

/**
 * `POST/GET /api/v1/webhooks/{channel_type}` exactly as the Next route calls them (a real Request),
 * against real Postgres and Redis. Payloads are the providers' documented forms (channels fixtures).
 * The request stores receipts; `post` then processes every due receipt as the worker does, so each
 * test sees the messages and statuses the webhook leads to.
 */

// Illustrative ids, as in the fixtures: every fixture names this WhatsApp phone number id.
const WA_PHONE = "106540352242922";
const WA_SECRET = "wa-app-secret-0123456789";
const WA_VERIFY = "wa-verify-token-abc";
const FB_PAGE = "PAGE_ID";
const FB_SECRET = "fb-app-secret-0123456789";
const IG_ACCOUNT = "17841400000000000";
const IG_SECRET = "ig-app-secret-0123456789";
const MAIL_ADDRESS = "support@inbox.acme.test";
const MAIL_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"; // the key the Mailgun fixture is signed with
const API_SECRET = "api-channel-secret-0123456789";
const B_PHONE = "209999999999999";
const B_SECRET = "tenant-b-app-secret";

let h: ApiHarness;
let t: TenantFixture;
let b: TenantFixture;
const ch: Record<"whatsapp" | "messenger" | "instagram" | "email" | "api" | "bWhatsapp" | "bApi", string> = {} as never;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are edited freely

function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../channels/src/__fixtures__/${name}`, import.meta.url), "utf8")) as Json;
}
const fixtureText = (name: string) => readFileSync(new URL(`../../channels/src/__fixtures__/${name}`, import.meta.url), "utf8");

let seq = 0;
const uid = (p: string) => `${p}.${Date.now().toString(36)}${(seq++).toString(36)}`;

/** The WhatsApp text fixture with its ids replaced. */
function waText(o: { id?: string; from?: string; name?: string; text?: string; phone?: string; timestamp?: number } = {}): Json {
  const p = fixture("whatsapp-text-message.json");
  const v = p.entry[0].changes[0].value;
  v.metadata.phone_number_id = o.phone ?? WA_PHONE;
  if (o.from) {
    v.contacts[0].wa_id = o.from;
    v.messages[0].from = o.from;
  }
  if (o.name) v.contacts[0].profile.name = o.name;
  if (o.id) v.messages[0].id = o.id;
  if (o.text) v.messages[0].text.body = o.text;
  if (o.timestamp) v.messages[0].timestamp = String(o.timestamp);
  return p;
}

function request(method: string, path: string, body?: string | Buffer | Uint8Array, headers: Record<string, string> = {}): Request {
  return new Request(`http://alfred.test/api/v1/webhooks/${path}`, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : Uint8Array.from(body) });
}

/** A Meta webhook POST signed with `secret` (X-Hub-Signature-256 over the raw bytes). */
function metaRequest(type: string, payload: Json | string, secret: string | null, extraHeaders: Record<string, string> = {}): Request {
  const raw = typeof payload === "string" ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", ...extraHeaders };
  if (secret !== null) headers["x-hub-signature-256"] = signSha256Header(raw, secret);
  return request("POST", type, raw, headers);
}

async function post(type: string, req: Request): Promise<{ status: number; body: Json; stored: { messages: number; duplicates: number; statuses: number; ignored: number } }> {
  const res = await handleWebhook(req, type, h.deps);
  const text = await res.text();
  const drained = await drainDueReceipts(h.deps);
  await h.deps.producer.flush(drained.effects);
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, stored: drained.stored };
}

const q = async <T = Json>(text: string, params: unknown[] = []) => (await h.database.pool.query(text, params)).rows as T[];

/** Rows a webhook can write, for the tenant: "nothing stored" means this does not change. */
async function counts(tenantId = t.admin.tenantId) {
  const [row] = await q(
    `select (select count(*)::int from messages where tenant_id = $1) as messages,
            (select count(*)::int from contacts where tenant_id = $1) as contacts,
            (select count(*)::int from contact_identities where tenant_id = $1) as identities,
            (select count(*)::int from conversations where tenant_id = $1) as conversations,
            (select count(*)::int from automation_events where tenant_id = $1) as events,
            (select count(*)::int from inbound_receipts where tenant_id = $1) as receipts`,
    [tenantId],
  );
  return row!;
}

const messageByExternal = async (externalId: string) => (await q(`select * from messages where external_id = $1`, [externalId]))[0];
const conversationById = async (id: string) => (await q(`select * from conversations where id = $1`, [id]))[0]!;

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Acme");
  b = await seedTenant(h.deps, "Victim B");
  const tenant = t.admin.tenantId;
  const make = async (tenantId: string, type: "whatsapp" | "messenger" | "instagram" | "email" | "api", config: Record<string, unknown>) =>
    (await createChannel(h.deps.db, h.deps.keys, h.deps.automation, tenantId, { type, name: `${type} channel`, config })).id;
  ch.whatsapp = await make(tenant, "whatsapp", { phone_number_id: WA_PHONE, access_token: "wa-token", app_secret: WA_SECRET, verify_token: WA_VERIFY });
  ch.messenger = await make(tenant, "messenger", { page_id: FB_PAGE, page_access_token: "fb-token", app_secret: FB_SECRET, verify_token: "fb-verify" });
  ch.instagram = await make(tenant, "instagram", { instagram_account_id: IG_ACCOUNT, access_token: "ig-token", app_secret: IG_SECRET, verify_token: "ig-verify" });
  ch.email = await make(tenant, "email", { inbound_address: MAIL_ADDRESS, signing_key: MAIL_KEY });
  ch.api = await make(tenant, "api", { secret: API_SECRET });
  ch.bWhatsapp = await make(b.admin.tenantId, "whatsapp", { phone_number_id: B_PHONE, access_token: "b-token", app_secret: B_SECRET, verify_token: "b-verify" });
  ch.bApi = await make(b.admin.tenantId, "api", { secret: "tenant-b-api-secret" });
});
afterAll(() => h.close());

describe("WhatsApp inbound", () => {
  it("a signed text message creates the contact, the conversation, the message and a message.ingested event", async () => {
    const payload = fixture("whatsapp-text-message.json");
    const wamid = payload.entry[0].changes[0].value.messages[0].id as string;
    const before = await counts();

    const res = await post("whatsapp", metaRequest("whatsapp", payload, WA_SECRET));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, received: 1, duplicates: 0 });
    expect(res.stored).toMatchObject({ messages: 1, duplicates: 0 });
    expect(await counts()).toEqual({ ...before, messages: before.messages + 1, contacts: before.contacts + 1, identities: before.identities + 1, conversations: before.conversations + 1, events: before.events + 1, receipts: before.receipts + 1 });
    const message = await messageByExternal(wamid);
    expect(message).toMatchObject({ tenant_id: t.admin.tenantId, channel_id: ch.whatsapp, direction: "in", type: "text", body: "Does it come in another color?", status: "received" });
    const [contact] = await q(`select c.* from contacts c join contact_identities i on i.contact_id = c.id where i.channel_id = $1 and i.external_id = '16505551234'`, [ch.whatsapp]);
    expect(contact).toMatchObject({ tenant_id: t.admin.tenantId, name: "Sheena Nelson", phone: "+16505551234" });
    const conversation = await conversationById(message!.conversation_id);
    expect(conversation).toMatchObject({ contact_id: contact!.id, channel_id: ch.whatsapp, status: "open", unread_count: 1 });
    expect(conversation.last_activity_at).toEqual(message!.created_at);
    expect(conversation.last_inbound_at.toISOString()).toBe(new Date(1749416383 * 1000).toISOString());
    const [event] = await q(`select * from automation_events where tenant_id = $1 and type = 'message.ingested' and payload->>'message_id' = $2`, [t.admin.tenantId, message!.id]);
    expect(event!.payload).toMatchObject({ conversation_id: conversation.id, contact_id: contact!.id, channel_id: ch.whatsapp, channel_type: "whatsapp", external_id: wamid, body: "Does it come in another color?" });
  });

  it("the same webhook again, and 20 identical copies at once, store nothing new", async () => {
    const payload = waText({ id: uid("wamid.dup"), from: "15550001111", name: "Dup Licate", text: "only once" });
    const before = await counts();

    expect((await post("whatsapp", metaRequest("whatsapp", payload, WA_SECRET))).status).toBe(200);
    const once = await counts();
    expect(once.messages).toBe(before.messages + 1);

    const again = await post("whatsapp", metaRequest("whatsapp", payload, WA_SECRET));
    expect(again).toMatchObject({ status: 200, body: { received: 0, duplicates: 1 } });
    const storm = await Promise.all(Array.from({ length: 20 }, () => post("whatsapp", metaRequest("whatsapp", payload, WA_SECRET))));
    expect(storm.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(storm.every((r) => r.body.duplicates === 1)).toBe(true);

    expect(await counts()).toEqual(once);
    const message = await messageByExternal(payload.entry[0].changes[0].value.messages[0].id);
    expect((await conversationById(message!.conversation_id)).unread_count).toBe(1);
  });

  it("20 identical copies of a first message from a new sender, all at once, create one contact, one conversation, one message", async () => {
    const payload = waText({ id: uid("wamid.race"), from: "15550002222", name: "Race Condition" });
    const before = await counts();
    const storm = await Promise.all(Array.from({ length: 20 }, () => post("whatsapp", metaRequest("whatsapp", payload, WA_SECRET))));
    expect(storm.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(storm.filter((r) => r.body.received === 1)).toHaveLength(1);
    expect(await counts()).toEqual({ ...before, messages: before.messages + 1, contacts: before.contacts + 1, identities: before.identities + 1, conversations: before.conversations + 1, events: before.events + 1, receipts: before.receipts + 1 });
  });

  it("20 different messages from a new sender at once land in one contact and one conversation", async () => {
    const from = "15550003333";
    const before = await counts();
    const storm = await Promise.all(Array.from({ length: 20 }, (_, i) => post("whatsapp", metaRequest("whatsapp", waText({ id: uid(`wamid.burst${i}`), from, text: `part ${i}` }), WA_SECRET))));
    expect(storm.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await counts()).toMatchObject({ messages: before.messages + 20, contacts: before.contacts + 1, conversations: before.conversations + 1, events: before.events + 20 });
    const [conversation] = await q(`select c.* from conversations c join contact_identities i on i.contact_id = c.contact_id where i.external_id = $1`, [from]);
    expect(conversation!.unread_count).toBe(20);
  });

  describe("rejected requests store nothing", () => {
    const payload = () => waText({ id: uid("wamid.bad"), from: "15550004444", text: "should never be stored" });

    it.each([
      ["tampered body", () => {
        const p = payload();
        const signature = signSha256Header(JSON.stringify(p), WA_SECRET);
        p.entry[0].changes[0].value.messages[0].text.body = "tampered";
        return metaRequest("whatsapp", p, null, { "x-hub-signature-256": signature });
      }],
      ["wrong secret", () => metaRequest("whatsapp", payload(), "not-the-app-secret")],
      ["missing header", () => metaRequest("whatsapp", payload(), null)],
      ["signature of the right body but not the raw bytes (re-serialised)", () => {
        const p = payload();
        const raw = JSON.stringify(p, null, 2);
        return metaRequest("whatsapp", raw, null, { "x-hub-signature-256": signSha256Header(JSON.stringify(p), WA_SECRET) });
      }],
      ["uppercase hex signature", () => {
        const p = payload();
        const raw = JSON.stringify(p);
        return metaRequest("whatsapp", raw, null, { "x-hub-signature-256": `sha256=${hmacSha256Hex(WA_SECRET, raw).toUpperCase()}` });
      }],
      ["signed with tenant A's secret but naming tenant B's phone_number_id", () => metaRequest("whatsapp", waText({ id: uid("wamid.xt"), phone: B_PHONE }), WA_SECRET)],
    ])("%s -> 401", async (_name, build) => {
      const beforeA = await counts();
      const beforeB = await counts(b.admin.tenantId);
      const res = await post("whatsapp", build());
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_signature");
      expect(await counts()).toEqual(beforeA);
      expect(await counts(b.admin.tenantId)).toEqual(beforeB);
    });

    it("unknown phone_number_id -> 404", async () => {
      const before = await counts();
      const res = await post("whatsapp", metaRequest("whatsapp", waText({ id: uid("wamid.unknown"), phone: "999000999000" }), WA_SECRET));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect(await counts()).toEqual(before);
    });

    it("unknown channel type -> 404", async () => {
      expect((await post("telegram", metaRequest("telegram", payload(), WA_SECRET))).status).toBe(404);
    });

    it("malformed JSON -> 400", async () => {
      const before = await counts();
      const res = await post("whatsapp", metaRequest("whatsapp", '{"object":"whatsapp_business_account","entry":[', WA_SECRET));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
      expect(await counts()).toEqual(before);
    });

    it("a body naming no account cannot be verified -> 401, whatever else it holds", async () => {
      const p = payload();
      delete p.entry[0].changes[0].value.metadata.phone_number_id;
      const before = await counts();
      const res = await post("whatsapp", metaRequest("whatsapp", p, WA_SECRET));
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/names no account/);
      expect(await counts()).toEqual(before);
      expect((await post("whatsapp", metaRequest("whatsapp", { object: "whatsapp_business_account", entry: [] }, "any-secret"))).status).toBe(401);
    });

    it("an unsigned body of the wrong shape -> 401, not a validation answer", async () => {
      const p = payload();
      delete p.entry[0].changes[0].value.messages[0].id;
      const res = await post("whatsapp", metaRequest("whatsapp", p, null));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_signature");
    });

    it("a body over 1 MiB -> 413", async () => {
      const p = payload();
      p.entry[0].changes[0].value.messages[0].text.body = "x".repeat(1024 * 1024);
      const before = await counts();
      const res = await post("whatsapp", metaRequest("whatsapp", p, WA_SECRET));
      expect(res.status).toBe(413);
      expect(await counts()).toEqual(before);
    });
  });

  it("a signed body we cannot read is acknowledged (Meta would retry a 4xx for days) and parked with the reason for an admin", async () => {
    const p = waText({ id: uid("wamid.shape"), from: "15550009999" });
    delete p.entry[0].changes[0].value.messages[0].id;
    const before = await counts();
    const res = await post("whatsapp", metaRequest("whatsapp", p, WA_SECRET));
    expect(res).toMatchObject({ status: 200, body: { ok: true, received: 1 } });
    expect(await counts()).toEqual({ ...before, receipts: before.receipts + 1 });
    const [receipt] = await q(`select * from inbound_receipts where tenant_id = $1 order by id desc limit 1`, [t.admin.tenantId]);
    expect(receipt).toMatchObject({ status: "parked", channel_id: ch.whatsapp });
    expect(receipt!.last_error).toMatch(/messages\.0\.id/);
    expect(Buffer.from(receipt!.body).toString()).toBe(JSON.stringify(p)); // the exact bytes, for when the cause is fixed
  });

  it("text Postgres cannot store (NUL, a lone surrogate) and a timestamp of 999999999999: stored once, shown, the exact bytes kept", async () => {
    const id = uid("wamid.nul");
    const payload = waText({ id, from: "15550007777", name: "Nul\u0000 Name", text: "before\u0000after \ud800 end", timestamp: 999999999999 });
    const raw = JSON.stringify(payload);
    expect(raw).toContain("\\u0000"); // JSON escapes it: a valid body, whose text Postgres refuses
    const first = await post("whatsapp", metaRequest("whatsapp", raw, WA_SECRET));
    expect(first).toMatchObject({ status: 200, stored: { messages: 1 } });
    expect(await post("whatsapp", metaRequest("whatsapp", raw, WA_SECRET))).toMatchObject({ status: 200, body: { duplicates: 1 }, stored: { messages: 0 } });
    const message = await messageByExternal(id);
    expect(message!.body).toBe("beforeafter \ufffd end");
    expect(message!.raw_payload.text.body).toBe("beforeafter \ufffd end");
    // The provider's impossible time (year 33658) gives way to the time Alfred received it.
    expect(Math.abs(new Date(message!.provider_timestamp).getTime() - Date.now())).toBeLessThan(60_000);
    const [receipt] = await q(`select body from inbound_receipts where id = $1`, [message!.receipt_id]);
    expect(Buffer.from(receipt!.body).toString("utf8")).toBe(raw);
    // Shown: the thread as an agent reads it.
    const thread = await callerFor(h.deps, t.agent).conversations.timeline({ id: message!.conversation_id });
    expect(thread.items.some((item) => "body" in item && item.body === "beforeafter \ufffd end")).toBe(true);
    const [contact] = await q(`select c.name from contacts c join conversations v on v.contact_id = c.id where v.id = $1`, [message!.conversation_id]);
    expect(contact!.name).toBe("Nul Name");
  });

  it.each([
    ["whatsapp-location-message.json", "location", null],
    ["whatsapp-image-message.json", "image", "Here is the damaged box"],
    ["whatsapp-unsupported-message.json", "unsupported", null],
  ])("an unsupported type (%s) is stored with its type and raw payload", async (name, type, body) => {
    const payload = fixture(name);
    const raw = payload.entry[0].changes[0].value.messages[0];
    const res = await post("whatsapp", metaRequest("whatsapp", payload, WA_SECRET));
    expect(res.status).toBe(200);
    const message = await messageByExternal(raw.id);
    expect(message).toMatchObject({ type, body, direction: "in" });
    expect(message!.raw_payload).toMatchObject(raw);
  });

  describe("status notifications", () => {
    let conversationId: string;
    const outbound = async (externalId: string, status = "sent") => {
      const [row] = await q(
        `insert into messages (tenant_id, conversation_id, channel_id, direction, type, body, external_id, status) values ($1, $2, $3, 'out', 'text', 'our reply', $4, $5) returning *`,
        [t.admin.tenantId, conversationId, ch.whatsapp, externalId, status],
      );
      return row!;
    };

    beforeAll(async () => {
      const wamid = fixture("whatsapp-text-message.json").entry[0].changes[0].value.messages[0].id;
      conversationId = (await messageByExternal(wamid))!.conversation_id;
    });

    it("read, then a late delivered: stays read; a repeated status changes nothing", async () => {
      const read = fixture("whatsapp-status-read.json");
      const id = read.entry[0].changes[0].value.statuses[0].id as string;
      await outbound(id);

      expect((await post("whatsapp", metaRequest("whatsapp", read, WA_SECRET))).stored).toMatchObject({ statuses: 1 });
      expect((await messageByExternal(id))!.status).toBe("read");
      const late = await post("whatsapp", metaRequest("whatsapp", fixture("whatsapp-status-delivered.json"), WA_SECRET));
      expect(late).toMatchObject({ status: 200, stored: { statuses: 0, ignored: 1 } });
      expect((await messageByExternal(id))!.status).toBe("read");
      // The very same request again is a re-delivery: acknowledged, stored once, nothing processed.
      expect(await post("whatsapp", metaRequest("whatsapp", read, WA_SECRET))).toMatchObject({ status: 200, body: { received: 0, duplicates: 1 }, stored: { statuses: 0 } });
    });

    it("sent, then delivered, advances in order", async () => {
      const id = uid("wamid.out");
      await outbound(id, "sending");
      for (const [name, expected] of [["whatsapp-status-sent.json", "sent"], ["whatsapp-status-delivered.json", "delivered"]] as const) {
        const p = fixture(name);
        p.entry[0].changes[0].value.statuses[0].id = id;
        p.entry[0].changes[0].value.metadata.phone_number_id = WA_PHONE;
        expect((await post("whatsapp", metaRequest("whatsapp", p, WA_SECRET))).status).toBe(200);
        expect((await messageByExternal(id))!.status).toBe(expected);
      }
    });

    it("failed carries the provider's error", async () => {
      const failed = fixture("whatsapp-status-failed.json");
      const id = failed.entry[0].changes[0].value.statuses[0].id as string;
      await outbound(id);
      expect((await post("whatsapp", metaRequest("whatsapp", failed, WA_SECRET))).status).toBe(200);
      const message = await messageByExternal(id);
      expect(message!.status).toBe("failed");
      expect(message!.error).toContain("131047");
      expect(message!.error).toMatch(/Re-engagement/);
    });

    it("a status for a message we never sent is accepted and ignored", async () => {
      const p = fixture("whatsapp-status-read.json");
      p.entry[0].changes[0].value.statuses[0].id = uid("wamid.nobody");
      const before = await counts();
      expect(await post("whatsapp", metaRequest("whatsapp", p, WA_SECRET))).toMatchObject({ status: 200, stored: { statuses: 0, ignored: 1 } });
      expect(await counts()).toEqual({ ...before, receipts: before.receipts + 1 });
    });

    it("a status signed with the wrong secret -> 401 and the status is unchanged", async () => {
      const id = uid("wamid.st401");
      await outbound(id);
      const p = fixture("whatsapp-status-read.json");
      p.entry[0].changes[0].value.statuses[0].id = id;
      expect((await post("whatsapp", metaRequest("whatsapp", p, "wrong"))).status).toBe(401);
      expect((await messageByExternal(id))!.status).toBe("sent");
    });
  });

  describe("conversation bookkeeping", () => {
    it.each(["resolved", "snoozed"])("a %s conversation is reopened by a new message (conversation.updated recorded)", async (status) => {
      const from = `1555010${status.length}${seq++}`;
      const first = await post("whatsapp", metaRequest("whatsapp", waText({ id: uid("wamid.first"), from }), WA_SECRET));
      expect(first.status).toBe(200);
      const [conversation] = await q(`select c.* from conversations c join contact_identities i on i.contact_id = c.contact_id where i.external_id = $1`, [from]);
      await q(`update conversations set status = $2::conversation_status, snoozed_until = case when $2::text = 'snoozed' then now() + interval '1 day' end, unread_count = 0 where id = $1`, [conversation!.id, status]);

      const before = await counts();
      expect((await post("whatsapp", metaRequest("whatsapp", waText({ id: uid("wamid.again"), from }), WA_SECRET))).status).toBe(200);

      const after = await conversationById(conversation!.id);
      expect(after).toMatchObject({ status: "open", snoozed_until: null, unread_count: 1 });
      expect(await counts()).toMatchObject({ conversations: before.conversations, messages: before.messages + 1 });
      const [reopened] = await q(`select * from automation_events where type = 'conversation.updated' and payload->>'conversation_id' = $1`, [conversation!.id]);
      expect(reopened!.payload).toMatchObject({ status: "open", changes: ["status"] });
    });

    it("unread count and last activity follow each message; an older message delivered late does not move last_inbound_at back", async () => {
      const from = "15550205555";
      const now = Math.floor(Date.now() / 1000);
      await post("whatsapp", metaRequest("whatsapp", waText({ id: uid("wamid.a"), from, timestamp: now }), WA_SECRET));
      const [c1] = await q(`select c.* from conversations c join contact_identities i on i.contact_id = c.contact_id where i.external_id = $1`, [from]);
      const lateId = uid("wamid.late");
      await post("whatsapp", metaRequest("whatsapp", waText({ id: lateId, from, timestamp: now - 3 * 24 * 3600 }), WA_SECRET));
      const c2 = await conversationById(c1!.id);
      expect(c2.unread_count).toBe(2);
      expect(c2.last_activity_at.getTime()).toBeGreaterThanOrEqual(c1!.last_activity_at.getTime());
      expect(c2.last_activity_at).toEqual((await messageByExternal(lateId))!.created_at);
      expect(c2.last_inbound_at.getTime()).toBe(now * 1000);
    });
  });
});

describe("Messenger and Instagram inbound", () => {
  it("a Messenger text is stored; the page's own echo is ignored", async () => {
    const text = fixture("messenger-text-message.json");
    const res = await post("messenger", metaRequest("messenger", text, FB_SECRET));
    expect(res).toMatchObject({ status: 200, stored: { messages: 1 } });
    expect(await messageByExternal(text.entry[0].messaging[0].message.mid)).toMatchObject({ channel_id: ch.messenger, body: "hello, world!" });

    const before = await counts();
    const echo = await post("messenger", metaRequest("messenger", fixture("messenger-echo-message.json"), FB_SECRET));
    expect(echo).toMatchObject({ status: 200, body: { received: 0 } });
    expect(await counts()).toEqual(before);
  });

  it("an Instagram text is stored; the business account's echo is ignored; a wrong secret is 401", async () => {
    const text = fixture("instagram-text-message.json");
    expect((await post("instagram", metaRequest("instagram", text, FB_SECRET))).status).toBe(401);
    expect(await messageByExternal(text.entry[0].messaging[0].message.mid)).toBeUndefined();
    expect((await post("instagram", metaRequest("instagram", text, IG_SECRET))).status).toBe(200);
    expect(await messageByExternal(text.entry[0].messaging[0].message.mid)).toMatchObject({ channel_id: ch.instagram, body: "Is this still available?" });

    const before = await counts();
    expect((await post("instagram", metaRequest("instagram", fixture("instagram-echo-message.json"), IG_SECRET))).status).toBe(200);
    expect(await counts()).toEqual(before);
  });
});

describe("Messenger and Instagram postbacks", () => {
  it.each([
    ["messenger", "messenger-postback.json", FB_SECRET, FB_PAGE],
    ["instagram", "instagram-postback.json", IG_SECRET, IG_ACCOUNT],
  ] as const)("%s: a signed postback is stored as a postback message with title and payload, and announced in message.ingested", async (type, file, secret, account) => {
    const payload = fixture(file);
    const event = payload.entry[0].messaging[0];
    event.recipient.id = account;
    payload.entry[0].id = account;
    event.postback.mid = uid("m_postback");
    const before = await counts();
    // The same body with a wrong signature first: 401, nothing stored.
    expect((await post(type, metaRequest(type, payload, "a-wrong-app-secret"))).status).toBe(401);
    expect(await counts()).toEqual(before);

    const res = await post(type, metaRequest(type, payload, secret));
    expect(res).toMatchObject({ status: 200, body: { received: 1 }, stored: { messages: 1 } });
    const message = await messageByExternal(event.postback.mid);
    expect(message).toMatchObject({ type: "postback", body: event.postback.title, content: { kind: "postback", title: event.postback.title, payload: event.postback.payload } });
    const [ingested] = await q(`select payload from automation_events where type = 'message.ingested' and payload->>'message_id' = $1`, [message!.id]);
    expect(ingested!.payload).toMatchObject({ type: "postback", body: event.postback.title, content: { kind: "postback", title: event.postback.title, payload: event.postback.payload } });
  });
});

describe("typed message content, stored, in the timeline and in message.ingested", () => {
  /** One WhatsApp message of Meta's documented shape from a fresh sender. */
  function waMessage(from: string, message: Json): Json {
    const p = waText({ from });
    const v = p.entry[0].changes[0].value;
    v.messages[0] = { from, id: uid("wamid"), timestamp: v.messages[0].timestamp, ...message };
    return p;
  }
  async function ingested(externalId: string) {
    const message = await messageByExternal(externalId);
    const [event] = await q(`select payload from automation_events where type = 'message.ingested' and payload->>'message_id' = $1`, [message!.id]);
    const timeline = await callerFor(h.deps, t.admin).conversations.timeline({ id: message!.conversation_id });
    return { message: message!, event: event!.payload as Json, item: timeline.items.find((i) => i.id === message!.id)! };
  }

  it.each([
    ["image", { type: "image", image: { caption: "The box", mime_type: "image/jpeg", sha256: "abc=", id: "1003383421387256" } }, { kind: "media", media_type: "image", media_id: "1003383421387256", mime_type: "image/jpeg", caption: "The box", sha256: "abc=" }],
    ["location", { type: "location", location: { latitude: 37.483307, longitude: -122.148981, name: "Main Campus", address: "1 Hacker Way" } }, { kind: "location", latitude: 37.483307, longitude: -122.148981, name: "Main Campus", address: "1 Hacker Way", url: null }],
    ["interactive", { type: "interactive", interactive: { type: "list_reply", list_reply: { id: "row-2", title: "Tuesday" } } }, { kind: "interactive_reply", reply_type: "list_reply", id: "row-2", title: "Tuesday" }],
    ["reaction removal", { type: "reaction", reaction: { message_id: "wamid.TARGET", emoji: "" } }, { kind: "reaction", action: "unreact", emoji: null, reacted_message_external_id: "wamid.TARGET" }],
  ])("WhatsApp %s", async (_name, message, content) => {
    const payload = waMessage(`1555${Math.floor(Math.random() * 1e7)}`, message);
    expect((await post("whatsapp", metaRequest("whatsapp", payload, WA_SECRET))).status).toBe(200);
    const { message: row, event, item } = await ingested(payload.entry[0].changes[0].value.messages[0].id);
    expect(row.content).toEqual(content);
    expect(event.content).toEqual(content);
    expect(item.content).toEqual(content);
  });

  it("a WhatsApp reaction names the message reacted to, and its emoji", async () => {
    const from = `1555${Math.floor(Math.random() * 1e7)}`;
    const first = waText({ from, id: uid("wamid") });
    await post("whatsapp", metaRequest("whatsapp", first, WA_SECRET));
    const target = first.entry[0].changes[0].value.messages[0].id;
    const reaction = waMessage(from, { type: "reaction", reaction: { message_id: target, emoji: "\u{1F44D}" } });
    await post("whatsapp", metaRequest("whatsapp", reaction, WA_SECRET));
    const { item } = await ingested(reaction.entry[0].changes[0].value.messages[0].id);
    expect(item).toMatchObject({ type: "reaction", body: null, content: { kind: "reaction", action: "react", emoji: "\u{1F44D}", reacted_message_external_id: target } });
  });

  it("an Instagram story mention carries its URL; a Messenger reaction its emoji", async () => {
    const story = fixture("instagram-text-message.json");
    const event = story.entry[0].messaging[0];
    event.recipient.id = IG_ACCOUNT;
    event.message = { mid: uid("m_story"), attachments: [{ type: "story_mention", payload: { url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1" } }] };
    expect((await post("instagram", metaRequest("instagram", story, IG_SECRET))).status).toBe(200);
    expect((await ingested(event.message.mid)).item.content).toEqual({ kind: "story_mention", url: "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1" });

    const reaction = { object: "page", entry: [{ id: FB_PAGE, time: 1, messaging: [{ sender: { id: uid("PSID") }, recipient: { id: FB_PAGE }, timestamp: Date.now(), reaction: { mid: "m_target", action: "react", emoji: "\u{2764}", reaction: "love" } }] }] };
    const res = await post("messenger", metaRequest("messenger", reaction, FB_SECRET));
    expect(res).toMatchObject({ status: 200, stored: { messages: 1 } });
    const [row] = await q(`select type, content from messages where channel_id = $1 and type = 'reaction' order by created_at desc limit 1`, [ch.messenger]);
    expect(row).toEqual({ type: "reaction", content: { kind: "reaction", action: "react", emoji: "\u{2764}", reacted_message_external_id: "m_target" } });
  });
});

describe("the signature is checked before anything else, whatever the body holds", () => {
  const wrong = "a-wrong-secret-0123456789";
  it.each([
    ["whatsapp", { object: "whatsapp_business_account", entry: [] }],
    ["whatsapp", { object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value: { metadata: { phone_number_id: WA_PHONE } } }] }] }],
    ["messenger", { object: "page", entry: [] }],
    ["messenger", { object: "page", entry: [{ id: FB_PAGE, time: 1, messaging: [] }] }],
    ["messenger", { object: "page", entry: [{ id: FB_PAGE, time: 1, standby: [] }] }],
    ["instagram", { object: "instagram", entry: [] }],
    ["instagram", { object: "instagram", entry: [{ id: IG_ACCOUNT, time: 1, messaging: [] }] }],
  ] as const)("%s %j with a wrong signature -> 401, nothing stored", async (type, body) => {
    const before = await counts();
    const res = await post(type, metaRequest(type, body as unknown as Json, wrong));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_signature");
    expect(await counts()).toEqual(before);
  });

  it("api: a body with nothing to store and a wrong signature -> 401", async () => {
    const raw = JSON.stringify({ channel_id: ch.api });
    const res = await post("api", request("POST", "api", raw, { "content-type": "application/json", "x-alfred-signature": signApiBody(raw, wrong) }));
    expect(res.status).toBe(401);
  });

  it("email: a post with no message in it and a wrong signature -> 401", async () => {
    const fields = { recipient: MAIL_ADDRESS, timestamp: String(Math.floor(Date.now() / 1000)), token: uid("tok").replace(/\./g, ""), signature: "0".repeat(64) };
    const res = await post("email", request("POST", "email", new URLSearchParams(fields).toString(), { "content-type": "application/x-www-form-urlencoded" }));
    expect(res.status).toBe(401);
  });
});

describe("e-mail (Mailgun) inbound", () => {
  const sign = (timestamp: string, token: string, key = MAIL_KEY) => hmacSha256Hex(key, timestamp + token);

  function mailFields(o: { messageId: string; from?: string; inReplyTo?: string; token?: string; text?: string; key?: string }): Record<string, string> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = o.token ?? uid("tok").replace(/\./g, "");
    const headers: [string, string][] = [
      ["From", o.from ?? "Pat Customer <pat@example.com>"],
      ["To", `Acme Support <${MAIL_ADDRESS}>`],
      ["Subject", "Question"],
      ["Message-Id", `<${o.messageId}>`],
    ];
    if (o.inReplyTo) headers.push(["In-Reply-To", `<${o.inReplyTo}>`], ["References", `<${o.inReplyTo}>`]);
    return {
      recipient: MAIL_ADDRESS,
      sender: "bounce@example.com",
      from: o.from ?? "Pat Customer <pat@example.com>",
      subject: "Question",
      "body-plain": o.text ?? "Hello there",
      "stripped-text": o.text ?? "Hello there",
      "message-headers": JSON.stringify(headers),
      timestamp,
      token,
      signature: sign(timestamp, token, o.key),
    };
  }

  const urlencoded = (fields: Record<string, string>) => request("POST", "email", new URLSearchParams(fields).toString(), { "content-type": "application/x-www-form-urlencoded" });
  async function multipart(fields: Record<string, string>): Promise<Request> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append("attachment-1", new Blob(["binary"], { type: "application/octet-stream" }), "file.bin");
    const encoded = new Response(form);
    return request("POST", "email", Buffer.from(await encoded.arrayBuffer()), { "content-type": encoded.headers.get("content-type")! });
  }

  it("the urlencoded fixture (as Mailgun posts it) is stored, with its Message-Id as the external id", async () => {
    const res = await post("email", request("POST", "email", fixtureText("mailgun-inbound.urlencoded"), { "content-type": "application/x-www-form-urlencoded" }));
    expect(res).toMatchObject({ status: 200, stored: { messages: 1 } });
    const message = await messageByExternal("CAF=abc123.reply@mail.example.com");
    expect(message).toMatchObject({ channel_id: ch.email, body: "The box arrived damaged, can you send a new one?" });
    const conversation = await conversationById(message!.conversation_id);
    expect(conversation.subject).toBe("Re: Order #1042 delivery");
    const [contact] = await q(`select * from contacts where id = $1`, [conversation.contact_id]);
    expect(contact).toMatchObject({ email: "sheena.nelson@example.com", name: "Nelson, Sheena" });
  });

  it("the same signed post again (Mailgun retrying) is acknowledged and stores nothing; its token with another body is a replay -> 401", async () => {
    const raw = fixtureText("mailgun-inbound.urlencoded");
    const before = await counts();
    const retry = await post("email", request("POST", "email", raw, { "content-type": "application/x-www-form-urlencoded" }));
    expect(retry).toMatchObject({ status: 200, body: { received: 0, duplicates: 1 } });
    const fields = new URLSearchParams(raw);
    fields.set("stripped-text", "Please refund me instead");
    const replay = await post("email", request("POST", "email", fields.toString(), { "content-type": "application/x-www-form-urlencoded" }));
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toMatch(/replay/);
    expect(await counts()).toEqual(before);
  });

  it("multipart, then a reply from another address threads by In-Reply-To into the same conversation", async () => {
    const firstId = uid("first") + "@mail.example.com";
    const first = await post("email", await multipart(mailFields({ messageId: firstId })));
    expect(first).toMatchObject({ status: 200, stored: { messages: 1 } });
    const firstMessage = await messageByExternal(firstId);

    const replyId = uid("reply") + "@other.example.org";
    const reply = await post("email", urlencoded(mailFields({ messageId: replyId, from: "Colleague <colleague@other.example.org>", inReplyTo: firstId, text: "Adding my colleague" })));
    expect(reply.status).toBe(200);
    const replyMessage = await messageByExternal(replyId);
    expect(replyMessage!.conversation_id).toBe(firstMessage!.conversation_id);

    // Without In-Reply-To, a new sender gets a conversation of their own.
    const otherId = uid("other") + "@third.example.net";
    await post("email", urlencoded(mailFields({ messageId: otherId, from: "third@third.example.net" })));
    expect((await messageByExternal(otherId))!.conversation_id).not.toBe(firstMessage!.conversation_id);
  });

  it("a wrong signing key -> 401, an unknown recipient -> 404, nothing stored", async () => {
    const before = await counts();
    expect((await post("email", urlencoded(mailFields({ messageId: uid("bad") + "@x.test", key: "wrong-key" })))).status).toBe(401);
    expect((await post("email", urlencoded({ ...mailFields({ messageId: uid("nobody") + "@x.test" }), recipient: "nobody@inbox.acme.test" }))).status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it("the same token replayed concurrently with different bodies stores at most one message", async () => {
    const token = uid("racetok").replace(/\./g, "");
    const before = await counts();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post("email", urlencoded(mailFields({ messageId: uid(`race${i}`) + "@x.test", token, text: `variant ${i}` })))));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(9);
    expect((await counts()).messages).toBe(before.messages + 1);
  });
});

describe("generic API channel inbound", () => {
  const body = (o: { externalId?: string; channelId?: string; text?: string } = {}) =>
    JSON.stringify({ channel_id: o.channelId ?? ch.api, external_id: o.externalId ?? uid("ext"), from: { id: "crm-42", name: "Api Person", email: "API.Person@Example.com" }, text: o.text ?? "from our CRM" });
  const apiRequest = (raw: string, signature: string | null) => request("POST", "api", raw, { "content-type": "application/json", ...(signature ? { "x-alfred-signature": signature } : {}) });

  it("a body signed with the channel secret is stored once", async () => {
    const externalId = uid("ext");
    const raw = body({ externalId });
    expect((await post("api", apiRequest(raw, signApiBody(raw, API_SECRET)))).status).toBe(200);
    expect((await post("api", apiRequest(raw, signApiBody(raw, API_SECRET)))).body).toMatchObject({ received: 0, duplicates: 1 });
    const message = await messageByExternal(externalId);
    expect(message).toMatchObject({ channel_id: ch.api, body: "from our CRM" });
    const [contact] = await q(`select c.* from contacts c join conversations v on v.contact_id = c.id where v.id = $1`, [message!.conversation_id]);
    expect(contact).toMatchObject({ name: "Api Person", email: "api.person@example.com" });
  });

  it("wrong secret or no signature -> 401 (also tenant A's secret naming B's channel); unknown or non-API channel_id -> 404; nothing stored", async () => {
    const before = await counts();
    const beforeB = await counts(b.admin.tenantId);
    const raw = body();
    expect((await post("api", apiRequest(raw, signApiBody(raw, "nope")))).status).toBe(401);
    expect((await post("api", apiRequest(raw, null))).status).toBe(401);
    const unknown = body({ channelId: "00000000-0000-4000-8000-000000000000" });
    expect((await post("api", apiRequest(unknown, signApiBody(unknown, API_SECRET)))).status).toBe(404);
    const notApi = body({ channelId: ch.whatsapp });
    expect((await post("api", apiRequest(notApi, signApiBody(notApi, API_SECRET)))).status).toBe(404);
    const foreign = body({ channelId: ch.bApi });
    expect((await post("api", apiRequest(foreign, signApiBody(foreign, API_SECRET)))).status).toBe(401);
    const wrongShape = JSON.stringify({ channel_id: ch.api, text: "no external id" });
    expect((await post("api", apiRequest(wrongShape, signApiBody(wrongShape, API_SECRET)))).status).toBe(422);
    // ...but only once the signature holds: unsigned, the same body is a 401.
    expect((await post("api", apiRequest(wrongShape, null))).status).toBe(401);
    expect(await counts()).toEqual(before);
    expect(await counts(b.admin.tenantId)).toEqual(beforeB);
  });
});

describe("Meta GET handshake", () => {
  const handshake = (type: string, token: string, challenge = "1158201444") =>
    handleWebhookVerification(request("GET", `${type}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=${challenge}`), type, h.deps);

  it("answers the challenge as plain text for the channel's verify token", async () => {
    const res = await handshake("whatsapp", WA_VERIFY);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("1158201444");
  });

  it.each([
    ["a wrong token", "whatsapp", "not-the-token"],
    ["another type's token", "messenger", WA_VERIFY],
    ["an unknown channel type", "telegram", WA_VERIFY],
  ])("403 for %s", async (_name, type, token) => {
    const res = await handshake(type, token);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("1158201444");
  });

  it("403 without hub.mode=subscribe", async () => {
    const res = await handleWebhookVerification(request("GET", `whatsapp?hub.mode=unsubscribe&hub.verify_token=${WA_VERIFY}&hub.challenge=42`), "whatsapp", h.deps);
    expect(res.status).toBe(403);
  });
});
