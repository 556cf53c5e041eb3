import { expect, test } from "@playwright/test";
import { DEMO, postWhatsAppWebhook, signIn, whatsAppText } from "./helpers";

/**
 * Offline (no AI provider configured) the worker classifies each inbound message with the local
 * heuristic: the inbox shows it on the message, labelled as such, and the contact's lead score moves.
 */
test("a Portuguese WhatsApp message is shown classified by the local heuristic, and scores the lead", async ({ page, request }) => {
  const suffix = String(Date.now()).slice(-7);
  const customer = { from: `558598${suffix}`, name: `Clara Classificada ${suffix}` };
  const text = `quanto custa o plano? (${suffix})`;
  const inbound = await postWhatsAppWebhook(request, whatsAppText({ ...customer, id: `wamid.e2e-classify-${suffix}`, text }));
  expect(inbound.status(), await inbound.text()).toBe(200);

  await signIn(page, DEMO.agent.email, DEMO.agent.password);
  await page.getByRole("tab", { name: "All" }).click();
  await page.getByRole("list", { name: "Conversations" }).getByRole("link", { name: new RegExp(customer.name) }).click();
  const message = page.getByRole("region", { name: "Conversation" }).getByRole("article", { name: /Message from/ }).filter({ hasText: text });
  const classification = message.getByTestId("message-classification");
  await expect(classification).toBeVisible({ timeout: 15_000 });
  await expect(classification).toContainText("Purchase intent");
  await expect(classification).toContainText("local heuristic");
  await expect(classification).toHaveAttribute("aria-label", /language pt/);
  await expect(page.getByRole("complementary", { name: "Contact" }).getByRole("spinbutton", { name: "Lead score" })).toHaveValue("20");
});

test("an admin changes the lead stall period in Settings", async ({ page }) => {
  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await page.goto("/settings/leads");
  const form = page.getByRole("form", { name: "Lead settings" });
  const days = form.getByRole("spinbutton", { name: "Stall period (days)" });
  await expect(days).toHaveValue(/\d+/);
  const original = await days.inputValue();
  await days.fill("12");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByText("Saved.")).toBeVisible();
  await page.reload();
  await expect(form.getByRole("spinbutton", { name: "Stall period (days)" })).toHaveValue("12");
  await form.getByRole("spinbutton", { name: "Stall period (days)" }).fill(original);
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByText("Saved.")).toBeVisible();
});
