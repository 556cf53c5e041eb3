import { randomUUID } from "node:crypto";
import { signSha256Header } from "@alfred/channels";
import { createChannel, drainDueReceipts, RuleEngine, runFlowStep } from "@alfred/crm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleWebhook } from "../../intake/webhooks";
import { accessTokenFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "../../testing/harness";

/**
 * Rules on real traffic: a signed WhatsApp webhook goes through the intake (receipt), the receipt
 * engine (message, outbox event) and the rule engine (actions through the crm services), and what
 * the rule did is read back through the REST API, as an agent would see it.
 */

const WA_PHONE = "106540352249911";
const WA_SECRET = "wa-app-secret-rules-0123456789";

let h: ApiHarness;
let t: TenantFixture;
let adminToken: string;
let agentToken: string;
let managerToken: string;
let engine: RuleEngine;
let seq = 0;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- API answers are read freely

const q = async <T = Json>(text: string, params: unknown[] = []) => (await h.database.pool.query(text, params)).rows as T[];

/** A customer's WhatsApp text, signed with the app secret, through the webhook, the receipt engine and the rule engine. */
async function customerWrites(text: string, from = "5585999990001", name = "Ana Souza"): Promise<{ externalId: string; conversationId: string; eventId: string }> {
  const externalId = `wamid.rules.${Date.now().toString(36)}${(seq++).toString(36)}`;
  const payload = {
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: WA_PHONE }, contacts: [{ profile: { name }, wa_id: from }], messages: [{ from, id: externalId, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }] } }] }],
  };
  const raw = JSON.stringify(payload);
  const res = await handleWebhook(new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, WA_SECRET) }, body: raw }), "whatsapp", h.deps);
  expect(res.status).toBe(200);
  const drained = await drainDueReceipts(h.deps);
  await h.deps.producer.flush(drained.effects);
  const [message] = await q(`select m.conversation_id, e.id as event_id from messages m join automation_events e on e.source_event_id = 'message.ingested:' || m.id where m.external_id = $1`, [externalId]);
  return { externalId, conversationId: message!.conversation_id, eventId: message!.event_id };
}

const salesRule = () => ({
  version: 1,
  trigger: { kind: "event", type: "message.ingested" },
  conditions: {
    all: [
      { path: "event.channel_type", op: "equals", value: "whatsapp" },
      { any: [{ path: "message.body", op: "contains", value: "preço" }, { path: "message.body", op: "matches", value: "quanto (custa|sai)", ignore_case_and_accents: true }] },
    ],
  },
  actions: [
    { type: "assign_round_robin", params: { among: "online_agents" } },
    { type: "create_task", params: { title: "Enviar proposta para {{contact.name | cliente}}", due_in: "1d" } },
  ],
});

const counts = async () =>
  (
    await q(`select (select count(*)::int from rule_executions) as executions, (select count(*)::int from tasks) as tasks, (select count(*)::int from automation_events) as events,
                    (select count(*)::int from conversations where assignee_id is not null) as assigned, (select count(*)::int from internal_comments) as comments,
                    (select count(*)::int from notifications) as notifications, (select count(*)::int from rules) as rules, (select count(*)::int from flows) as flows`)
  )[0]!;

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Rules Co");
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "whatsapp", name: "Vendas", config: { phone_number_id: WA_PHONE, access_token: "wa-token", app_secret: WA_SECRET, verify_token: "wa-verify" } });
  adminToken = await accessTokenFor(h.deps, t.admin);
  agentToken = await accessTokenFor(h.deps, t.agent);
  managerToken = await accessTokenFor(h.deps, t.manager);
  engine = new RuleEngine({ db: h.deps.db, producer: h.deps.producer, logger: h.deps.logger });
});
afterAll(async () => {
  await engine.close();
  await h.close();
});

describe("a rule on inbound WhatsApp messages", () => {
  let ruleId: string;

  it("is created by an admin (compiled first) and read by an agent", async () => {
    const created = await rest(h.deps, "POST", "/rules", { token: adminToken, body: { name: "Price questions to sales", definition: salesRule() } });
    expect(created.status).toBe(201);
    ruleId = created.body.id;
    expect(created.body).toMatchObject({ enabled: true, event_type: "message.ingested", version: 1 });
    const listed = await rest(h.deps, "GET", "/rules", { token: agentToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: Json) => r.id)).toEqual([ruleId]);
  });

  it("a matching message is assigned to the agent and gets a task, visible through the API", async () => {
    const { conversationId, eventId } = await customerWrites("Olá! Qual o preço do plano anual?");
    await engine.drainNow();

    const conversation = await rest(h.deps, "GET", `/conversations/${conversationId}`, { token: agentToken });
    expect(conversation.body.assignee_id).toBe(t.agent.userId);
    const tasks = await rest(h.deps, "GET", `/tasks?conversation_id=${conversationId}`, { token: agentToken });
    expect(tasks.body.items).toHaveLength(1);
    expect(tasks.body.items[0]).toMatchObject({ title: "Enviar proposta para Ana Souza", assignee_id: t.agent.userId, status: "open" });
    // Due a day after the message arrived (the event's time), not after the rule ran.
    const [event] = await q(`select occurred_at from automation_events where id = $1`, [eventId]);
    expect(Date.parse(tasks.body.items[0].due_at) - new Date(event!.occurred_at).getTime()).toBe(86_400_000);

    const log = await rest(h.deps, "GET", `/rules/executions?rule_id=${ruleId}`, { token: agentToken });
    expect(log.status).toBe(200);
    const execution = log.body.items.find((e: Json) => e.event_id === eventId);
    expect(execution).toMatchObject({ matched: true, skipped: null, errors: [], chain_depth: 0 });
    expect(execution.actions.map((a: Json) => [a.type, a.outcome])).toEqual([
      ["assign_round_robin", "done"],
      ["create_task", "done"],
    ]);
  });

  it("the events the rule's actions caused do not trigger it again, and carry its origin", async () => {
    const [assigned] = await q(`select origin from automation_events where type = 'conversation.updated' order by created_at desc limit 1`);
    expect(assigned!.origin).toMatchObject({ rule_id: ruleId, depth: 1, chain: [ruleId] });
    await engine.drainNow();
    expect((await q(`select count(*)::int as n from automation_events where rules_done_at is null`))[0]!.n).toBe(0);
  });

  it("a message that does not match is logged as not matched, and nothing is done", async () => {
    const before = await counts();
    const { conversationId, eventId } = await customerWrites("Bom dia, tudo bem?", "5585999990002", "Bruno Lima");
    await engine.drainNow();
    const [execution] = await q(`select matched, actions from rule_executions where rule_id = $1 and event_id = $2`, [ruleId, eventId]);
    expect(execution).toEqual({ matched: false, actions: [] });
    const conversation = await rest(h.deps, "GET", `/conversations/${conversationId}`, { token: agentToken });
    expect(conversation.body.assignee_id).toBeNull();
    expect((await counts()).tasks).toBe(before.tasks);
  });

  it("a disabled rule does not run", async () => {
    expect((await rest(h.deps, "PATCH", `/rules/${ruleId}`, { token: adminToken, body: { enabled: false } })).body.enabled).toBe(false);
    const { eventId } = await customerWrites("quanto custa?", "5585999990003", "Caio");
    await engine.drainNow();
    expect(await q(`select 1 from rule_executions where event_id = $1`, [eventId])).toEqual([]);
    await rest(h.deps, "PATCH", `/rules/${ruleId}`, { token: adminToken, body: { enabled: true } });
  });

  it("simulate, against a stored event and a sample, says what would happen and writes nothing", async () => {
    const [stored] = await q(`select id from automation_events where type = 'message.ingested' order by created_at limit 1`);
    const before = await counts();
    const onEvent = await rest(h.deps, "POST", `/rules/${ruleId}/simulate`, { token: agentToken, body: { event_id: stored!.id } });
    expect(onEvent.status).toBe(200);
    expect(onEvent.body).toMatchObject({ matched: true, event: { id: stored!.id, type: "message.ingested" } });
    expect(onEvent.body.summary).toContain("Nothing was written");
    expect(onEvent.body.actions.map((a: Json) => a.type)).toEqual(["assign_round_robin", "create_task"]);

    const sample = {
      event: { id: randomUUID(), type: "message.ingested", occurred_at: "2026-01-15T10:00:00Z", payload: { channel_type: "whatsapp", body: "oi" } },
      message: { body: "oi, tudo bem" },
      contact: { name: "Dora" },
    };
    const onSample = await rest(h.deps, "POST", "/rules/simulate", { token: agentToken, body: { definition: salesRule(), sample } });
    expect(onSample.status).toBe(200);
    expect(onSample.body.matched).toBe(false);
    expect(onSample.body.conditions.length).toBe(3);

    expect(await counts()).toEqual(before);
  });

  it("simulate refuses another tenant's event, a bad sample and a definition that does not compile (422 with the path)", async () => {
    const other = await seedTenant(h.deps, "Other");
    const otherEvent = await q(`insert into automation_events (tenant_id, type, source_event_id, payload) values ($1, 'contact.updated', $2, '{}') returning id`, [other.admin.tenantId, `x:${randomUUID()}`]);
    expect((await rest(h.deps, "POST", `/rules/${ruleId}/simulate`, { token: adminToken, body: { event_id: otherEvent[0]!.id } })).status).toBe(404);
    const badSample = await rest(h.deps, "POST", `/rules/${ruleId}/simulate`, { token: adminToken, body: { sample: { event: { type: "nope" } } } });
    expect(badSample.status).toBe(422);
    const broken = { ...salesRule(), conditions: { all: [{ path: "contact.nmae", op: "equals", value: "x" }] } };
    const refused = await rest(h.deps, "POST", "/rules", { token: adminToken, body: { name: "Broken", definition: broken } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.path).toBe("definition.conditions.all[0].path");
    expect(refused.body.error.message).toContain('did you mean "contact.name"');
    const validated = await rest(h.deps, "POST", "/rules/validate", { token: agentToken, body: { definition: broken } });
    expect(validated.body).toMatchObject({ ok: false, errors: [{ path: "conditions.all[0].path" }] });
  });

  it("a rule naming a user of another workspace is refused", async () => {
    const other = await seedTenant(h.deps, "Elsewhere");
    const definition = { ...salesRule(), actions: [{ type: "assign_agent", params: { user_id: other.agent.userId } }] };
    const refused = await rest(h.deps, "POST", "/rules", { token: adminToken, body: { name: "Foreign", definition } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.path).toBe("definition.actions[0].params.user_id");
  });

  it("agents and managers read, only admins write", async () => {
    for (const token of [agentToken, managerToken]) {
      expect((await rest(h.deps, "GET", `/rules/${ruleId}`, { token })).status).toBe(200);
      expect((await rest(h.deps, "POST", "/rules", { token, body: { name: "x", definition: salesRule() } })).status).toBe(403);
      expect((await rest(h.deps, "PATCH", `/rules/${ruleId}`, { token, body: { enabled: false } })).status).toBe(403);
      expect((await rest(h.deps, "DELETE", `/rules/${ruleId}`, { token })).status).toBe(403);
      expect((await rest(h.deps, "POST", "/flows/from-text", { token, body: { text: "when a message mentions price, assign it to the agents" } })).status).toBe(403);
    }
  });
});

describe("two rule engines on the same events", () => {
  it("each rule runs once per event: one execution, one task", async () => {
    const second = new RuleEngine({ db: h.deps.db, producer: h.deps.producer, logger: h.deps.logger }, { batchSize: 1 });
    const first = new RuleEngine({ db: h.deps.db, producer: h.deps.producer, logger: h.deps.logger }, { batchSize: 1 });
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await customerWrites(`qual o preço? #${i}`, `55859999901${String(i).padStart(2, "0")}`, `Cliente ${i}`));
    // Both claim side by side; a lease taken over mid-run (simulated below) must not double the actions either.
    await Promise.all([first.drainNow(), second.drainNow()]);
    await q(`update automation_events set rules_done_at = null, rules_locked_until = null where id = any($1::uuid[])`, [sent.map((s) => s.eventId)]);
    await Promise.all([first.drainNow(), second.drainNow()]);
    await Promise.all([first.close(), second.close()]);
    for (const { eventId, conversationId } of sent) {
      expect((await q(`select count(*)::int as n from rule_executions where event_id = $1`, [eventId]))[0]!.n).toBe(1);
      expect((await q(`select count(*)::int as n from tasks where conversation_id = $1`, [conversationId]))[0]!.n).toBe(1);
    }
  });
});

describe("loop prevention", () => {
  it("a rule whose action causes the event it listens to runs once, then is skipped as already applied", async () => {
    const created = await rest(h.deps, "POST", "/rules", {
      token: adminToken,
      body: { name: "Label every change", definition: { version: 1, trigger: { kind: "event", type: "conversation.updated" }, actions: [{ type: "set_priority", params: { priority: "high" } }, { type: "add_label", params: { label: "touched" } }] } },
    });
    const { conversationId } = await customerWrites("preço?", "5585999990900", "Loop");
    for (let i = 0; i < 4; i++) await engine.drainNow();
    const runs = await q<{ matched: boolean; skipped: string | null; chain_depth: number }>(
      `select x.matched, x.skipped, x.chain_depth from rule_executions x join automation_events e on e.id = x.event_id where x.rule_id = $1 and e.payload->>'conversation_id' = $2 order by x.created_at`,
      [created.body.id, conversationId],
    );
    // The assignment (by the sales rule) triggers it once; its own changes come back as already applied.
    expect(runs.filter((r) => r.matched)).toHaveLength(1);
    expect(runs.filter((r) => !r.matched).every((r) => r.skipped === "already_applied")).toBe(true);
    expect(runs.length).toBeGreaterThan(1);
    const conversation = await rest(h.deps, "GET", `/conversations/${conversationId}`, { token: agentToken });
    expect(conversation.status).toBe(200);
    expect((await q(`select priority, labels from conversations where id = $1`, [conversationId]))[0]).toEqual({ priority: "high", labels: ["touched"] });
    await rest(h.deps, "DELETE", `/rules/${created.body.id}`, { token: adminToken });
  });
});

describe("flows", () => {
  it("from-text (local heuristic) gives a compiled flow to review; nothing is saved; the call is logged without its text", async () => {
    const before = await counts();
    const text = "quando uma mensagem do WhatsApp mencionar preço, atribuir ao suporte e criar uma tarefa para amanhã";
    const answer = await rest(h.deps, "POST", "/flows/from-text", { token: adminToken, body: { text } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, provider: { name: "local", label: "local heuristic" } });
    expect(answer.body.definition.trigger).toEqual({ kind: "event", type: "message.ingested" });
    // "suporte" is the agents of the workspace: one agent here, so assigned to them directly.
    expect(answer.body.definition.steps[0].actions.map((a: Json) => a.type)).toEqual(["assign_agent", "create_task"]);
    expect(answer.body.definition.steps[0].actions[0].params.user_id).toBe(t.agent.userId);
    expect(answer.body.plan.steps[0].actions[1].params.due_in_seconds).toBe(86_400);
    expect(await counts()).toEqual(before);
    const [logged] = await q(`select purpose, provider, input_chars, outcome, message_id from ai_events where tenant_id = $1 order by created_at desc limit 1`, [t.admin.tenantId]);
    expect(logged).toEqual({ purpose: "flow_from_text", provider: "local", input_chars: text.length, outcome: "ok", message_id: null });

    const unclear = await rest(h.deps, "POST", "/flows/from-text", { token: adminToken, body: { text: "make everything better please" } });
    expect(unclear.body).toMatchObject({ ok: false, definition: null });
    expect(unclear.body.message.length).toBeGreaterThan(0);
  });

  it("a saved flow starts on a matching event and runs its step from the delayed job", async () => {
    const definition = {
      version: 1,
      trigger: { kind: "event", type: "message.ingested" },
      conditions: { all: [{ path: "message.body", op: "contains", value: "reclamação" }] },
      steps: [{ actions: [{ type: "add_internal_comment", params: { text: "Cliente reclamando: {{contact.name}}" } }] }, { wait: "2h", actions: [{ type: "set_status", params: { status: "pending" } }] }],
    };
    const validated = await rest(h.deps, "POST", "/flows/validate", { token: agentToken, body: { definition } });
    expect(validated.body).toMatchObject({ ok: true, errors: [] });
    expect(validated.body.plan.steps.map((s: Json) => s.offset_seconds)).toEqual([0, 7200]);
    const created = await rest(h.deps, "POST", "/flows", { token: adminToken, body: { name: "Complaints", enabled: true, definition } });
    expect(created.status).toBe(201);

    const { conversationId, eventId } = await customerWrites("quero fazer uma reclamação", "5585999990777", "Eva");
    await engine.drainNow();
    const [start] = await q(`select matched, step from rule_executions where flow_id = $1 and event_id = $2`, [created.body.id, eventId]);
    expect(start).toEqual({ matched: true, step: null });
    const jobs = await h.deps.producer.flowSteps.getJobs(["delayed", "waiting"]);
    const mine = jobs.filter((j) => j.data.flow_id === created.body.id && j.data.event_id === eventId).sort((a, b) => a.data.step - b.data.step);
    expect(mine.map((j) => j.data.step)).toEqual([0, 1]);
    expect(mine[1]!.opts.delay).toBeGreaterThan(7_000_000);

    const ran = await runFlowStep(h.deps.db, mine[0]!.data);
    expect(ran.outcome).toBe("ran");
    expect(await q(`select body from internal_comments where conversation_id = $1`, [conversationId])).toEqual([{ body: "Cliente reclamando: Eva" }]);
    // The job again (a retry, a second worker): nothing more.
    expect((await runFlowStep(h.deps.db, mine[0]!.data)).outcome).toBe("already_ran");
    expect(await q(`select count(*)::int as n from internal_comments where conversation_id = $1`, [conversationId])).toEqual([{ n: 1 }]);

    // Edited before the second step is due: the old plan's step does not run.
    await rest(h.deps, "PATCH", `/flows/${created.body.id}`, { token: adminToken, body: { definition: { ...definition, steps: [definition.steps[0]] } } });
    await runFlowStep(h.deps.db, mine[1]!.data);
    const [late] = await q(`select matched, errors from rule_executions where flow_id = $1 and event_id = $2 and step = 1`, [created.body.id, eventId]);
    expect(late).toEqual({ matched: false, errors: ["the flow was changed after it started"] });
    expect((await rest(h.deps, "GET", `/conversations/${conversationId}`, { token: agentToken })).body.status).toBe("open");
  });
});
