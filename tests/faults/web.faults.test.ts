import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { registerTenant } from "@alfred/auth";
import { alfredSignature, automationEnvSchema, automationSettingsFrom, createDestination } from "@alfred/automation";
import { EnvKeyRing, generateKeyRingEntry } from "@alfred/core";
import { createChannel } from "@alfred/crm";
import { createDb, eq, schema, sql, type DbHandle } from "@alfred/db";
import { ensureDatabase, runMigrations } from "@alfred/db/migrate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, killAll, sleep, startWeb, startWorker, stopGracefully, waitForHttp, webBuildExists, type Proc } from "./lib/processes";
import { DrillPostgres } from "./lib/postgres-cluster";
import { DrillRedis } from "./lib/redis-server";

/**
 * Drills on the web app (`next start`, the production build) and a worker, against a Postgres
 * cluster of the drill's own, which it stops and starts: while Postgres is down the API answers 503
 * with a clear error, it recovers without a restart, and nothing is half-written. Then 500 identical
 * signed webhooks and 500 identical signed callbacks at once: exactly one effect each.
 */

const { messages, tasks, automationEvents, automationCallbackEvents } = schema;
const KEYRING = generateKeyRingEntry("drill");
const PREFIX = `alfred_drill_web_${randomBytes(4).toString("hex")}`;
const PHONE_NUMBER_ID = "900000000000777";
const APP_SECRET = "drill-app-secret";
const EMAIL = "drill-admin@example.test";
const PASSWORD = "drill-password-123";

let pg: DrillPostgres;
let redis: DrillRedis;
let db: DbHandle;
let web: Proc;
let worker: Proc;
let base: string;
let token: string;
let tenantId: string;
let callbackDestination: { id: string; secret: string };

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

const answer = async (r: Response) => ({ status: r.status, text: await r.text() });
/**
 * A connection reset before any answer (500 sockets at once on a loaded machine): status 0. The
 * sender sees a network error and retries, as Meta and Activepieces do; it is counted, not hidden.
 */
const noAnswer = (err: Error) => ({ status: 0, text: String((err.cause as Error | undefined)?.message ?? err.message) });

/** Answers by HTTP status (Object.groupBy is Node 21+). */
function groupByStatus<T extends { status: number }>(answers: T[]): Record<string, T[]> {
  const groups: Record<string, T[]> = {};
  for (const a of answers) (groups[String(a.status)] ??= []).push(a);
  return groups;
}

/** Nothing an attacker or a customer may see: no stack frame, no SQL, no driver message. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|Failed query|select .* from|insert into|ECONNREFUSED|Connection terminated/i);
}

beforeAll(async () => {
  if (!webBuildExists()) throw new Error("the web drills serve the production build: run `NODE_ENV=production pnpm build` first");
  pg = await DrillPostgres.create();
  redis = await DrillRedis.start();
  const url = pg.url("alfred");
  await ensureDatabase(url);
  await runMigrations(url);
  db = createDb(url, { max: 10, applicationName: "alfred-drill" });
  const keys = new EnvKeyRing(KEYRING);
  const settings = automationSettingsFrom(automationEnvSchema.parse({ EGRESS_ALLOWLIST: "127.0.0.1:9" }));
  const admin = await registerTenant(db.db, { email: EMAIL, password: PASSWORD, name: "Drill Admin", tenantName: "Drill Web Co" });
  tenantId = admin.tenantId;
  await createChannel(db.db, keys, settings, tenantId, { type: "whatsapp", name: "Drill WhatsApp", config: { phone_number_id: PHONE_NUMBER_ID, access_token: "t", app_secret: APP_SECRET, verify_token: "drill-verify" } });
  const destination = await createDestination({ db: db.db, keys, settings }, tenantId, { name: "drill callbacks", url: "http://127.0.0.1:9/callback-only", event_types: [] });
  callbackDestination = { id: destination.id, secret: destination.secret };

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: PREFIX,
    NEXTAUTH_URL: base,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    AUTH_JWT_SECRET: randomBytes(32).toString("hex"),
    AUTOMATION_ENCRYPTION_KEYS: KEYRING,
    WORKER_HTTP_PORT: "0",
    LOG_LEVEL: "warn",
  };
  web = startWeb("web", port, env);
  worker = startWorker("worker", env);
  await waitForHttp(`${base}/api/health`, web);
  const login = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { access_token: string }).access_token;
}, 180_000);

afterAll(async () => {
  await Promise.all([web, worker].map((p) => (p ? stopGracefully(p) : null)));
  killAll();
  await db?.close();
  pg?.destroy();
  await redis?.down();
});

describe("fault drills: web", () => {
  it("Postgres stopped under a stream of writes: 503 with a clear error while down, back without a restart, nothing half-written", async () => {
    expect((await api("GET", "/tasks")).status).toBe(200);
    const webPid = web.child.pid;

    // Writers keep creating tasks through the API the whole time (each: a task and its outbox event, one transaction).
    const results: { status: number; text: string; title: string }[] = [];
    let writing = true;
    const writer = async (n: number) => {
      for (let i = 0; writing; i++) {
        const title = `drill-${n}-${i}`;
        const res = await api("POST", "/tasks", { title }).catch((err: Error) => ({ status: 0, text: err.message }));
        results.push({ status: res.status, text: res.text, title });
        await sleep(30);
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map(writer));
    await sleep(1_500);

    pg.stop("fast");
    await sleep(500);
    const down = await api("GET", "/tasks");
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toEqual({ error: { code: "unavailable", message: "the database is unavailable right now; nothing was changed, retry shortly", correlation_id: expect.any(String) } });
    expect(down.headers.get("retry-after")).toBe("5");
    expectNoInternals(down.text);
    // Readiness names the part that is down; liveness stays up (restarting the process would not help).
    const ready = await fetch(`${base}/api/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(await ready.text())).toMatchObject({ status: "not_ready", db: "down", redis: "ok" });
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    await sleep(2_000);

    pg.start();
    // The same process recovers: its pool reconnects on the next request.
    await expect.poll(async () => (await api("GET", "/tasks")).status, { timeout: 60_000, interval: 500 }).toBe(200);
    await sleep(1_000);
    writing = false;
    await writers;
    expect(web.child.pid).toBe(webPid);
    expect(web.alive()).toBe(true);

    const byStatus = groupByStatus(results);
    console.warn(`[drill] Postgres restart under ${results.length} task writes: ${Object.entries(byStatus).map(([s, rs]) => `${rs!.length} x ${s}`).join(", ")}`);
    expect(Object.keys(byStatus).sort()).toEqual(["201", "503"]);
    for (const r of byStatus["503"]!) {
      expect(JSON.parse(r.text)).toMatchObject({ error: { code: "unavailable" } });
      expectNoInternals(r.text);
    }
    // Every acknowledged write is there; and every task there has its outbox event (same transaction).
    const stored = await db.db.select({ id: tasks.id, title: tasks.title }).from(tasks).where(sql`${tasks.title} like 'drill-%'`);
    const storedTitles = new Set(stored.map((t) => t.title));
    for (const r of byStatus["201"]!) expect(storedTitles.has(r.title)).toBe(true);
    const events = await db.db.select({ source: automationEvents.sourceEventId }).from(automationEvents).where(eq(automationEvents.type, "task.created"));
    const eventSources = new Set(events.map((e) => e.source));
    for (const t of stored) expect(eventSources.has(`task.created:${t.id}`)).toBe(true);
  }, 180_000);

  it("500 identical signed webhooks at once store one message; 500 identical signed callbacks at once create one task", async () => {
    const wamid = `wamid.drill-${randomBytes(6).toString("hex")}`;
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1555", phone_number_id: PHONE_NUMBER_ID }, contacts: [{ profile: { name: "Dup" }, wa_id: "15550001111" }], messages: [{ from: "15550001111", id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "sent 500 times" } }] } }] }],
    });
    const signature = `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`;
    const webhooks = await Promise.all(
      Array.from({ length: 500 }, () =>
        fetch(`${base}/api/v1/webhooks/whatsapp`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body, signal: AbortSignal.timeout(120_000) }).then(answer, noAnswer),
      ),
    );
    const webhookStatuses = groupByStatus(webhooks);
    console.warn(`[drill] 500 identical webhooks: ${Object.entries(webhookStatuses).map(([s, rs]) => `${rs!.length} x ${s}`).join(", ")}`);
    // A 503 is allowed (nothing stored, the provider retries); a 5xx of any other kind is not.
    expect(Object.keys(webhookStatuses).filter((s) => s !== "200" && s !== "503" && s !== "0")).toEqual([]);
    expect(webhookStatuses["200"]?.length ?? 0).toBeGreaterThan(0);
    await expect.poll(async () => (await db.db.select({ id: messages.id }).from(messages).where(eq(messages.externalId, wamid))).length, { timeout: 60_000, interval: 250 }).toBe(1);

    const eventId = randomUUID();
    const callbackBody = JSON.stringify({ tenant_id: tenantId, event_id: eventId, action: "create_task", params: { title: `callback-${eventId}` } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      "content-type": "application/json",
      "x-alfred-destination-id": callbackDestination.id,
      "x-alfred-tenant-id": tenantId,
      "x-alfred-event-id": eventId,
      "x-alfred-timestamp": timestamp,
      "x-alfred-signature": `sha256=${alfredSignature(callbackDestination.secret, timestamp, eventId, tenantId, callbackBody)}`,
    };
    const callbacks = await Promise.all(
      Array.from({ length: 500 }, () =>
        fetch(`${base}/api/v1/automations/callbacks`, { method: "POST", headers, body: callbackBody, signal: AbortSignal.timeout(120_000) }).then(answer, noAnswer),
      ),
    );
    const callbackStatuses = groupByStatus(callbacks);
    console.warn(`[drill] 500 identical callbacks: ${Object.entries(callbackStatuses).map(([s, rs]) => `${rs!.length} x ${s}`).join(", ")}`);
    // One executes; the others replay its answer, or are told it is still in progress (409); none fails.
    const failures = web.logs.filter((l) => l.msg === "callback failed").map((l) => JSON.stringify(l.err).slice(0, 600));
    expect(Object.keys(callbackStatuses).filter((s) => s !== "200" && s !== "409" && s !== "503" && s !== "0"), failures.join("\n")).toEqual([]);
    for (const r of callbacks) expectNoInternals(r.text);
    const created = await db.db.select({ id: tasks.id }).from(tasks).where(eq(tasks.title, `callback-${eventId}`));
    expect(created).toHaveLength(1);
    const recorded = await db.db.select({ id: automationCallbackEvents.id }).from(automationCallbackEvents).where(sql`${automationCallbackEvents.eventId} = ${eventId}`);
    expect(recorded).toHaveLength(1);
  }, 240_000);
});
