import { startFakeGraphApi, type FakeGraphApi } from "@alfred/channels";
import { expect, test, type Page } from "@playwright/test";
import { bearerFor, DEMO, DEMO_WHATSAPP, mainNav, pointDemoWhatsAppAt, postWhatsAppWebhook, screenshotPath, signIn, whatsAppStatus, whatsAppText } from "./helpers";

test.use({ viewport: { width: 1440, height: 900 } });

// Must match EGRESS_ALLOWLIST in scripts/e2e-server.mjs.
const GRAPH_PORT = Number(process.env.E2E_GRAPH_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 98);

test.describe("agent inbox", () => {
  let fake: FakeGraphApi;

  // The seeded WhatsApp channel sends through a fake Cloud API on loopback instead of Meta, on the
  // port scripts/e2e-server.mjs puts on EGRESS_ALLOWLIST (any other loopback port is refused). The
  // phone number id goes along: the API re-derives the channel's account id from its settings.
  test.beforeAll(async ({ request }) => {
    fake = await startFakeGraphApi({ whatsapp: { [DEMO_WHATSAPP.phoneNumberId]: DEMO_WHATSAPP.accessToken }, port: GRAPH_PORT });
    await pointDemoWhatsAppAt(request, fake.baseUrl);
  });

  test.afterAll(async () => {
    await fake?.close();
  });

  test("a WhatsApp message arrives live; the agent replies, adds a private note and resolves", async ({ page, request }) => {
    const suffix = String(Date.now()).slice(-7);
    const customer = { from: `351910${suffix}`, name: `Wanda Webhook ${suffix}` };
    const question = `Hi! Do you ship to Lisbon? (${suffix})`;
    const reply = `Yes, we ship to Lisbon within 3 days (${suffix})`;
    const note = `Customer asked about shipping; check the Lisbon rates (${suffix})`;

    await signIn(page, DEMO.agent.email, DEMO.agent.password);
    await expect(page.getByRole("heading", { name: "Inbox" })).toBeVisible();
    await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
    // Marks this document: if the page reloaded, the marker would be gone.
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    // The customer writes: the conversation appears in the open list without a reload.
    const webhookSentAt = Date.now();
    const inbound = await postWhatsAppWebhook(request, whatsAppText({ ...customer, id: `wamid.e2e-${suffix}`, text: question }));
    expect(inbound.status(), await inbound.text()).toBe(200);
    const conversations = page.getByRole("list", { name: "Conversations" });
    const row = conversations.getByRole("link", { name: new RegExp(customer.name) });
    await expect(row).toBeVisible({ timeout: 5_000 });
    console.log(`inbound message visible in the list ${Date.now() - webhookSentAt} ms after the webhook answered`);
    await expect(row).toContainText(question);
    await expect(row).toContainText("1 unread");
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // Opening it shows the thread, puts it in the URL and marks it read.
    await row.click();
    await expect(page).toHaveURL(/[?&]c=[0-9a-f-]{36}/);
    const conversation = page.getByRole("region", { name: "Conversation" });
    await expect(conversation.getByRole("heading", { name: customer.name })).toBeVisible();
    const thread = conversation.getByRole("list", { name: "Messages" });
    await expect(thread.getByRole("article", { name: /Message from/ }).filter({ hasText: question })).toBeVisible();
    await expect(row).not.toContainText("unread");

    // The agent replies with Enter; the fake Cloud API receives it and the tick turns to sent.
    const composer = conversation.getByRole("textbox", { name: "Reply" });
    await composer.fill(reply);
    await composer.press("Enter");
    const outbound = thread.getByRole("article", { name: /Reply by/ }).filter({ hasText: reply });
    await expect(outbound).toBeVisible();
    await expect(composer).toHaveValue("");
    await expect.poll(() => fake.sent.find((m) => m.text === reply), { message: "the fake WhatsApp API received the reply", timeout: 20_000 }).toBeTruthy();
    const delivered = fake.sent.find((m) => m.text === reply)!;
    expect(delivered).toMatchObject({ product: "whatsapp", accountId: DEMO_WHATSAPP.phoneNumberId, to: customer.from });
    await expect(outbound.getByRole("img", { name: "Status: Sent" })).toBeVisible({ timeout: 10_000 });

    // Later status notifications from Meta move the tick on, live.
    expect((await postWhatsAppWebhook(request, whatsAppStatus({ id: delivered.id, status: "delivered", recipient: customer.from }))).status()).toBe(200);
    await expect(outbound.getByRole("img", { name: "Status: Delivered" })).toBeVisible();
    expect((await postWhatsAppWebhook(request, whatsAppStatus({ id: delivered.id, status: "read", recipient: customer.from }))).status()).toBe(200);
    await expect(outbound.getByRole("img", { name: "Status: Read" })).toBeVisible();

    // `n` (outside a field) switches to a private note; it is shown as private and never sent.
    await composer.press("Escape");
    await page.keyboard.press("n");
    const noteBox = conversation.getByRole("textbox", { name: "Private note" });
    await expect(noteBox).toBeFocused();
    await noteBox.fill(note);
    await noteBox.press("Enter");
    const privateNote = thread.getByRole("article", { name: "Private note" }).filter({ hasText: note });
    await expect(privateNote).toBeVisible();
    await expect(privateNote).toContainText("only your team sees this");
    expect(fake.sent.some((m) => m.text.includes(note))).toBe(false);

    // An assignment made elsewhere (here: by an admin over the REST API) shows up live.
    const admin = await bearerFor(request, DEMO.admin);
    const directory = await (await request.get("/api/v1/users/directory", { headers: { authorization: admin } })).json();
    const agent = directory.items.find((u: { role: string }) => u.role === "agent");
    const conversationId = new URL(page.url()).searchParams.get("c")!;
    const assigned = await request.patch(`/api/v1/conversations/${conversationId}`, { headers: { authorization: admin }, data: { assignee_id: agent.id } });
    expect(assigned.status(), await assigned.text()).toBe(200);
    await expect(conversation.getByRole("combobox", { name: "Assignee" })).toHaveValue(agent.id);
    await page.getByRole("tab", { name: "Mine" }).click();
    await expect(page).toHaveURL(/view=mine/);
    await expect(conversations.getByRole("link", { name: /Sheena Nelson/ })).toHaveCount(0);
    await expect(row).toBeVisible();

    await noteBox.press("Escape");
    await page.screenshot({ path: screenshotPath("inbox.png") });

    // `?` lists the shortcuts.
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(help).toBeVisible();
    await expect(help).toContainText("Next conversation");
    await page.screenshot({ path: screenshotPath("inbox-shortcuts.png") });
    await page.keyboard.press("Escape");
    await expect(help).toBeHidden();

    // Resolving (`e`) moves it out of the open list; it is under "Resolved".
    await page.keyboard.press("e");
    await expect(conversation.getByTestId("conversation-status")).toHaveText("Resolved");
    await expect(row).toHaveCount(0);
    await page.getByRole("combobox", { name: "Status" }).selectOption("resolved");
    await expect(page).toHaveURL(/status=resolved/);
    await expect(row).toBeVisible();
  });

  test("filters and the open conversation live in the URL; j/k move through the list", async ({ page }) => {
    await signIn(page, DEMO.agent.email, DEMO.agent.password);
    await page.goto("/inbox?view=all&status=open");
    const conversations = page.getByRole("list", { name: "Conversations" });
    await expect(conversations.getByRole("link").first()).toBeVisible();
    const count = await conversations.getByRole("link").count();
    expect(count).toBeGreaterThan(1);

    await page.keyboard.press("j");
    await expect(conversations.getByRole("link").nth(0)).toHaveAttribute("aria-current", "true");
    await page.keyboard.press("j");
    await expect(conversations.getByRole("link").nth(1)).toHaveAttribute("aria-current", "true");
    await page.keyboard.press("k");
    await expect(conversations.getByRole("link").nth(0)).toHaveAttribute("aria-current", "true");
    const shared = page.url();
    expect(shared).toMatch(/c=[0-9a-f-]{36}/);

    // `r` focuses the reply box; shortcuts are ignored while typing there.
    await page.keyboard.press("r");
    const reply = page.getByRole("textbox", { name: "Reply" });
    await expect(reply).toBeFocused();
    await page.keyboard.type("jk");
    await expect(reply).toHaveValue("jk");
    await expect(conversations.getByRole("link").nth(0)).toHaveAttribute("aria-current", "true");
    await reply.fill("");

    // Search is debounced into the URL; a shared link opens the same view.
    await page.getByRole("searchbox", { name: "Search conversations" }).fill("Sheena");
    await expect(page).toHaveURL(/q=Sheena/);
    await expect(conversations.getByRole("link")).toHaveCount(1);
    await expect(conversations.getByRole("link")).toContainText("Sheena Nelson");
    await page.getByRole("searchbox", { name: "Search conversations" }).fill("no-such-customer-anywhere");
    await expect(page.getByText("Nothing matches these filters.")).toBeVisible();

    await page.goto(shared);
    const conversation = page.getByRole("region", { name: "Conversation" });
    await expect(conversation.getByRole("heading", { level: 2 })).toBeVisible();
    const opened = conversations.getByRole("link").nth(0);
    await expect(opened).toHaveAttribute("aria-current", "true");
    const name = (await conversation.getByRole("heading", { level: 2 }).textContent())!;

    // Snooze for an hour: it leaves the open list and is found under "Snoozed"; Reopen brings it back.
    await conversation.getByRole("combobox", { name: "Snooze" }).selectOption("1h");
    await expect(conversation.getByTestId("conversation-status")).toContainText("Snoozed until");
    await expect(conversations.getByRole("link", { name: new RegExp(name) })).toHaveCount(0);
    await page.getByRole("combobox", { name: "Status" }).selectOption("snoozed");
    await expect(conversations.getByRole("link", { name: new RegExp(name) })).toBeVisible();
    await conversation.getByRole("button", { name: "Reopen" }).click();
    await expect(conversation.getByTestId("conversation-status")).toHaveText("Open");
    await page.getByRole("combobox", { name: "Status" }).selectOption("open");
    await expect(conversations.getByRole("link", { name: new RegExp(name) })).toBeVisible();
  });

  test("a location message shows as a card with its name, coordinates and a map link", async ({ page, request }) => {
    const suffix = String(Date.now()).slice(-7);
    const from = `351920${suffix}`;
    const name = `Lola Location ${suffix}`;
    const payload = whatsAppText({ from, name, id: `wamid.e2e-loc-${suffix}`, text: "unused" }) as unknown as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
    payload.entry[0]!.changes[0]!.value.messages[0] = {
      from,
      id: `wamid.e2e-loc-${suffix}`,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: "location",
      location: { latitude: 38.7223, longitude: -9.1393, name: "Praça do Comércio" },
    };
    await signIn(page, DEMO.agent.email, DEMO.agent.password);
    await expect(page.getByRole("status", { name: "Live updates: Live" })).toBeVisible();
    expect((await postWhatsAppWebhook(request, payload)).status()).toBe(200);
    const row = page.getByRole("list", { name: "Conversations" }).getByRole("link", { name: new RegExp(name) });
    await expect(row).toContainText("[location");
    await row.click();
    const card = page.getByRole("list", { name: "Messages" }).getByTestId("location-card");
    await expect(card).toContainText("Praça do Comércio");
    await expect(card).toContainText("38.72230, -9.13930");
    await expect(card.getByRole("link")).toHaveAttribute("href", /openstreetmap\.org\/\?mlat=38\.7223&mlon=-9\.1393/);
  });
});

async function openChannelsSettings(page: Page) {
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await mainNav(page).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Channels" }).click();
  await expect(page).toHaveURL(/\/settings\/channels$/);
}

test("an admin connects a channel in Settings -> Channels; its secrets are only shown masked", async ({ page }) => {
  const suffix = String(Date.now()).slice(-9);
  const name = `WhatsApp · Returns ${suffix}`;
  const appSecret = `app-secret-${suffix}-do-not-show`;
  const accessToken = `EAAG-access-token-${suffix}`;

  await openChannelsSettings(page);
  const channels = page.getByRole("list", { name: "Channels" });
  await expect(channels.getByRole("listitem", { name: "WhatsApp · Sales" })).toBeVisible();

  const form = page.getByRole("form", { name: "Add a channel" });
  await form.getByLabel("Type").selectOption("whatsapp");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Phone number ID").fill(`3${suffix}`);
  await expect(form.getByLabel("App secret")).toHaveAttribute("type", "password");
  await form.getByLabel("Access token").fill(accessToken);
  await form.getByLabel("App secret").fill(appSecret);
  await form.getByLabel("Verify token").fill(`verify-${suffix}`);
  await expect(form).toContainText("/api/v1/webhooks/whatsapp");
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${name} is connected` })).toBeVisible();

  const card = channels.getByRole("listitem", { name });
  await expect(card).toBeVisible();
  await expect(card).toContainText(`3${suffix}`);
  await expect(card).toContainText(`http://localhost:${process.env.E2E_PORT ?? 3100}/api/v1/webhooks/whatsapp`);
  await expect(card.getByTestId("secret-app_secret")).toContainText(`${appSecret.slice(0, 4)}…${appSecret.slice(-4)}`);
  expect(await page.content()).not.toContain(appSecret);
  expect(await page.content()).not.toContain(accessToken);
  await expect(form.getByLabel("App secret")).toHaveValue("");

  // Edit: rename, replace a secret (still masked), disable.
  await card.getByRole("button", { name: "Edit" }).click();
  const edit = card.getByRole("form", { name: `Edit ${name}` });
  await edit.getByLabel("Name").fill(`${name} (EU)`);
  await edit.getByLabel("App secret (replace)").fill(`rotated-secret-${suffix}-zz99`);
  await edit.getByRole("button", { name: "Save changes" }).click();
  const renamed = channels.getByRole("listitem", { name: `${name} (EU)` });
  await expect(renamed.getByTestId("secret-app_secret")).toContainText("rota…zz99");
  await renamed.getByRole("switch", { name: `${name} (EU) enabled` }).click();
  await expect(renamed.getByRole("switch", { name: `${name} (EU) enabled` })).toHaveAttribute("aria-checked", "false");
  await page.screenshot({ path: screenshotPath("settings-channels.png"), fullPage: true });

  // Delete asks for confirmation first.
  await renamed.getByRole("button", { name: "Delete" }).click();
  const confirm = renamed.getByRole("alertdialog", { name: `Delete ${name} (EU)?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(renamed).toBeVisible();
  await renamed.getByRole("button", { name: "Delete" }).click();
  await renamed.getByRole("button", { name: "Delete channel" }).click();
  await expect(channels.getByRole("listitem", { name: `${name} (EU)` })).toHaveCount(0);
});
