import { describe, expect, it } from "vitest";
import { compileRule, type CompiledRule } from "../definition/rule";
import { IDS, OCCURRED_AT, taskOverdueFacts, whatsappMessageFacts } from "../testing/fixtures";
import { rootExecution } from "./chain";
import { evaluate } from "./evaluate";

function rule(definition: Record<string, unknown>): CompiledRule {
  const result = compileRule({ version: 1, trigger: { kind: "event", type: "message.ingested" }, ...definition });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.rule;
}

const priceRule = rule({
  conditions: {
    all: [
      { path: "event.channel_type", op: "equals", value: "whatsapp" },
      { any: [{ path: "message.body", op: "contains", value: "preco" }, { path: "message.body", op: "contains", value: "quanto custa" }] },
    ],
  },
  actions: [
    { type: "assign_round_robin", params: { among: [IDS.agent, IDS.otherAgent] } },
    { type: "create_task", params: { title: "Enviar proposta para {{contact.name | cliente}}", due_in: "1d" } },
    { type: "add_label", params: { label: "pricing" } },
  ],
});

describe("evaluate", () => {
  it("matches, lists every test with what it read, and resolves the actions", () => {
    const evaluation = evaluate({ id: "rule-1", compiled: priceRule }, whatsappMessageFacts());
    expect(evaluation.matched).toBe(true);
    expect(evaluation.skipped).toBeNull();
    expect(evaluation.conditions).toEqual([
      { path: "event.channel_type", op: "equals", expected: "whatsapp", actual: "whatsapp", result: true },
      { path: "message.body", op: "contains", expected: "preco", actual: "Olá! Qual o preço do plano anual?", result: true, ignore_case_and_accents: true },
      { path: "message.body", op: "contains", expected: "quanto custa", actual: "Olá! Qual o preço do plano anual?", result: false, ignore_case_and_accents: true },
    ]);
    const origin = { rule_id: "rule-1", root_event_id: IDS.event, depth: 1, chain: ["rule-1"] };
    expect(evaluation.actions).toEqual([
      { type: "assign_round_robin", params: { conversation_id: IDS.conversation, among: [IDS.agent, IDS.otherAgent] }, origin, skipped: null },
      {
        type: "create_task",
        params: { title: "Enviar proposta para Ana Silva", description: null, due_at: "2025-01-16T10:30:00.000Z", assignee: "conversation_assignee", conversation_id: IDS.conversation, contact_id: IDS.contact },
        origin,
        skipped: null,
      },
      { type: "add_label", params: { conversation_id: IDS.conversation, label: "pricing" }, origin, skipped: null },
    ]);
  });

  it("does not match when a group fails, and then resolves no action", () => {
    const evaluation = evaluate({ id: "rule-1", compiled: priceRule }, whatsappMessageFacts("Bom dia, vocês entregam em Lisboa?"));
    expect(evaluation.matched).toBe(false);
    expect(evaluation.conditions.map((c) => c.result)).toEqual([true, false, false]);
    expect(evaluation.trace).toMatchObject({ group: "all", result: false, members: [{ result: true }, { group: "any", result: false }] });
    expect(evaluation.actions).toEqual([]);
  });

  it("uses a template's fallback when the value is missing", () => {
    const facts = whatsappMessageFacts();
    facts.contact = { ...facts.contact, name: null };
    const task = evaluate({ id: "rule-1", compiled: priceRule }, facts).actions[1]!;
    expect(task.params.title).toBe("Enviar proposta para cliente");
  });

  it("skips a rule written for another event type", () => {
    const evaluation = evaluate({ id: "rule-1", compiled: priceRule }, taskOverdueFacts(true));
    expect(evaluation).toMatchObject({ matched: false, skipped: "other_event_type", actions: [] });
  });

  it("is pure: the same input gives the same output and the facts are not changed", () => {
    const facts = whatsappMessageFacts();
    const before = structuredClone(facts);
    const first = evaluate({ id: "rule-1", compiled: priceRule }, facts, rootExecution(IDS.event));
    expect(evaluate({ id: "rule-1", compiled: priceRule }, facts, rootExecution(IDS.event))).toEqual(first);
    expect(facts).toEqual(before);
  });

  it("survives a stored rule round-tripped through JSON", () => {
    const stored = JSON.parse(JSON.stringify(priceRule)) as CompiledRule;
    expect(evaluate({ id: "rule-1", compiled: stored }, whatsappMessageFacts()).matched).toBe(true);
  });
});

describe("resolved actions on events without the record they need", () => {
  const overdue = (actions: unknown[]) => {
    const result = compileRule({ version: 1, trigger: { kind: "schedule", type: "task.overdue" }, actions });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.rule;
  };

  it("skips conversation actions when the overdue task has no conversation, and still runs the rest", () => {
    const compiled = overdue([
      { type: "set_priority", params: { priority: "high" } },
      { type: "notify_users", params: { to: { role: "manager" }, title: "Overdue: {{event.title}}" } },
    ]);
    const actions = evaluate({ id: "r", compiled }, taskOverdueFacts(false)).actions;
    expect(actions.map((a) => [a.type, a.skipped])).toEqual([
      ["set_priority", "this event has no conversation"],
      ["notify_users", null],
    ]);
    expect(actions[1]!.params).toEqual({ to: { role: "manager" }, title: "Overdue: Send the quote" });
  });

  it("runs them when it has one", () => {
    const compiled = overdue([{ type: "set_status", params: { status: "snoozed", snooze_for: "4h" } }]);
    expect(evaluate({ id: "r", compiled }, taskOverdueFacts(true)).actions[0]).toMatchObject({
      params: { conversation_id: IDS.conversation, status: "snoozed", snoozed_until: "2025-01-15T14:30:00.000Z" },
      skipped: null,
    });
  });

  it("skips a message that is empty once its variables are filled", () => {
    const compiled = overdue([{ type: "send_message", params: { text: "{{contact.name}}" } }]);
    expect(evaluate({ id: "r", compiled }, taskOverdueFacts(true)).actions[0]!.skipped).toBe("the text is empty once its variables are filled");
  });

  it("computes the lead score a change would give, clamped", () => {
    const compiled = overdue([{ type: "change_lead_score", params: { delta: -20 } }]);
    expect(evaluate({ id: "r", compiled }, taskOverdueFacts(true)).actions[0]!.params).toEqual({ contact_id: IDS.contact, delta: -20, previous_score: 10, score: 0 });
  });

  it("emits the event being evaluated to the destination", () => {
    const compiled = overdue([{ type: "emit_to_destination", params: { destination_id: IDS.destination } }]);
    expect(evaluate({ id: "r", compiled }, taskOverdueFacts(true)).actions[0]!.params).toEqual({ destination_id: IDS.destination, event_id: IDS.event });
  });

  it("times everything from the event, not from the clock", () => {
    const compiled = overdue([{ type: "create_task", params: { title: "Chase", due_in: "30m", assignee: { user_id: IDS.otherAgent } } }]);
    const params = evaluate({ id: "r", compiled }, taskOverdueFacts(false)).actions[0]!.params;
    expect(params).toMatchObject({ due_at: new Date(Date.parse(OCCURRED_AT) + 1_800_000).toISOString(), assignee: { user_id: IDS.otherAgent }, conversation_id: null, contact_id: IDS.contact });
  });
});
