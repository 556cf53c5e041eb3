import { describe, expect, it } from "vitest";
import { compileFlow } from "../definition/flow";
import { compileRule } from "../definition/rule";
import { IDS, taskOverdueFacts, whatsappMessageFacts } from "../testing/fixtures";
import { simulate, simulateFlow } from "./simulate";

const compiled = (() => {
  const result = compileRule({
    version: 1,
    trigger: { kind: "event", type: "message.ingested" },
    conditions: { all: [{ path: "message.body", op: "contains", value: "preco" }, { path: "contact.lead_score", op: "lt", value: 50 }, { path: "contact.email", op: "is_set" }] },
    actions: [
      { type: "assign_agent", params: { user_id: IDS.agent } },
      { type: "create_task", params: { title: "Proposta para {{contact.name}}", due_in: "1d", assignee: "none" } },
      { type: "send_message", params: { text: "Olá {{contact.name | cliente}}, já lhe enviamos os preços." } },
      { type: "change_lead_score", params: { delta: 20 } },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.rule;
})();

describe("simulate", () => {
  it("explains which conditions held and what would run, with variables filled", () => {
    const simulation = simulate(compiled, whatsappMessageFacts());
    expect(simulation.summary).toBe("The conditions hold: 4 action(s) would run. Nothing was written.");
    expect(simulation.conditions.map((c) => c.text)).toEqual([
      'message.body contains "preco" (ignoring case and accents): it is "Olá! Qual o preço do plano anual?", so yes',
      "contact.lead_score is less than 50: it is 40, so yes",
      'contact.email is set: it is "ana@example.com", so yes',
    ]);
    expect(simulation.actions.map((a) => a.text)).toEqual([
      `Assign the conversation to user ${IDS.agent}`,
      'Create the task "Proposta para Ana Silva", due 2025-01-16T10:30:00.000Z, unassigned',
      'Send the message "Olá Ana Silva, já lhe enviamos os preços."',
      "Change the lead score by +20 (40 -> 60)",
    ]);
    expect(simulation.actions[1]!.params).toEqual({ title: "Proposta para Ana Silva", description: null, due_at: "2025-01-16T10:30:00.000Z", assignee: "none", conversation_id: IDS.conversation, contact_id: IDS.contact });
  });

  it("says why nothing would run", () => {
    const facts = whatsappMessageFacts("Bom dia");
    facts.contact = { ...facts.contact, email: null };
    const simulation = simulate(compiled, facts);
    expect(simulation.matched).toBe(false);
    expect(simulation.summary).toBe("The conditions do not hold (1 of 3 tests pass): nothing would run.");
    expect(simulation.conditions.map((c) => c.text)).toEqual([
      'message.body contains "preco" (ignoring case and accents): it is "Bom dia", so no',
      "contact.lead_score is less than 50: it is 40, so yes",
      "contact.email is set: it is missing, so no",
    ]);
    expect(simulation.actions).toEqual([]);
  });

  it("says when the event is of another type, or the chain forbids the rule", () => {
    expect(simulate(compiled, taskOverdueFacts(true)).summary).toBe("Not run: it listens to message.ingested events and this is a task.overdue event.");
    const execution = { root_event_id: IDS.event, depth: 1, chain: ["rule-1"] };
    expect(simulate(compiled, whatsappMessageFacts(), { ruleId: "rule-1", execution }).summary).toBe("Not run: it already acted in this chain of events (loop prevention).");
  });

  it("marks actions that would be skipped", () => {
    const result = compileRule({ version: 1, trigger: { kind: "schedule", type: "task.overdue" }, actions: [{ type: "add_label", params: { label: "late" } }, { type: "notify_users", params: { to: { role: "admin" }, title: "Late: {{event.title}}" } }] });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const simulation = simulate(result.rule, taskOverdueFacts(false));
    expect(simulation.summary).toBe("The conditions hold: 1 action(s) would run, 1 skipped. Nothing was written.");
    expect(simulation.actions.map((a) => a.text)).toEqual(['Add the label "late" (skipped: this event has no conversation)', 'Notify every admin: "Late: Send the quote"']);
  });
});

describe("simulateFlow", () => {
  const plan = (() => {
    const result = compileFlow({
      version: 1,
      trigger: { kind: "event", type: "message.ingested" },
      conditions: { all: [{ path: "event.channel_type", op: "equals", value: "whatsapp" }] },
      steps: [
        { actions: [{ type: "assign_round_robin", params: { among: "online_agents" } }] },
        { name: "nudge", wait: "1d", conditions: { all: [{ path: "conversation.status", op: "equals", value: "resolved" }] }, actions: [{ type: "add_internal_comment", params: { text: "Still waiting" } }] },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.flow;
  })();

  it("shows when each step would run and whether its conditions hold now", () => {
    const simulation = simulateFlow(plan, whatsappMessageFacts());
    expect(simulation.starts).toBe(true);
    expect(simulation.summary).toBe("The flow would start: 2 step(s) scheduled, 1 of them with conditions that hold now. Nothing was written.");
    expect(simulation.steps.map((s) => [s.index, s.name, s.run_at, s.matched, s.actions.map((a) => a.text)])).toEqual([
      [0, null, "2025-01-15T10:30:00.000Z", true, ["Assign the conversation to the next online agent (round robin)"]],
      [1, "nudge", "2025-01-16T10:30:00.000Z", false, []],
    ]);
  });

  it("does not start when the entry conditions fail", () => {
    const facts = whatsappMessageFacts();
    facts.event.payload.channel_type = "email";
    const simulation = simulateFlow(plan, facts);
    expect(simulation).toMatchObject({ starts: false, steps: [], summary: "The conditions do not hold (0 of 1 tests pass): nothing would run." });
  });
});
