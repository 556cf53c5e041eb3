import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { bearerFor, DEMO, postWhatsAppWebhook, signIn, whatsAppText } from "./helpers";

/**
 * An admin builds a rule in Settings -> Rules with the form editor, simulates it on a recent
 * WhatsApp message, saves it; the next matching WhatsApp webhook is assigned to the chosen agent and
 * gets a task, by the worker, and the run shows in the execution log.
 */
test("admin builds a rule, simulates it, saves it; a posted webhook triggers it", async ({ page, request }) => {
  const marker = `orcamento${randomUUID().slice(0, 8)}`;
  const admin = await bearerFor(request, DEMO.admin);

  // A recent message to simulate against.
  const first = await postWhatsAppWebhook(request, whatsAppText({ from: "5511966660001", name: "Rita Prévia", id: `wamid.rules.${randomUUID()}`, text: `Qual o valor? ${marker}` }));
  expect(first.status()).toBe(200);
  await expect
    .poll(async () => {
      const res = await request.get("/api/v1/rules/recent-events?event_type=message.ingested&limit=50", { headers: { authorization: admin } });
      return JSON.stringify(await res.json()).includes(marker);
    })
    .toBe(true);

  await signIn(page, DEMO.admin.email, DEMO.admin.password);
  await page.goto("/settings/rules");
  await page.getByRole("button", { name: "New rule" }).click();
  const editor = page.getByRole("region", { name: "Rule editor" });
  await editor.getByLabel("Rule name").fill(`Budget requests ${marker}`);

  // When a WhatsApp message (the default first test) whose body contains the marker...
  await editor.getByRole("button", { name: "Add condition" }).click();
  await editor.getByLabel("Condition 2 field").selectOption("message.body");
  await editor.getByLabel("Condition 2 operator").selectOption("contains");
  await editor.getByLabel("Condition 2 value").fill(marker);
  // ...assign it to Ann and create a task.
  await editor.getByLabel("Action 1", { exact: true }).selectOption("assign_agent");
  await editor.getByLabel("Action 1 Agent").selectOption({ label: "Ann Agent (agent)" });
  await editor.getByRole("button", { name: "Add action" }).click();
  await editor.getByLabel("Action 2 Title").fill("Proposta para {{contact.name}}");

  // Simulate on the recent message before saving.
  const events = editor.getByLabel("Event to simulate against");
  const option = events.locator("option", { hasText: marker }).first();
  await events.selectOption((await option.getAttribute("value"))!);
  await editor.getByRole("button", { name: "Simulate" }).click();
  const simulation = editor.getByTestId("simulation");
  await expect(simulation).toContainText("The conditions hold: 2 action(s) would run. Nothing was written.");
  await expect(simulation).toContainText("Proposta para Rita Prévia");

  await editor.getByRole("button", { name: "Save rule" }).click();
  const row = page.getByTestId(`rule-Budget requests ${marker}`);
  await expect(row).toBeVisible();
  await expect(row.getByLabel(/Enabled/)).toBeChecked();

  // A new customer writes: the worker runs the rule.
  const customer = `Rui Novo ${marker.slice(-4)}`;
  const res = await postWhatsAppWebhook(request, whatsAppText({ from: "5511966660002", name: customer, id: `wamid.rules.${randomUUID()}`, text: `preciso de um orçamento ${marker}` }));
  expect(res.status()).toBe(200);
  const users = await (await request.get("/api/v1/users", { headers: { authorization: admin } })).json();
  const ann = users.items.find((u: { email: string }) => u.email === DEMO.agent.email).id as string;
  await expect
    .poll(
      async () => {
        const tasks = await (await request.get(`/api/v1/tasks?assignee=${ann}&limit=100`, { headers: { authorization: admin } })).json();
        return tasks.items.some((t: { title: string }) => t.title === `Proposta para ${customer}`);
      },
      { timeout: 30_000 },
    )
    .toBe(true);

  await row.getByRole("button", { name: "Log" }).click();
  const log = page.getByRole("region", { name: "Execution log" });
  await expect(log.getByTestId("execution").first()).toContainText("assign_agent: done", { timeout: 15_000 });
  await expect(log.getByTestId("execution").first()).toContainText("create_task: done");
});
