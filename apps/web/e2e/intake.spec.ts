import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { DEMO, mainNav, postWhatsAppWebhook, signIn, whatsAppText } from "./helpers";

/**
 * A signed webhook the worker cannot turn into a message is acknowledged (Meta stops retrying), parked
 * with the reason, and shown to a manager on /deliveries, who can send it through again.
 */
test("a parked inbound webhook is shown with its reason on /deliveries and can be retried", async ({ page, request }) => {
  const marker = `unreadable-${randomUUID()}`;
  const payload = whatsAppText({ from: "5511977776666", name: "Parked Person", id: "unused", text: marker });
  delete (payload.entry[0]!.changes[0]!.value as unknown as { messages: Record<string, unknown>[] }).messages[0]!.id;
  const res = await postWhatsAppWebhook(request, payload);
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, received: 1 });

  await signIn(page, DEMO.manager.email, DEMO.manager.password);
  await mainNav(page).getByRole("link", { name: "Deliveries" }).click();
  const panel = page.getByRole("region", { name: "Inbound webhooks" });
  const row = panel.getByTestId("parked-receipt").filter({ hasText: "messages.0.id" }).first();
  await expect(row).toBeVisible();
  await row.getByText("Body as received").click();
  await expect(row).toContainText(marker);
  await expect(panel.getByTestId("receipt-counts")).toContainText(/[1-9]\d* parked/);

  await row.getByRole("button", { name: "Retry" }).click();
  await expect(panel.getByRole("status")).toContainText("Sent to the worker again.");
});
