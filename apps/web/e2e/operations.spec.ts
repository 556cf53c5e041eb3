import { alfredSignature } from "@alfred/automation";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { bearerFor, DEMO, postWhatsAppWebhook, screenshotPath, signIn, whatsAppText } from "./helpers";

/**
 * Issue #6 end to end: a destination pointing at a sink this test runs, a test event, a failing
 * sink (attempts with status codes and a countdown), Retry now, a signed callback that creates a
 * task (drawer + timeline), the notification bell, and the agent kept out. The screenshots in
 * docs/screenshots/ are taken here. Steps run in order and share the sink and the destination.
 */

// Must match EGRESS_ALLOWLIST in scripts/e2e-server.mjs.
const SINK_PORT = Number(process.env.E2E_SINK_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 99);
const SINK_URL = `http://127.0.0.1:${SINK_PORT}/alfred`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { event_id: string; tenant_id: string; type: string; payload: Record<string, unknown> };
  answered: number;
}

const sink = {
  server: null as Server | null,
  mode: "ok" as "ok" | "fail" | "gone",
  received: [] as Received[],
};

/** Shared by the serial steps below. */
const state = {
  destinationId: "",
  destinationName: `Activepieces (e2e sink ${Date.now().toString(36).slice(-4)})`,
  secret: "",
  tenantId: "",
  failingEventId: "",
  failingDeliveryId: "",
  taskTitle: `Call back Olivia ${Date.now().toString(36)}`,
};

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  sink.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const answered = sink.mode === "ok" ? 200 : sink.mode === "gone" ? 410 : 500;
      let json: Received["json"];
      try {
        json = JSON.parse(body);
      } catch {
        json = { event_id: "", tenant_id: "", type: "(not json)", payload: {} };
      }
      sink.received.push({ headers: req.headers, body, json, answered });
      res.writeHead(answered, { "content-type": "application/json" });
      res.end(answered === 200 ? JSON.stringify({ ok: true, flow_run: "e2e" }) : JSON.stringify({ error: answered === 410 ? "flow deleted" : "sink is down (e2e)" }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    sink.server!.once("error", reject);
    sink.server!.listen(SINK_PORT, "127.0.0.1", () => resolve());
  });
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => (sink.server ? sink.server.close(() => resolve()) : resolve()));
});

const receivedOf = (eventType: string) => sink.received.filter((r) => r.json.type === eventType);

async function destinationIdByName(request: APIRequestContext, name: string): Promise<string> {
  const res = await request.get("/api/v1/automations/destinations", { headers: { authorization: await bearerFor(request, DEMO.admin) } });
  expect(res.status()).toBe(200);
  const found = (await res.json()).items.find((d: { name: string }) => d.name === name);
  expect(found, `destination ${name}`).toBeTruthy();
  return found.id;
}

async function openDeliveries(page: Page, query = "") {
  await page.goto(`/deliveries${query}`);
  await expect(page.getByRole("heading", { name: "Deliveries", level: 1 })).toBeVisible();
}

const drawer = (page: Page) => page.getByRole("dialog", { name: "Delivery details" });

test("admin creates a destination, sees the secret once, and a test event is delivered", async ({ page, request }) => {
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await page.goto("/settings/automations");
  await page.getByRole("button", { name: "New destination" }).click();
  const form = page.getByRole("form", { name: "Create destination" });
  await form.getByLabel("Name").fill(state.destinationName);
  await form.getByLabel("URL").fill(SINK_URL);
  await form.getByRole("checkbox", { name: /^message\.ingested/ }).check();
  await form.getByRole("button", { name: "Create destination" }).click();

  // The secret, once, with a plain warning; afterwards only the masked form.
  const once = page.getByTestId("shown-once");
  await expect(once).toContainText("it will not be shown again");
  state.secret = (await once.getByTestId("shown-once-value").textContent())!.trim();
  expect(state.secret).toMatch(/^whsec_/);
  await once.getByRole("button", { name: "I have stored it" }).click();
  await expect(once).toHaveCount(0);
  const card = page.getByTestId(`destination-${state.destinationName}`);
  await expect(card).toBeVisible();
  await expect(card).not.toContainText(state.secret);
  state.destinationId = await destinationIdByName(request, state.destinationName);

  // A test event: the sink receives it, correctly signed, and the page shows the attempt.
  await card.getByRole("button", { name: "Send test event" }).click();
  await expect(card.getByTestId("test-result-outcome")).toContainText("Delivered: HTTP 200");
  expect(receivedOf("alfred.test")).toHaveLength(1);
  const got = receivedOf("alfred.test")[0]!;
  state.tenantId = got.json.tenant_id;
  const timestamp = String(got.headers["x-alfred-timestamp"]);
  expect(got.headers["x-alfred-signature"]).toContain(`sha256=${alfredSignature(state.secret, timestamp, got.json.event_id, state.tenantId, got.body)}`);

  // The dashboard shows it delivered, and the drawer the exact attempt and headers.
  await card.getByRole("link", { name: "Open in Deliveries" }).click();
  await expect(page).toHaveURL(/\/deliveries\?d=/);
  const testDeliveryId = new URL(page.url()).searchParams.get("d")!;
  await expect(drawer(page).getByTestId("attempt-1")).toContainText("200");
  await expect(drawer(page).getByRole("table", { name: "Request headers of attempt 1" })).toContainText("X-Alfred-Signature");
  await drawer(page).getByRole("button", { name: "Close", exact: true }).click();
  await expect(drawer(page)).toHaveCount(0);
  await expect(page.getByTestId(`delivery-row-${testDeliveryId}`)).toHaveAttribute("data-status", "delivered");

  // Filtered to the destination: its health over time, charts and numbers, 24 h and 7 d.
  await openDeliveries(page, `?destination=${state.destinationId}`);
  const health = page.getByRole("region", { name: "Delivery health over time" });
  await expect(health.getByTestId("health-totals")).toContainText("Delivered1");
  await expect(health.getByRole("figure", { name: "Deliveries per hour by outcome" }).getByRole("application")).toBeVisible();
  await health.getByRole("button", { name: "Last 7 d" }).click();
  await expect(health.getByRole("button", { name: "Last 7 d" })).toHaveAttribute("aria-pressed", "true");
  await expect(health.getByRole("figure", { name: "Delivery latency percentiles per hour" }).getByRole("application")).toBeVisible();
});

test("a failing sink shows failed attempts with status codes and a countdown; Retry now delivers once it recovers", async ({ page, request }) => {
  sink.mode = "fail";
  const messageId = `wamid.e2e-ops-${Date.now()}`;
  const res = await postWhatsAppWebhook(request, whatsAppText({ from: "4915112345678", name: "Olivia Ops", id: messageId, text: "Is my order on its way?" }));
  expect(res.status()).toBe(200);

  // Attempt 1 answers 500, attempt 2 (2 s later) too; the next waits ~45 s (e2e retry schedule 2,45).
  await expect.poll(() => receivedOf("message.ingested").filter((r) => r.answered === 500).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  state.failingEventId = receivedOf("message.ingested").find((r) => r.answered === 500)!.json.event_id;

  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await openDeliveries(page, "?type=message.ingested");
  const row = page.locator(`[data-event-id="${state.failingEventId}"]`);
  await expect(row).toHaveAttribute("data-status", "pending");
  state.failingDeliveryId = (await row.getAttribute("data-testid"))!.replace("delivery-row-", "");
  await expect(row).toContainText("500");
  await row.click();

  const panel = drawer(page);
  await expect(panel.getByTestId("attempt-1")).toContainText("500");
  await expect(panel.getByTestId("attempt-2")).toContainText("500");
  await expect(panel.getByTestId("attempt-1")).toContainText("sink is down (e2e)");
  const countdown = panel.getByTestId("retry-countdown");
  await expect(countdown).toHaveText(/^in \d+s$/);
  const first = Number((await countdown.textContent())!.match(/\d+/)![0]);
  await expect.poll(async () => Number(((await countdown.textContent()) ?? "").match(/\d+/)?.[0] ?? 999), { timeout: 5000 }).toBeLessThan(first);

  // The sink recovers; Retry now sends at once.
  sink.mode = "ok";
  await panel.getByRole("button", { name: "Retry now" }).click();
  await expect(panel.getByTestId("attempt-3")).toContainText("200");
  await expect(panel.getByTestId("attempt-3")).toContainText("manual");
  await expect(panel.getByText("delivered", { exact: true }).first()).toBeVisible();
  await expect(page.getByTestId(`delivery-row-${state.failingDeliveryId}`)).toHaveAttribute("data-status", "delivered");
});

test("a signed callback shows in the drawer and in the timeline with the task it created", async ({ page, request }) => {
  const callbackEventId = randomUUID();
  const body = JSON.stringify({
    tenant_id: state.tenantId,
    event_id: callbackEventId,
    correlation_id: state.failingEventId,
    action: "create_task",
    params: { title: state.taskTitle, description: "Asked where the order is (e2e)." },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await request.post("/api/v1/automations/callbacks", {
    headers: {
      "content-type": "application/json",
      "x-alfred-destination-id": state.destinationId,
      "x-alfred-tenant-id": state.tenantId,
      "x-alfred-event-id": callbackEventId,
      "x-alfred-timestamp": timestamp,
      "x-alfred-signature": `sha256=${alfredSignature(state.secret, timestamp, callbackEventId, state.tenantId, body)}`,
    },
    data: body,
  });
  expect(res.status(), await res.text()).toBe(200);

  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await openDeliveries(page, `?type=message.ingested&d=${state.failingDeliveryId}`);
  const panel = drawer(page);
  const callback = panel.getByTestId("callback");
  await expect(callback).toContainText("create_task");
  await expect(callback).toContainText("succeeded");
  await expect(callback.getByTestId("callback-result")).toContainText("created task");
  await expect(panel.getByTestId("attempt-3")).toContainText("200");
  await expect(panel.getByTestId("delivery-outcome")).toContainText("received on attempt 3 (HTTP 200) · create_task succeeded → task");
  await page.setViewportSize({ width: 1280, height: 1300 });
  await page.screenshot({ path: screenshotPath("delivery-drawer.png") });
  await page.setViewportSize({ width: 1280, height: 720 });

  // The timeline: inbound message -> event -> delivery and attempts -> callback -> the task.
  await panel.getByRole("link", { name: "Event timeline →" }).click();
  await expect(page).toHaveURL(new RegExp(`/deliveries/timeline\\?event_id=${state.failingEventId}`));
  const timeline = page.getByRole("list", { name: "Timeline" });
  await expect(timeline.getByTestId("timeline-message")).toContainText("Inbound message");
  await expect(timeline.getByTestId("timeline-event")).toContainText("message.ingested");
  await expect(timeline.getByTestId("timeline-delivery")).toContainText(state.destinationName);
  await expect(timeline.getByTestId("timeline-attempt")).toHaveCount(3);
  await expect(timeline.getByTestId("timeline-callback")).toContainText("create_task");
  await expect(timeline.getByTestId("timeline-result")).toContainText(`Task created: ${state.taskTitle}`);
  const kinds = await timeline.locator("[data-testid^=timeline-]").evaluateAll((els) => els.map((e) => e.getAttribute("data-testid")!.replace("timeline-", "")));
  expect(kinds.indexOf("message")).toBeLessThan(kinds.indexOf("event"));
  expect(kinds.indexOf("event")).toBeLessThan(kinds.indexOf("delivery"));
  expect(kinds.lastIndexOf("attempt")).toBeLessThan(kinds.indexOf("callback"));
  expect(kinds.indexOf("callback")).toBeLessThan(kinds.indexOf("result"));

  // The destinations page, healthy (the deliveries table is captured after the 410 below).
  await page.goto("/settings/automations");
  await expect(page.getByTestId(`destination-${state.destinationName}`).getByTestId("destination-health")).toBeVisible();
  await page.screenshot({ path: screenshotPath("destinations.png"), fullPage: true });
});

test("the bell shows the destination disabled after a 410 live, and marks it read", async ({ page, request }) => {
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  const bell = page.getByTestId("notification-bell");
  const list = page.getByRole("region", { name: "Notifications" });
  // Open once so the list has loaded before the baseline is read.
  await bell.click();
  await expect(list.getByText("You are all caught up").or(list.getByTestId("notification").first())).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(list).toHaveCount(0);
  const badge = page.getByTestId("notification-count");
  const before = (await badge.count()) ? Number(await badge.textContent()) : 0;

  // The receiver is gone: one 410 disables the destination and fails the delivery for good.
  sink.mode = "gone";
  const res = await postWhatsAppWebhook(request, whatsAppText({ from: "4915112345679", name: "Gone Gustav", id: `wamid.e2e-ops-gone-${Date.now()}`, text: "Hello?" }));
  expect(res.status()).toBe(200);
  await expect.poll(() => sink.received.filter((r) => r.answered === 410).length, { timeout: 15_000 }).toBeGreaterThan(0);

  // No reload: the live feed (or the poll) updates the badge.
  await expect(badge).toHaveText(String(before + 2), { timeout: 20_000 });
  await bell.click();
  const disabled = list.getByTestId("notification").filter({ hasText: `Automation destination "${state.destinationName}" was disabled` });
  await expect(disabled).toBeVisible();
  await expect(list.getByTestId("notification").filter({ hasText: `to "${state.destinationName}" failed` })).toBeVisible();
  await disabled.getByRole("button", { name: /^Mark .* read$/ }).click();
  await expect(badge).toHaveText(String(before + 1));
  await expect(disabled.getByRole("button", { name: /^Mark .* read$/ })).toHaveCount(0);

  // The failed delivery in the dashboard; clicking its count filters the table; then the screenshot.
  await page.keyboard.press("Escape");
  await openDeliveries(page);
  await expect(page.getByTestId("count-failed")).toContainText("1");
  await page.getByTestId("count-failed").click();
  await expect(page).toHaveURL(/status=failed/);
  const rows = page.locator("[data-testid^=delivery-row-]");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("410");
  await page.getByRole("button", { name: "Retry all failed (1)" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Retry 1 failed delivery?" });
  await expect(confirm).toContainText("Deliveries whose destination is disabled are skipped");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toHaveCount(0);
  await page.getByTestId("count-failed").click();
  await expect(page).not.toHaveURL(/status=failed/);
  await expect(rows).toHaveCount(3);
  await page.screenshot({ path: screenshotPath("deliveries.png"), fullPage: true });
});

test("an agent cannot open /deliveries or Settings -> Automations, and the tRPC calls are refused", async ({ page }) => {
  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await expect(page.getByTestId("notification-bell")).toBeVisible();
  for (const url of ["/deliveries", "/deliveries/timeline", "/settings/automations"]) {
    await page.goto(url);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  }
  for (const procedure of ["automation.deliveries.list", "operations.deliveryCounts", "operations.queueHealth", "automation.destinations.list"]) {
    const refused = await page.request.get(`/api/trpc/${procedure}`);
    expect(refused.status(), procedure).toBe(403);
  }
});
