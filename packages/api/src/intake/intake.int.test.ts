import { randomBytes } from "node:crypto";
import { signSha256Header } from "@alfred/channels";
import { createLogger } from "@alfred/core";
import { createChannel, drainDueReceipts, drainReceiptLane, ReceiptEngine, receiptLane } from "@alfred/crm";
import { createDb, type DbHandle } from "@alfred/db";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callerFor, createApiHarness, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";
import { handleWebhook } from "./webhooks";

/**
 * Durable intake: the answer comes only after the receipt committed; copies store once; the worker
 * side (receipt engines on their own database pools, as replicas would be) processes each receipt
 * exactly once in effect, in order per sender, and parks a poison receipt without holding up others.
 */

const PHONE = "106540352242999";
const SECRET = "intake-app-secret";
const logger = createLogger("intake-test", "silent");

let h: ApiHarness;
let t: TenantFixture;
let channelId: string;
const pools: DbHandle[] = [];
const engines: ReceiptEngine[] = [];

function waMessage(o: { id: string; from: string; text: string }) {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1555", phone_number_id: PHONE }, contacts: [{ profile: { name: `Sender ${o.from}` }, wa_id: o.from }], messages: [{ from: o.from, id: o.id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: o.text } }] } }] }],
  };
}

function signed(payload: unknown, headers: Record<string, string> = {}): Request {
  const raw = JSON.stringify(payload);
  return new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", body: raw, headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, SECRET), ...headers } });
}

async function post(payload: unknown, headers: Record<string, string> = {}) {
  const res = await handleWebhook(signed(payload, headers), "whatsapp", h.deps);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await h.database.pool.query(text, params)).rows as T[];
const id = (p: string) => `wamid.${p}.${randomBytes(5).toString("hex")}`;
const sender = () => `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

/** A receipt engine on a pool of its own, as another worker replica would run it. */
function startEngine(options: Partial<ConstructorParameters<typeof ReceiptEngine>[1]> = {}): ReceiptEngine {
  const pool = createDb(h.database.url, { max: 6, applicationName: "intake-test-replica" });
  pools.push(pool);
  const engine = new ReceiptEngine({ db: pool.db, producer: h.deps.producer, logger }, { sweepMs: 50, ...options });
  engine.start();
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Intake Co");
  channelId = (await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: PHONE, access_token: "tok", app_secret: SECRET, verify_token: "v" } })).id;
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

afterAll(() => h.close());

describe("acknowledgement", () => {
  it("a webhook is answered 200 only once its receipt committed: a commit that fails gets a 5xx (Meta retries) and stores nothing", async () => {
    // A deferred constraint trigger fails at COMMIT, after the insert itself succeeded.
    await q(`create function fail_receipt_commit() returns trigger language plpgsql as $$
      begin if new.correlation_id = 'fault-injected' then raise exception 'injected commit fault'; end if; return null; end $$`);
    await q(`create constraint trigger fail_receipt_commit after insert on inbound_receipts deferrable initially deferred for each row execute function fail_receipt_commit()`);
    try {
      const payload = waMessage({ id: id("fault"), from: sender(), text: "hello after a fault" });
      const before = (await q<{ n: number }>(`select count(*)::int as n from inbound_receipts`))[0]!.n;
      const failed = await post(payload, { "x-correlation-id": "fault-injected" });
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ error: { code: "unavailable" } });
      expect((await q<{ n: number }>(`select count(*)::int as n from inbound_receipts`))[0]!.n).toBe(before);

      // Meta's retry of the same bytes is stored, once; the next copy is a duplicate.
      expect(await post(payload)).toMatchObject({ status: 200, body: { received: 1 } });
      expect(await post(payload)).toMatchObject({ status: 200, body: { received: 0, duplicates: 1 } });
      await drainDueReceipts(h.deps);
      expect(await q(`select body from messages where external_id = $1`, [payload.entry[0]!.changes[0]!.value.messages[0]!.id])).toEqual([{ body: "hello after a fault" }]);
    } finally {
      await q(`drop trigger fail_receipt_commit on inbound_receipts`);
      await q(`drop function fail_receipt_commit()`);
    }
  });

  it("50 concurrent copies of one webhook: all 200, one receipt, one message", async () => {
    const payload = waMessage({ id: id("copies"), from: sender(), text: "just once" });
    const results = await Promise.all(Array.from({ length: 50 }, () => post(payload)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.filter((r) => r.body.received === 1)).toHaveLength(1);
    startEngine();
    startEngine();
    const wamid = payload.entry[0]!.changes[0]!.value.messages[0]!.id;
    await expect.poll(async () => (await q(`select id from messages where external_id = $1`, [wamid])).length, { timeout: 10_000 }).toBe(1);
    expect(await q(`select status, attempts from inbound_receipts where body_sha256 = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [JSON.stringify(payload)])).toEqual([{ status: "processed", attempts: 1 }]);
  });
});

describe("the cached channel directory", () => {
  it("a channel connected, disabled or re-enabled through the API takes effect on the very next webhook", async () => {
    const phone = "106540352243777";
    const secret = "directory-secret";
    const body = (text: string) => {
      const p = waMessage({ id: id("dir"), from: sender(), text });
      p.entry[0]!.changes[0]!.value.metadata.phone_number_id = phone;
      return p;
    };
    const send = async (text: string) => {
      const raw = JSON.stringify(body(text));
      const res = await handleWebhook(new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", body: raw, headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, secret) } }), "whatsapp", h.deps);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    // Unknown (and remembered as unknown for a few seconds)...
    expect((await send("before")).status).toBe(404);
    const admin = callerFor(h.deps, t.admin);
    const created = await admin.channels.create({ type: "whatsapp", name: "Directory", config: { phone_number_id: phone, access_token: "tok", app_secret: secret, verify_token: "dir-verify" } });
    // ...until a channel change makes every process forget.
    expect(await send("connected")).toMatchObject({ status: 200, body: { received: 1 } });
    await admin.channels.update({ id: created.id, enabled: false });
    expect(await send("while disabled")).toMatchObject({ status: 200, body: { received: 0, ignored: 1 } });
    await admin.channels.update({ id: created.id, enabled: true });
    expect(await send("enabled again")).toMatchObject({ status: 200, body: { received: 1 } });
    await admin.channels.update({ id: created.id, config: { app_secret: "rotated-secret" } });
    expect((await send("old secret")).status).toBe(401);
  });
});

describe("processing", () => {
  it("a receipt drained by two workers at once is processed once: one message, one event", async () => {
    const wamid = id("twice");
    const from = sender();
    expect((await post(waMessage({ id: wamid, from, text: "raced" }))).status).toBe(200);
    const lane = receiptLane(channelId, from);
    const a = createDb(h.database.url, { max: 4 });
    const b = createDb(h.database.url, { max: 4 });
    pools.push(a, b);
    const drains = await Promise.all([...Array.from({ length: 5 }, () => drainReceiptLane({ db: a.db }, lane)), ...Array.from({ length: 5 }, () => drainReceiptLane({ db: b.db }, lane))]);
    expect(drains.reduce((n, d) => n + d.processed, 0)).toBe(1);
    expect(drains.some((d) => !d.locked)).toBe(true); // the lane lock really was contended
    const [message] = await q<{ id: string }>(`select id from messages where external_id = $1`, [wamid]);
    expect(await q(`select type from automation_events where payload->>'message_id' = $1`, [message!.id])).toEqual([{ type: "message.ingested" }]);
  });

  it("one sender's burst is stored in arrival order while two workers run", async () => {
    startEngine();
    startEngine();
    const from = sender();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const wamid = id(`burst${i}`);
      ids.push(wamid);
      expect((await post(waMessage({ id: wamid, from, text: `part ${i}` }))).status).toBe(200);
    }
    await expect.poll(async () => (await q(`select 1 from messages m join contact_identities i on i.contact_id = (select contact_id from conversations where id = m.conversation_id) where i.external_id = $1`, [from])).length, { timeout: 20_000 }).toBe(60);
    const stored = await q<{ external_id: string }>(
      `select m.external_id from messages m join conversations c on c.id = m.conversation_id join contact_identities i on i.contact_id = c.contact_id where i.external_id = $1 order by m.created_at, m.id`,
      [from],
    );
    expect(stored.map((r) => r.external_id)).toEqual(ids);
  });

  it("a poison receipt is retried, then parked with its error; its sender waits meanwhile, every other sender flows", async () => {
    await q(`create function poison_message() returns trigger language plpgsql as $$
      begin if new.body = 'poison' then raise exception 'cannot store this one'; end if; return new; end $$`);
    await q(`create trigger poison_message before insert on messages for each row execute function poison_message()`);
    try {
      startEngine({ retryDelaysMs: [200, 200] });
      const victim = sender();
      const others = Array.from({ length: 5 }, () => sender());
      const poison = id("poison");
      const after = id("after-poison");
      await post(waMessage({ id: poison, from: victim, text: "poison" }));
      await post(waMessage({ id: after, from: victim, text: "sent after the poison" }));
      const fine = await Promise.all(others.map((from) => post(waMessage({ id: id("fine"), from, text: "all good" }))));
      expect(fine.every((r) => r.status === 200)).toBe(true);

      // Others are stored while the poison is still being retried; the victim's next message waits its turn.
      await expect.poll(async () => (await q(`select 1 from messages where body = 'all good' and tenant_id = $1`, [t.admin.tenantId])).length, { timeout: 10_000 }).toBe(5);
      expect(await q(`select 1 from messages where external_id = $1`, [after])).toEqual([]);

      await expect.poll(async () => (await q<{ status: string }>(`select status from inbound_receipts where last_error like '%cannot store this one%'`))[0]?.status, { timeout: 10_000 }).toBe("parked");
      const [parked] = await q<{ attempts: number; last_error: string }>(`select attempts, last_error from inbound_receipts where status = 'parked' and last_error like '%cannot store%'`);
      expect(parked!.attempts).toBe(3);
      expect(parked!.last_error).toContain("cannot store this one");
      // Parked, it no longer holds its sender back.
      await expect.poll(async () => (await q(`select 1 from messages where external_id = $1`, [after])).length, { timeout: 10_000 }).toBe(1);
      expect(await q(`select 1 from messages where external_id = $1`, [poison])).toEqual([]);
      expect((await q<{ n: number }>(`select count(*)::int as n from inbound_receipts where status = 'parked' and tenant_id = $1 and last_error like '%cannot store%'`, [t.admin.tenantId]))[0]!.n).toBe(1);
    } finally {
      await q(`drop trigger poison_message on messages`);
      await q(`drop function poison_message()`);
    }
  });
});
