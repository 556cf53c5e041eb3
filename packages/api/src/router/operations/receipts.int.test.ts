import { signSha256Header } from "@alfred/channels";
import { createChannel, drainDueReceipts } from "@alfred/crm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleWebhook } from "../../intake/webhooks";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";

/** Parked receipts through the API: listed with their error for the tenant only, retried once fixed. */

let h: ApiHarness;
let t: TenantFixture;
let other: TenantFixture;
const SECRET = "receipts-app-secret";

async function postUnreadable(tenantPhone: string, text: string) {
  const body = { object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages", value: { metadata: { phone_number_id: tenantPhone }, messages: [{ from: "15551230000", timestamp: "1749416383", type: "text", text: { body: text } }] } }] }] };
  const raw = JSON.stringify(body);
  const res = await handleWebhook(new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", body: raw, headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, SECRET) } }), "whatsapp", h.deps);
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Receipts T");
  other = await seedTenant(h.deps, "Receipts Other");
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: "300000000000001", access_token: "a", app_secret: SECRET, verify_token: "v1" } });
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, other.admin.tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: "300000000000002", access_token: "a", app_secret: SECRET, verify_token: "v2" } });
});
afterAll(() => h.close());

describe("operations.receipts", () => {
  it("lists the tenant's parked receipts with the reason and the start of the body; counts them; another tenant sees none of them", async () => {
    await postUnreadable("300000000000001", "no message id, T");
    await postUnreadable("300000000000002", "no message id, other");
    const mine = await callerFor(h.deps, t.manager).operations.receipts({ status: "parked" });
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ status: "parked", channel_type: "whatsapp", attempts: 0, last_error: expect.stringMatching(/messages\.0\.id/), preview: expect.stringContaining("no message id, T") });
    expect(JSON.stringify(mine)).not.toContain("no message id, other");
    expect(await callerFor(h.deps, t.manager).operations.receiptCounts()).toMatchObject({ pending: 0, parked: 1 });

    const viaRest = await rest(h.deps, "GET", "/operations/receipts?status=parked", { token: await accessTokenFor(h.deps, other.admin) });
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.items).toHaveLength(1);
    expect(viaRest.body.items[0].preview).toContain("no message id, other");
  });

  it("a parked receipt can be retried (202, then processed again); only a parked one; agents may not", async () => {
    const [parked] = (await callerFor(h.deps, t.manager).operations.receipts({ status: "parked" })).items;
    const agent = await rest(h.deps, "POST", `/operations/receipts/${parked!.id}/retry`, { token: await accessTokenFor(h.deps, t.agent) });
    expect(agent.status).toBe(403);

    const retried = await rest(h.deps, "POST", `/operations/receipts/${parked!.id}/retry`, { token: await accessTokenFor(h.deps, t.manager) });
    expect(retried).toMatchObject({ status: 202, body: { id: parked!.id, status: "pending" } });
    const again = await rest(h.deps, "POST", `/operations/receipts/${parked!.id}/retry`, { token: await accessTokenFor(h.deps, t.manager) });
    expect(again.status).toBe(409);

    // Still unreadable (nothing was fixed): retried on the schedule, then parked again with its error.
    await drainDueReceipts(h.deps, { batchSize: 10, retryDelaysMs: [] });
    expect((await callerFor(h.deps, t.manager).operations.receipts({ status: "parked" })).items[0]).toMatchObject({ id: parked!.id, attempts: 1, last_error: expect.stringMatching(/messages\.0\.id/) });
    expect((await rest(h.deps, "POST", "/operations/receipts/not-a-number/retry", { token: await accessTokenFor(h.deps, t.manager) })).status).toBe(422);
  });
});
