import { createHmac, randomBytes } from "node:crypto";
import { registerTenant } from "@alfred/auth";
import { automationEnvSchema, automationSettingsFrom, liveChannel } from "@alfred/automation";
import { createRedis, EnvKeyRing, generateKeyRingEntry } from "@alfred/core";
import { createChannel } from "@alfred/crm";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, killAll, startWeb, startWorker, stopGracefully, waitForHttp, webBuildExists, type Proc } from "./lib/processes";
import { DrillRedis } from "./lib/redis-server";

/**
 * Two web replicas (the production build, `next start` twice) and a worker on one Postgres and one
 * Redis, as behind a load balancer: an agent signed in on web A has the inbox's live feed open (the
 * tRPC subscription over SSE) and sees a message that a provider posted to web B. Both replicas
 * share the session secret, and Redis pub/sub carries the event across.
 */

const KEYRING = generateKeyRingEntry("scale");
const PREFIX = `{alfred_scale_${randomBytes(4).toString("hex")}}`;
const PHONE_NUMBER_ID = "900000000000888";
const APP_SECRET = "scale-app-secret";
const AGENT = { email: "scale-agent@example.test", password: "scale-password-123" };

let db: TestDatabase;
let redis: DrillRedis;
const procs: Proc[] = [];
let webA: string;
let webB: string;
let tenantId: string;

/** Signs in through next-auth's credentials flow, as the login form does; returns the session cookie. */
async function signIn(base: string): Promise<string> {
  const cookies = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies(csrf).join("; ") },
    body: new URLSearchParams({ csrfToken, email: AGENT.email, password: AGENT.password, json: "true" }),
  });
  const session = cookies(res).find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in on ${base} gave no session cookie (${res.status})`);
  return session;
}

/** Opens the live feed (`live.events`, SSE) on `base`; collects every data line it receives. */
async function openLiveFeed(base: string, cookie: string): Promise<{ lines: string[]; close(): void }> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/trpc/live.events`, { headers: { cookie, accept: "text/event-stream" }, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const lines: string[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true });
        const parts = pending.split("\n");
        pending = parts.pop() ?? "";
        for (const line of parts) if (line.startsWith("data:")) lines.push(line.slice(5).trim());
      }
    } catch {
      // closed by the test
    }
  })();
  return { lines, close: () => controller.abort() };
}

beforeAll(async () => {
  if (!webBuildExists()) throw new Error("the scale-out drill serves the production build: run `NODE_ENV=production pnpm build` first");
  db = await createTestDatabase();
  redis = await DrillRedis.start();
  const keys = new EnvKeyRing(KEYRING);
  const settings = automationSettingsFrom(automationEnvSchema.parse({}));
  const admin = await registerTenant(db.db, { ...AGENT, name: "Scale Agent", tenantName: "Scale Co" });
  tenantId = admin.tenantId;
  await createChannel(db.db, keys, settings, admin.tenantId, { type: "whatsapp", name: "Scale WhatsApp", config: { phone_number_id: PHONE_NUMBER_ID, access_token: "t", app_secret: APP_SECRET, verify_token: "scale-verify" } });

  const [portA, portB] = [await freePort(), await freePort()];
  [webA, webB] = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
  // What replicas share: the database, Redis and its prefix, and every secret.
  const shared = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: PREFIX,
    NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
    AUTH_JWT_SECRET: randomBytes(32).toString("hex"),
    AUTOMATION_ENCRYPTION_KEYS: KEYRING,
    LOG_LEVEL: "warn",
  };
  const a = startWeb("web-a", portA, { ...shared, NEXTAUTH_URL: webA });
  const b = startWeb("web-b", portB, { ...shared, NEXTAUTH_URL: webB });
  const worker = startWorker("worker", { ...shared, WORKER_HTTP_PORT: "0" });
  procs.push(a, b, worker);
  await Promise.all([waitForHttp(`${webA}/api/health`, a), waitForHttp(`${webB}/api/health`, b)]);
}, 180_000);

afterAll(async () => {
  await Promise.all(procs.map((p) => stopGracefully(p)));
  killAll();
  await redis?.down();
  await db?.destroy();
});

describe("scale-out: two web replicas", () => {
  it("an agent's live feed on web A sees a message ingested through web B", async () => {
    const feed = await openLiveFeed(webA, await signIn(webA));
    try {
      const text = `hello from replica B ${randomBytes(3).toString("hex")}`;
      const body = JSON.stringify({
        object: "whatsapp_business_account",
        entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1555", phone_number_id: PHONE_NUMBER_ID }, contacts: [{ profile: { name: "Across" }, wa_id: "15550002222" }], messages: [{ from: "15550002222", id: `wamid.scale-${randomBytes(6).toString("hex")}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }] } }] }],
      });
      // Web A has subscribed in Redis (SUBSCRIBE acknowledged) before anything is published.
      const probe = createRedis(redis.url, "client");
      try {
        await expect.poll(async () => ((await probe.pubsub("NUMSUB", liveChannel(PREFIX, tenantId))) as [string, number])[1], { timeout: 20_000, interval: 100 }).toBe(1);
      } finally {
        probe.disconnect();
      }
      const posted = await fetch(`${webB}/api/v1/webhooks/whatsapp`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}` }, body });
      expect(posted.status).toBe(200);
      await expect.poll(() => feed.lines.some((l) => l.includes('"message.created"')), { timeout: 60_000, interval: 200 }).toBe(true);
      const event = JSON.parse(feed.lines.find((l) => l.includes('"message.created"'))!) as Record<string, unknown>;
      expect(JSON.stringify(event)).toContain('"direction":"in"');
    } finally {
      feed.close();
    }
  }, 120_000);
});
