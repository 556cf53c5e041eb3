import { createHmac } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { DEMO } from "./helpers";

/** The REST surface through the real Next server: routing, error envelope, aliases, handshakes. */
async function adminToken(request: APIRequestContext): Promise<string> {
  const login = await request.post("/api/v1/auth/login", { data: DEMO.admin });
  expect(login.status()).toBe(200);
  return (await login.json()).access_token;
}

test("liveness answers; readiness names Postgres, Redis and the migrations", async ({ request }) => {
  const live = await request.get("/api/health");
  expect(live.status()).toBe(200);
  expect(await live.json()).toEqual({ status: "ok" });
  const ready = await request.get("/api/ready", { headers: { "x-correlation-id": "e2e-ready-1" } });
  expect(ready.status()).toBe(200);
  expect(ready.headers()["x-correlation-id"]).toBe("e2e-ready-1");
  expect(await ready.json()).toEqual({ status: "ready", db: "ok", redis: "ok", migrations: "ok" });
});

test("web and worker metrics need the bearer token and report real traffic", async ({ request }) => {
  const token = "e2e-metrics-token-0123456789"; // scripts/e2e-server.mjs
  expect((await request.get("/api/metrics")).status()).toBe(401);
  expect((await request.get("/api/metrics", { headers: { authorization: "Bearer not-the-token" } })).status()).toBe(401);
  await request.get("/api/ready");
  const web = await request.get("/api/metrics", { headers: { authorization: `Bearer ${token}` } });
  expect(web.status()).toBe(200);
  const text = await web.text();
  expect(text).toMatch(/alfred_http_request_duration_seconds_count\{route="\/api\/ready",method="GET",status="200"\} \d+/);
  expect(text).toContain('process_cpu_user_seconds_total{service="web"}');
  const workerPort = Number(new URL(test.info().project.use.baseURL!).port) + 1;
  const worker = await request.get(`http://127.0.0.1:${workerPort}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(worker.status()).toBe(200);
  expect(await worker.text()).toContain('alfred_queue_jobs{queue="deliveries",state="waiting"}');
});

test("the OpenAPI document is served and the reference page renders it", async ({ request, page }) => {
  const res = await request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const doc = await res.json();
  expect(doc.openapi).toMatch(/^3\./);
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/auth/login", "/conversations", "/automations/destinations", "/automations/deliveries"]));
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { name: "Alfred API" })).toBeVisible();
  await expect(page.getByText("/api/v1/auth/register")).toBeVisible();
});

test("REST errors use the envelope and echo the correlation id", async ({ request }) => {
  const res = await request.get("/api/v1/me", { headers: { "x-correlation-id": "e2e-trace-1" } });
  expect(res.status()).toBe(401);
  expect(res.headers()["x-correlation-id"]).toBe("e2e-trace-1");
  expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String), correlation_id: "e2e-trace-1" } });
  const invalid = await request.post("/api/v1/auth/register", { data: { email: "nope" } });
  expect(invalid.status()).toBe(422);
  expect((await invalid.json()).error.code).toBe("validation_error");
});

test("the /v1/automations alias serves destinations and callbacks; nothing else exists under /v1", async ({ request }) => {
  const token = await adminToken(request);
  const headers = { authorization: `Bearer ${token}` };
  const viaAlias = await request.get("/v1/automations/destinations", { headers });
  const viaApi = await request.get("/api/v1/automations/destinations", { headers });
  expect(viaAlias.status()).toBe(200);
  expect(await viaAlias.json()).toEqual(await viaApi.json());
  expect((await request.get("/v1/users", { headers })).status()).toBe(404);

  const callback = await request.post("/v1/automations/callbacks", {
    headers: { "x-alfred-destination-id": "00000000-0000-4000-8000-000000000000", "x-alfred-signature": "sha256=00", "content-type": "application/json" },
    data: "{}",
  });
  expect(callback.status()).toBe(401);
  expect((await callback.json()).error.code).toBe("invalid_signature");
});

test("Meta's webhook handshake and a signed WhatsApp webhook through the real route", async ({ request }) => {
  const ok = await request.get("/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=alfred-demo-verify&hub.challenge=1158201444");
  expect(ok.status()).toBe(200);
  expect(await ok.text()).toBe("1158201444");
  expect((await request.get("/api/v1/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")).status()).toBe(403);

  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550000001", phone_number_id: "100000000000001" }, contacts: [{ profile: { name: "Api Spec" }, wa_id: "15551230000" }], messages: [{ from: "15551230000", id: `wamid.api-spec-${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "hello from the api spec" } }] } }] }],
  });
  const signature = `sha256=${createHmac("sha256", "demo-whatsapp-app-secret").update(body).digest("hex")}`;
  const first = await request.post("/api/v1/webhooks/whatsapp", { headers: { "content-type": "application/json", "x-hub-signature-256": signature }, data: body });
  expect(first.status()).toBe(200);
  expect(await first.json()).toMatchObject({ ok: true, received: 1, duplicates: 0 });
  const again = await request.post("/api/v1/webhooks/whatsapp", { headers: { "content-type": "application/json", "x-hub-signature-256": signature }, data: body });
  expect(await again.json()).toMatchObject({ ok: true, received: 0, duplicates: 1 });
  const tampered = await request.post("/api/v1/webhooks/whatsapp", { headers: { "content-type": "application/json", "x-hub-signature-256": signature }, data: body.replace("hello", "HELLO") });
  expect(tampered.status()).toBe(401);
});
