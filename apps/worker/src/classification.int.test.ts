import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleWebhook } from "@alfred/api";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "@alfred/api/testing";
import { signSha256Header } from "@alfred/channels";
import { generateKeyRingEntry } from "@alfred/core";
import { createChannel } from "@alfred/crm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestProcesses, type RunningWorker } from "./testing/processes";

/**
 * Inbound classification end to end: a signed WhatsApp webhook through the real intake, the real
 * worker process draining the receipt and classifying the stored message in its own job, the lead
 * score and its event, ai_events, and what the messages API returns. Then a worker whose model
 * provider fails: the message is still stored, the failure is in ai_events, nothing else moves.
 */

const PHONE = "106540352249901";
const SECRET = "classification-app-secret";
const API_KEY = "sk-test-never-logged-4f9a";
const processes = new TestProcesses();

let h: ApiHarness;
let t: TenantFixture;
let worker: RunningWorker | null = null;

/** A chat-completions server that always fails, and what it was sent. */
let model: Server;
let modelPort: number;
const modelRequests: IncomingHttpHeaders[] = [];

const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await h.database.pool.query(text, params)).rows as T[];

async function spawnWorker(env: Record<string, string> = {}): Promise<RunningWorker> {
  const spawned = await processes.spawnWorker({ DATABASE_URL: h.database.url, REDIS_URL: "redis://127.0.0.1:6379", QUEUE_PREFIX: h.prefix, AUTOMATION_ENCRYPTION_KEYS: generateKeyRingEntry("cl"), ...env });
  await expect.poll(() => spawned.logs.some((l) => l.msg === "worker started"), { timeout: 30_000, interval: 100 }).toBe(true);
  return spawned;
}

async function stopWorker(): Promise<void> {
  if (!worker) return;
  worker.child.kill("SIGTERM");
  await worker.exit;
  worker = null;
}

let sequence = 0;
/** Posts a signed WhatsApp text message through the webhook intake, as Meta would. */
async function receive(from: string, text: string): Promise<string> {
  const wamid = `wamid.classify.${++sequence}.${Date.now()}`;
  const raw = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1555", phone_number_id: PHONE }, contacts: [{ profile: { name: `Cliente ${from}` }, wa_id: from }], messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }] } }] }],
  });
  const res = await handleWebhook(new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", body: raw, headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, SECRET) } }), "whatsapp", h.deps);
  expect(res.status).toBe(200);
  return wamid;
}

const messageRow = async (wamid: string) => (await q<{ id: string; conversation_id: string; ai_classification: Record<string, unknown> | null }>(`select id, conversation_id, ai_classification from messages where external_id = $1`, [wamid]))[0];
const classified = (wamid: string) => expect.poll(async () => (await messageRow(wamid))?.ai_classification ?? null, { timeout: 30_000, interval: 100 }).not.toBeNull();

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Classificação Ltda");
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: PHONE, access_token: "tok", app_secret: SECRET, verify_token: "v" } });
  model = createServer((req, res) => {
    modelRequests.push(req.headers);
    req.resume();
    req.on("end", () => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "model overloaded" } }));
    });
  });
  await new Promise<void>((resolve) => model.listen(0, "127.0.0.1", resolve));
  modelPort = (model.address() as AddressInfo).port;
});

afterAll(async () => {
  processes.killAll();
  await new Promise((resolve) => model.close(resolve));
  await h.close();
});

describe("classification on ingest (local heuristic)", () => {
  it("classifies Portuguese messages in the worker, moves the lead score and records lead.score_changed only when it moves", async () => {
    worker = await spawnWorker();
    const customer = "5585986800001";

    const price = await receive(customer, "quanto custa o plano?");
    await classified(price);
    const priceRow = (await messageRow(price))!;
    expect(priceRow.ai_classification).toMatchObject({ intent: "purchase_intent", sentiment: "neutral", language: "pt", provider: "local", provider_label: "local heuristic" });
    const [contact] = await q<{ contact_id: string }>(`select contact_id from conversations where id = $1`, [priceRow.conversation_id]);
    const contactId = contact!.contact_id;
    const scoreEvents = () => q<{ payload: unknown }>(`select payload from automation_events where type = 'lead.score_changed' and payload->>'contact_id' = $1 order by created_at`, [contactId]);
    expect(await scoreEvents()).toEqual([{ payload: { contact_id: contactId, previous_score: 0, score: 20 } }]);

    // Nothing a score counts: classified, but no score change and no event.
    const ok = await receive(customer, "ok");
    await classified(ok);
    expect((await messageRow(ok))!.ai_classification).toMatchObject({ intent: "other", sentiment: "neutral" });
    expect(await scoreEvents()).toHaveLength(1);

    const complaint = await receive(customer, "péssimo atendimento");
    await classified(complaint);
    expect((await messageRow(complaint))!.ai_classification).toMatchObject({ intent: "complaint", sentiment: "negative", language: "pt", provider: "local" });
    expect((await scoreEvents()).map((e) => e.payload)).toEqual([
      { contact_id: contactId, previous_score: 0, score: 20 },
      { contact_id: contactId, previous_score: 20, score: 5 },
    ]);
    expect(await q(`select lead_score from contacts where id = $1`, [contactId])).toEqual([{ lead_score: 5 }]);

    // One ai_events row per provider call: sizes and outcome, no text.
    const calls = await q(`select purpose, provider, model, outcome, error_kind, input_chars, message_id from ai_events where tenant_id = $1 order by created_at`, [t.admin.tenantId]);
    expect(calls).toEqual(
      [price, ok, complaint].map((wamid, i) => ({ purpose: "classify", provider: "local", model: null, outcome: "ok", error_kind: null, input_chars: ["quanto custa o plano?", "ok", "péssimo atendimento"][i]!.length, message_id: expect.any(String) })),
    );
    expect(JSON.stringify(await q(`select * from ai_events`))).not.toMatch(/custa|péssimo/);

    // The messages API, tRPC and REST, returns the classification.
    const page = await callerFor(h.deps, t.agent).conversations.timeline({ id: priceRow.conversation_id });
    const byId = new Map(page.items.map((item) => [item.id, item]));
    expect(byId.get(priceRow.id)!.classification).toEqual({ intent: "purchase_intent", sentiment: "neutral", language: "pt", provider: "local", provider_label: "local heuristic", confidence: expect.any(Number) });
    const res = await rest(h.deps, "GET", `/conversations/${priceRow.conversation_id}/messages`, { token: await accessTokenFor(h.deps, t.agent) });
    expect(res.status).toBe(200);
    const complaintItem = res.body.items.find((item: { external_id: string }) => item.external_id === complaint);
    expect(complaintItem.classification).toMatchObject({ intent: "complaint", sentiment: "negative", language: "pt", provider: "local", provider_label: "local heuristic" });
    // Notes are never classified.
    await callerFor(h.deps, t.agent).conversations.addComment({ id: priceRow.conversation_id, body: "VIP" });
    const withNote = await callerFor(h.deps, t.agent).conversations.timeline({ id: priceRow.conversation_id });
    expect(withNote.items.find((item) => item.kind === "comment")!.classification).toBeNull();
    await stopWorker();
  }, 120_000);
});

describe("classification when the model provider fails", () => {
  it("stores the message anyway, records the failed call in ai_events and changes no score", async () => {
    worker = await spawnWorker({ AI_BASE_URL: `http://127.0.0.1:${modelPort}/v1`, AI_MODEL: "test-model", AI_API_KEY: API_KEY, AI_TIMEOUT_MS: "2000", EGRESS_ALLOWLIST: `127.0.0.1:${modelPort}` });
    expect(worker.logs.find((l) => l.msg === "worker started")).toMatchObject({ ai_provider: "openai_compatible", ai_model: "test-model" });
    const customer = "5585986800002";
    const wamid = await receive(customer, "quero comprar dois planos");

    await expect.poll(() => q(`select outcome, error_kind, provider, model, purpose from ai_events where outcome = 'error'`), { timeout: 60_000, interval: 200 }).toEqual([
      { outcome: "error", error_kind: "http_status", provider: "openai_compatible", model: "test-model", purpose: "classify" },
    ]);
    // The model was really asked, with the key; the key and the text are nowhere else.
    expect(modelRequests.at(-1)!.authorization).toBe(`Bearer ${API_KEY}`);
    const row = (await messageRow(wamid))!;
    expect(row.ai_classification).toBeNull();
    const [contact] = await q<{ contact_id: string }>(`select contact_id from conversations where id = $1`, [row.conversation_id]);
    expect(await q(`select lead_score from contacts where id = $1`, [contact!.contact_id])).toEqual([{ lead_score: 0 }]);
    expect(await q(`select id from automation_events where type = 'lead.score_changed' and payload->>'contact_id' = $1`, [contact!.contact_id])).toEqual([]);
    const page = await callerFor(h.deps, t.agent).conversations.timeline({ id: row.conversation_id });
    expect(page.items.find((item) => item.id === row.id)).toMatchObject({ body: "quero comprar dois planos", classification: null });
    const everything = JSON.stringify(await q(`select * from ai_events`)) + JSON.stringify(worker.logs) + worker.stderr();
    expect(everything).not.toContain(API_KEY);
    expect(JSON.stringify(await q(`select * from ai_events`))).not.toContain("quero comprar");
    await stopWorker();
  }, 120_000);
});
