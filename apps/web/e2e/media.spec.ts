import { startFakeGraphApi, type FakeGraphApi } from "@alfred/channels";
import { expect, test } from "@playwright/test";
import { DEMO, DEMO_WHATSAPP, pointDemoWhatsAppAt, postWhatsAppWebhook, signIn, whatsAppImage } from "./helpers";

test.use({ viewport: { width: 1440, height: 900 } });

// Must match EGRESS_ALLOWLIST in scripts/e2e-server.mjs.
const GRAPH_PORT = Number(process.env.E2E_GRAPH_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 98);
// An 8x8 red PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGO4YGCAFTEMLQkA2ntMAeuWKpoAAAAASUVORK5CYII=", "base64");

test.describe("media in the thread", () => {
  let fake: FakeGraphApi;

  test.beforeAll(async ({ request }) => {
    fake = await startFakeGraphApi({ whatsapp: { [DEMO_WHATSAPP.phoneNumberId]: DEMO_WHATSAPP.accessToken }, port: GRAPH_PORT });
    await pointDemoWhatsAppAt(request, fake.baseUrl);
  });

  test.afterAll(async () => {
    await fake?.close();
  });

  test("a customer's WhatsApp photo is fetched by the worker and shows inline with its caption; it opens the full image", async ({ page, request }) => {
    const suffix = String(Date.now()).slice(-7);
    const name = `Paula Photo ${suffix}`;
    const caption = `The box arrived broken (${suffix})`;
    fake.addMedia(`e2e-photo-${suffix}`, { bytes: PNG, mimeType: "image/png" });
    const inbound = await postWhatsAppWebhook(request, whatsAppImage({ from: `351920${suffix}`, name, id: `wamid.e2e-photo-${suffix}`, mediaId: `e2e-photo-${suffix}`, caption }));
    expect(inbound.status(), await inbound.text()).toBe(200);

    await signIn(page, DEMO.agent.email, DEMO.agent.password);
    await page.getByRole("list", { name: "Conversations" }).getByRole("link", { name: new RegExp(name) }).click();
    const thread = page.getByRole("region", { name: "Conversation" }).getByRole("list", { name: "Messages" });
    await expect(thread.getByText(caption)).toBeVisible();
    // The worker fetches the file in the background; the thread shows it once stored (reload until then).
    const image = thread.getByRole("img", { name: caption });
    await expect(async () => {
      await page.reload();
      await expect(image).toBeVisible({ timeout: 10_000 });
    }).toPass({ timeout: 60_000 });
    // The browser really got the bytes through the session-checked route.
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(8);
    const link = thread.getByRole("link", { name: caption });
    await expect(link).toHaveAttribute("href", /^\/api\/v1\/attachments\/[0-9a-f-]{36}\/content$/);
    const href = (await link.getAttribute("href"))!;
    const anonymous = await request.get(href);
    expect(anonymous.status()).toBe(401);
  });
});
