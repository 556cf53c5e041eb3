import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const DEMO = {
  admin: { email: "admin@demo.alfred.test", password: "alfred-admin-demo" },
  manager: { email: "manager@demo.alfred.test", password: "alfred-manager-demo" },
  agent: { email: "agent@demo.alfred.test", password: "alfred-agent-demo" },
};

/**
 * Where a screenshot goes: docs/screenshots (linked from the README) when E2E_SCREENSHOTS=docs, for
 * a reviewed run that refreshes them; otherwise test-results/, so ordinary runs leave git clean.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.E2E_SCREENSHOTS === "docs" ? new URL("../../../docs/screenshots/", import.meta.url) : new URL("../test-results/screenshots/", import.meta.url);
  mkdirSync(dir, { recursive: true });
  return fileURLToPath(new URL(name, dir));
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/inbox$/);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
}

export const mainNav = (page: Page) => page.getByRole("navigation", { name: "Main" });

/** The seeded WhatsApp channel (packages/crm/src/seed.ts, DEMO_CHANNELS.whatsapp). */
export const DEMO_WHATSAPP = { phoneNumberId: "100000000000001", appSecret: "demo-whatsapp-app-secret", accessToken: "demo-whatsapp-access-token" };

/** A REST bearer token for the given demo user. */
export async function bearerFor(request: APIRequestContext, user: { email: string; password: string }): Promise<string> {
  const res = await request.post("/api/v1/auth/login", { data: user });
  expect(res.status(), await res.text()).toBe(200);
  return `Bearer ${(await res.json()).access_token}`;
}

/** POSTs a WhatsApp webhook signed like Meta does: HMAC-SHA256 of the raw body with the app secret. */
/** Points the demo WhatsApp channel's Graph API at a fake (sends, media) through the admin's REST API. */
export async function pointDemoWhatsAppAt(request: APIRequestContext, graphBaseUrl: string): Promise<void> {
  const admin = await bearerFor(request, DEMO.admin);
  const channels = await (await request.get("/api/v1/channels", { headers: { authorization: admin } })).json();
  const whatsapp = channels.items.find((c: { type: string; account_id: string }) => c.type === "whatsapp" && c.account_id === DEMO_WHATSAPP.phoneNumberId);
  expect(whatsapp, "the demo seed has a WhatsApp channel").toBeTruthy();
  const patched = await request.patch(`/api/v1/channels/${whatsapp.id}`, { headers: { authorization: admin }, data: { config: { api_base_url: graphBaseUrl, phone_number_id: DEMO_WHATSAPP.phoneNumberId } } });
  expect(patched.status(), await patched.text()).toBe(200);
}

export async function postWhatsAppWebhook(request: APIRequestContext, payload: unknown, appSecret = DEMO_WHATSAPP.appSecret) {
  const body = JSON.stringify(payload);
  const signature = createHmac("sha256", appSecret).update(body).digest("hex");
  return request.post("/api/v1/webhooks/whatsapp", { headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${signature}` }, data: body });
}

const whatsAppEnvelope = (value: Record<string, unknown>) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "102290129340398",
      changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: DEMO_WHATSAPP.phoneNumberId }, ...value } }],
    },
  ],
});

/** A customer's text message, in the Cloud API's webhook format. */
export const whatsAppText = (m: { from: string; name: string; id: string; text: string }) =>
  whatsAppEnvelope({
    contacts: [{ profile: { name: m.name }, wa_id: m.from }],
    messages: [{ from: m.from, id: m.id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: m.text } }],
  });

/** A customer's photo with a caption (the bytes stay at Meta under `mediaId`). */
export const whatsAppImage = (m: { from: string; name: string; id: string; mediaId: string; caption: string }) =>
  whatsAppEnvelope({
    contacts: [{ profile: { name: m.name }, wa_id: m.from }],
    messages: [{ from: m.from, id: m.id, timestamp: String(Math.floor(Date.now() / 1000)), type: "image", image: { id: m.mediaId, mime_type: "image/png", caption: m.caption } }],
  });

/** A status notification (sent / delivered / read / failed) for a message we sent. */
export const whatsAppStatus = (s: { id: string; status: "sent" | "delivered" | "read"; recipient: string }) =>
  whatsAppEnvelope({ statuses: [{ id: s.id, status: s.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: s.recipient }] });
