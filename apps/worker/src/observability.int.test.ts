import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalDiskStorage } from "@alfred/storage";
import { randomBytes } from "node:crypto";
import { assembleApiDeps, handleCallback, handleMetricsScrape, handleWebhook, type ApiDeps } from "@alfred/api";
import { handleRestRequest } from "@alfred/api/rest";
import { automationEnvSchema, automationSettingsFrom, createDestination } from "@alfred/automation";
import { startSink, type Sink } from "@alfred/automation/testing";
import { signSha256Header } from "@alfred/channels";
import { createLogger, createRedis, generateKeyRingEntry } from "@alfred/core";
import { createChannel } from "@alfred/crm";
import { schema } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deleteKeys, TestProcesses, type RunningWorker } from "./testing/processes";

/**
 * One webhook followed end to end, the way an operator would: its correlation id on the webhook's
 * answer, on the worker's log lines for its receipt and its delivery, and on the delivery request
 * the destination receives; and the Prometheus series of both processes moved by that traffic.
 * The web side runs in this process (its handlers), the worker as a real process.
 */

const REDIS_URL = "redis://127.0.0.1:6379";
const PREFIX = `alfred_test_wobs_${randomBytes(4).toString("hex")}`;
const KEYRING = generateKeyRingEntry("ob");
const METRICS_TOKEN = randomBytes(24).toString("hex");
const WA_PHONE = "106540352249911";
const WA_SECRET = "wa-app-secret-observability";
const processes = new TestProcesses();

let db: TestDatabase;
let redis: Redis;
let deps: ApiDeps;
let sink: Sink;
let tenantId: string;
let worker: RunningWorker;

function automationEnv(): Record<string, string> {
  return { AUTOMATION_ENCRYPTION_KEYS: KEYRING, EGRESS_ALLOWLIST: `127.0.0.1:${sink.port}`, AUTOMATION_DELIVERY_TIMEOUT_MS: "3000" };
}

function whatsappWebhook(correlationId: string, messageId: string): Request {
  const raw = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: WA_PHONE }, contacts: [{ profile: { name: "Obs" }, wa_id: "15550001111" }], messages: [{ from: "15550001111", id: messageId, timestamp: "1749416383", type: "text", text: { body: "hello" } }] } }] }],
  });
  return new Request("http://alfred.test/api/v1/webhooks/whatsapp", {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, WA_SECRET), "x-correlation-id": correlationId },
    body: raw,
  });
}

/** Prometheus text -> value of the one series matching `name` and every label in `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

async function scrapeWorker(authorization?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${worker.port}/metrics`, { headers: authorization ? { authorization } : {} });
}

beforeAll(async () => {
  db = await createTestDatabase();
  sink = await startSink();
  redis = createRedis(REDIS_URL, "client");
  deps = assembleApiDeps({
    db: db.db,
    redis,
    logger: createLogger("obs-test", "silent"),
    prefix: PREFIX,
    storage: new LocalDiskStorage(mkdtempSync(path.join(tmpdir(), "alfred-obs-storage-"))),
    jwtSecret: randomBytes(32).toString("hex"),
    keyRing: KEYRING,
    automation: automationSettingsFrom(automationEnvSchema.parse(automationEnv())),
  });
  const [tenant] = await db.db.insert(schema.tenants).values({ name: "Observability Co" }).returning();
  tenantId = tenant!.id;
  await createChannel(db.db, deps.keys, deps.automation, tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: WA_PHONE, access_token: "wa-token", app_secret: WA_SECRET, verify_token: "wa-verify" } });
  await createDestination({ db: db.db, keys: deps.keys, settings: deps.automation }, tenantId, { name: "sink", url: sink.url, event_types: ["message.ingested"] });
  worker = await processes.spawnWorker({ DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: PREFIX, LOG_LEVEL: "debug", METRICS_TOKEN, ...automationEnv() });
  await vi.waitFor(() => expect(worker.logs.some((l) => l.msg === "worker started")).toBe(true), { timeout: 30_000, interval: 100 });
}, 60_000);

afterAll(async () => {
  processes.killAll();
  await deleteKeys(redis, `${PREFIX}*`);
  await deps.producer.close();
  redis.disconnect();
  await sink.close();
  await db.destroy();
});

describe("observability, one webhook end to end", () => {
  const correlationId = `obs-${randomBytes(6).toString("hex")}`;

  it("carries the webhook's correlation id to the worker's log lines and the delivery request", async () => {
    const res = await handleWebhook(whatsappWebhook(correlationId, "wamid.obs.1"), "whatsapp", deps);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-correlation-id")).toBe(correlationId);

    await expect.poll(() => sink.requests.length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(1);
    expect(sink.requests[0]!.headers["x-correlation-id"]).toBe(correlationId);

    const lines = () => worker.logs.filter((l) => l.correlation_id === correlationId).map((l) => l.msg);
    await expect.poll(lines, { timeout: 15_000, interval: 100 }).toEqual(expect.arrayContaining(["receipt processed", "delivery attempt succeeded"]));
  });

  it("answers with a new id when the caller's is not a sane token", async () => {
    const res = await handleWebhook(whatsappWebhook("bad id with spaces", "wamid.obs.2"), "whatsapp", deps);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
    const long = await handleWebhook(whatsappWebhook("x".repeat(129), "wamid.obs.3"), "whatsapp", deps);
    expect(long.headers.get("x-correlation-id")).not.toBe("x".repeat(129));
  });

  it("web metrics: protected by the bearer token, moved by the traffic above", async () => {
    const scrape = (authorization?: string, token: string | null = METRICS_TOKEN) =>
      handleMetricsScrape(new Request("http://alfred.test/api/metrics", { headers: authorization ? { authorization } : {} }), token ?? undefined);
    // No token configured: the endpoint does not exist, whatever the caller sends.
    expect((await scrape(undefined, null)).status).toBe(404);
    expect((await scrape(`Bearer ${METRICS_TOKEN}`, null)).status).toBe(404);
    expect((await scrape()).status).toBe(401);
    expect((await scrape("Bearer not-the-token")).status).toBe(401);

    // A REST call with an id in its path, and a callback with a bad signature.
    const contactPath = `/contacts/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`;
    expect((await handleRestRequest(new Request(`http://alfred.test/api/v1${contactPath}`), contactPath, deps)).status).toBe(401);
    const callback = await handleCallback(new Request("http://alfred.test/api/v1/automations/callbacks", { method: "POST", body: "{}", headers: { "x-alfred-destination-id": "nope" } }), deps);
    expect(callback.status).toBe(401);

    const res = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(sample(text, "alfred_webhook_ingests_total", { channel: "whatsapp", outcome: "stored" })).toBe(3);
    expect(sample(text, "alfred_receipts_stored_total", { channel: "whatsapp" })).toBe(3);
    expect(sample(text, "alfred_http_request_duration_seconds_count", { route: "/api/v1/webhooks/{channel_type}", method: "POST", status: "200" })).toBe(3);
    // Route templates, never raw paths: the contact id is not a label value.
    expect(sample(text, "alfred_http_request_duration_seconds_count", { route: "/api/v1/contacts/{id}", method: "GET", status: "401" })).toBe(1);
    expect(text).not.toContain(contactPath);
    expect(sample(text, "alfred_callbacks_total", { action: "unknown", code: "invalid_signature" })).toBe(1);
  });

  it("worker metrics: on its own port, protected, moved by the delivery", async () => {
    expect((await scrapeWorker()).status).toBe(401);
    expect((await scrapeWorker("Bearer wrong-token-wrong-token")).status).toBe(401);
    await expect.poll(() => sink.requests.length, { timeout: 30_000, interval: 100 }).toBe(3);
    const read = async () => (await scrapeWorker(`Bearer ${METRICS_TOKEN}`)).text();
    await expect.poll(async () => sample(await read(), "alfred_deliveries_total", { tenant_id: tenantId, outcome: "delivered" }), { timeout: 15_000, interval: 200 }).toBe(3);
    const text = await read();
    expect(sample(text, "alfred_delivery_attempts_total", { tenant_id: tenantId, outcome: "success" })).toBe(3);
    expect(sample(text, "alfred_delivery_latency_seconds_count")).toBe(3);
    expect(sample(text, "alfred_receipts_done_total", { outcome: "processed" })).toBe(3);
    expect(sample(text, "alfred_receipt_ack_to_visible_seconds_count")).toBe(3);
    // Queue gauges are read at scrape time: the Postgres queues are drained, the BullMQ ones reported.
    for (const queue of ["deliveries", "receipts"]) {
      expect(sample(text, "alfred_queue_jobs", { queue, state: "waiting" }), queue).toBe(0);
      expect(sample(text, "alfred_queue_oldest_job_age_seconds", { queue }), queue).toBe(0);
    }
    for (const queue of ["channel-sends", "maintenance"]) {
      expect(sample(text, "alfred_queue_jobs", { queue, state: "delayed" }), queue).toBeTypeOf("number");
      expect(sample(text, "alfred_queue_oldest_job_age_seconds", { queue }), queue).toBeTypeOf("number");
    }
    expect(sample(text, "process_cpu_user_seconds_total", { service: "worker" })).toBeGreaterThan(0);
  });
});
