import { randomUUID } from "node:crypto";
import { schema } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { AiProviderError, createLocalProvider, type AiProvider } from "@alfred/rules";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyMessage, unclassifiedMessages } from "./classification";
import { ingestMessage } from "./ingest";
import { newScope } from "./scope";

/** classifyMessage against real Postgres: once per message however often its job runs, and what the reconciler picks up. */

let db: TestDatabase;
let tenantId: string;
let channel: typeof schema.channels.$inferSelect;
const local = createLocalProvider();

beforeAll(async () => {
  db = await createTestDatabase();
  const [tenant] = await db.db.insert(schema.tenants).values({ name: "Classify Co" }).returning();
  tenantId = tenant!.id;
  [channel] = (await db.db.insert(schema.channels).values({ tenantId, type: "api", name: "API" }).returning()) as [typeof schema.channels.$inferSelect];
});
afterAll(() => db.destroy());

async function inbound(text: string, from = "cust-1") {
  const scope = newScope(tenantId, { type: "system", id: null });
  const stored = await ingestMessage(db.db, scope, channel, { externalId: randomUUID(), channelAccountId: channel.id, from: { externalId: from, name: "Customer" }, type: "text", body: text, sentAt: new Date(), raw: {} });
  return { ...stored, effects: scope.effects };
}

const q = async (text: string, params: unknown[] = []) => (await db.pool.query(text, params)).rows;

describe("classifyMessage", () => {
  it("is asked for by ingest, classifies once and scores once however often the job runs", async () => {
    const message = await inbound("quero comprar o plano anual");
    expect(message.effects.classifications).toEqual([{ messageId: message.messageId, tenantId }]);

    const runs = await Promise.all([1, 2, 3].map(() => classifyMessage({ db: db.db, provider: local }, { tenantId, messageId: message.messageId })));
    const statuses = runs.map((r) => r.outcome.status).sort();
    expect(statuses.filter((s) => s === "classified")).toHaveLength(1);
    const [contact] = await q(`select c.lead_score from contacts c join conversations v on v.contact_id = c.id where v.id = $1`, [message.conversationId]);
    expect(contact).toEqual({ lead_score: 20 });
    expect(await q(`select payload->>'score' as score from automation_events where type = 'lead.score_changed'`)).toEqual([{ score: "20" }]);
    expect((await classifyMessage({ db: db.db, provider: local }, { tenantId, messageId: message.messageId })).outcome).toEqual({ status: "skipped", reason: "already_classified" });
  });

  it("does not find another tenant's message", async () => {
    const message = await inbound("olá");
    const [other] = await db.db.insert(schema.tenants).values({ name: "Other" }).returning();
    expect((await classifyMessage({ db: db.db, provider: local }, { tenantId: other!.id, messageId: message.messageId })).outcome).toEqual({ status: "skipped", reason: "not_found" });
    expect(await q(`select ai_classification from messages where id = $1`, [message.messageId])).toEqual([{ ai_classification: null }]);
  });

  it("a failing provider: the error is recorded and thrown, the message stays unclassified, and the reconciler leaves it alone", async () => {
    const failing: AiProvider = { ...local, name: "openai_compatible", label: "m", model: "m", classify: async () => Promise.reject(new AiProviderError("timeout", "no answer")) };
    const message = await inbound("tem desconto?", "cust-2");
    await expect(classifyMessage({ db: db.db, provider: failing }, { tenantId, messageId: message.messageId })).rejects.toThrow("no answer");
    expect(await q(`select outcome, error_kind, provider, input_chars from ai_events where message_id = $1`, [message.messageId])).toEqual([{ outcome: "error", error_kind: "timeout", provider: "openai_compatible", input_chars: 13 }]);
    expect(await q(`select ai_classification from messages where id = $1`, [message.messageId])).toEqual([{ ai_classification: null }]);

    // A message whose job was lost (no ai_events row) is found once it is a minute old; this one is not.
    const lost = await inbound("qual o prazo de entrega?", "cust-3");
    await q(`update messages set created_at = now() - interval '2 minutes' where id = any($1)`, [[lost.messageId, message.messageId]]);
    const found = (await unclassifiedMessages(db.db)).map((m) => m.messageId);
    expect(found).toContain(lost.messageId);
    expect(found).not.toContain(message.messageId);
  });
});
