import { describe, expect, it } from "vitest";
import { IDS } from "../../testing/fixtures";
import type { AssigneeDirectory, FlowFromTextResult } from "../provider";
import { flowFromTextLocally } from "./flow-from-text";

const SALES = [IDS.agent, IDS.otherAgent];
const BRUNO = "b1b2b3b4-c5c6-4d7d-8e8e-9f9f0a0a1b1b";
const directory: AssigneeDirectory = {
  entries: [
    { name: "Vendas", aliases: ["sales", "comercial"], user_ids: SALES },
    { name: "Bruno Costa", user_ids: [BRUNO] },
    { name: "Suporte", aliases: ["support"], user_ids: [IDS.agent] },
  ],
};

function understood(text: string) {
  const result = flowFromTextLocally({ text, directory });
  if (!result.ok) throw new Error(result.message);
  return result;
}

function refused(text: string): Extract<FlowFromTextResult, { ok: false }> {
  const result = flowFromTextLocally({ text, directory });
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.definition)}`);
  return result;
}

const whatsappPrice = (term: string) => ({ all: [{ path: "event.channel_type", op: "equals", value: "whatsapp" }, { any: [{ path: "message.body", op: "contains", value: term, ignore_case_and_accents: true }] }] });

describe("natural language -> flow, local patterns", () => {
  it("the issue's English example", () => {
    const result = understood("When a WhatsApp message mentions price, assign it to the sales agents and create a follow-up task for tomorrow");
    expect(result.definition).toEqual({
      version: 1,
      trigger: { kind: "event", type: "message.ingested" },
      conditions: whatsappPrice("price"),
      steps: [{ actions: [{ type: "assign_round_robin", params: { among: SALES } }, { type: "create_task", params: { title: "Follow up with {{contact.name | the contact}} about price", due_in: "1d" } }] }],
    });
    expect(result.understood).toEqual([
      'When a new WhatsApp message arrives that mentions "price"',
      "Assign to Vendas (round robin among 2 agents)",
      'Create the task "Follow up with {{contact.name | the contact}} about price", due in 1 day(s)',
    ]);
    expect(result.flow.steps[0]!.actions[1]).toEqual({ type: "create_task", params: { title: "Follow up with {{contact.name | the contact}} about price", description: null, due_in_seconds: 86_400, assignee: "conversation_assignee" } });
  });

  it("the issue's Portuguese example", () => {
    const result = understood("quando uma mensagem do WhatsApp mencionar preço, atribuir a vendas e criar uma tarefa para amanhã");
    expect(result.definition).toEqual({
      version: 1,
      trigger: { kind: "event", type: "message.ingested" },
      conditions: whatsappPrice("preço"),
      steps: [{ actions: [{ type: "assign_round_robin", params: { among: SALES } }, { type: "create_task", params: { title: "Retornar para {{contact.name | o cliente}} sobre preço", due_in: "1d" } }] }],
    });
    expect(result.understood[0]).toBe('Quando chegar uma nova mensagem do WhatsApp que mencione "preço"');
  });

  it("keyword lists, labels and a quoted reply that contains a comma", () => {
    const result = understood('when a message mentions price, cost or "desconto", add the label pricing and reply with "Thanks, we will send our prices shortly"');
    expect(result.definition.conditions).toEqual({
      all: [{ any: ["price", "cost", "desconto"].map((value) => ({ path: "message.body", op: "contains", value, ignore_case_and_accents: true })) }],
    });
    expect(result.definition.steps[0]!.actions).toEqual([
      { type: "add_label", params: { label: "pricing" } },
      { type: "send_message", params: { text: "Thanks, we will send our prices shortly" } },
    ]);
  });

  it("waits make steps (Portuguese)", () => {
    const result = understood('Quando chegar uma mensagem do Instagram, atribuir ao Bruno, esperar 2 horas e depois adicionar uma nota interna "verificar se respondeu"');
    expect(result.definition.conditions).toEqual({ all: [{ path: "event.channel_type", op: "equals", value: "instagram" }] });
    expect(result.definition.steps).toEqual([
      { actions: [{ type: "assign_agent", params: { user_id: BRUNO } }] },
      { wait: "2h", actions: [{ type: "add_internal_comment", params: { text: "verificar se respondeu" } }] },
    ]);
    expect(result.flow.steps[1]!.offset_seconds).toBe(7200);
  });

  it("an action without a comma after the trigger, 'and' between actions, and 'after N, ...'", () => {
    const result = understood('whenever an email message says "cancel" mark it as urgent and after 1 day, resolve it');
    expect(result.definition.conditions).toEqual({ all: [{ path: "event.channel_type", op: "equals", value: "email" }, { any: [{ path: "message.body", op: "contains", value: "cancel", ignore_case_and_accents: true }] }] });
    expect(result.definition.steps).toEqual([
      { actions: [{ type: "set_priority", params: { priority: "urgent" } }] },
      { wait: "1d", actions: [{ type: "set_status", params: { status: "resolved" } }] },
    ]);
  });

  it("scheduled triggers: overdue tasks", () => {
    const result = understood("when a task is overdue, notify the managers and set the priority to high");
    expect(result.definition).toEqual({
      version: 1,
      trigger: { kind: "schedule", type: "task.overdue" },
      steps: [{ actions: [{ type: "notify_users", params: { to: { role: "manager" }, title: "Overdue task: {{event.title}}" } }, { type: "set_priority", params: { priority: "high" } }] }],
    });
  });

  it("scheduled triggers: stalled leads, with a task title and a due date in days (Portuguese)", () => {
    const result = understood("quando um lead ficar parado, notificar os gerentes e criar uma tarefa para ligar para o cliente em 2 dias");
    expect(result.definition.trigger).toEqual({ kind: "schedule", type: "lead.stalled" });
    expect(result.definition.steps[0]!.actions).toEqual([
      { type: "notify_users", params: { to: { role: "manager" }, title: "Lead parado: {{contact.name | um contato}}" } },
      { type: "create_task", params: { title: "ligar para o cliente", due_in: "2d" } },
    ]);
  });

  it.each([
    ["when a message arrives, assign to any online agent", { type: "assign_round_robin", params: { among: "online_agents" } }],
    ["quando chegar uma mensagem, atribuir a qualquer agente online", { type: "assign_round_robin", params: { among: "online_agents" } }],
    ["when a message arrives, mark it as resolved", { type: "set_status", params: { status: "resolved" } }],
    ["quando chegar uma mensagem, marcar como pendente", { type: "set_status", params: { status: "pending" } }],
    ["quando chegar uma mensagem, definir a prioridade como alta", { type: "set_priority", params: { priority: "high" } }],
    ["quando chegar uma mensagem, adicionar a etiqueta Orçamento", { type: "add_label", params: { label: "Orçamento" } }],
    ['quando chegar uma mensagem, responder com "Olá! Já vamos atender."', { type: "send_message", params: { text: "Olá! Já vamos atender." } }],
    ["when a message arrives, increase the lead score by 10", { type: "change_lead_score", params: { delta: 10 } }],
    ["quando chegar uma mensagem, diminuir a pontuação do lead em 5", { type: "change_lead_score", params: { delta: -5 } }],
    ["when a message arrives, notify Bruno", { type: "notify_users", params: { to: { user_ids: [BRUNO] }, title: "New message from {{contact.name | a contact}}" } }],
    ['when a message arrives, create a task called "Check the order"', { type: "create_task", params: { title: "Check the order" } }],
    ["when a message arrives, create a task in 3 hours", { type: "create_task", params: { title: "Follow up with {{contact.name | the contact}}", due_in: "3h" } }],
  ])("%s", (text, action) => {
    expect(understood(text).definition.steps[0]!.actions).toEqual([action]);
  });
});

describe("natural language -> flow, the documented patterns", () => {
  it.each<[string, string, string[][]]>([
    ["when a lead is stalled, notify Bruno", "lead.stalled", [["notify_users"]]],
    ["quando uma tarefa vencer, avisar os administradores", "task.overdue", [["notify_users"]]],
    ["when a message arrives, tag it vip", "message.ingested", [["add_label"]]],
    ['when an Instagram message asks about delivery, send a message saying "We deliver in 2 days, and for free"', "message.ingested", [["send_message"]]],
    ["quando chegar uma mensagem, aguardar 30 minutos e marcar como resolvida", "message.ingested", [["set_status"]]],
    ['when a message mentions refund, add an internal note "check the order" and set the priority to high and close it', "message.ingested", [["add_internal_comment", "set_priority", "set_status"]]],
    ["when a message arrives, assign it to Bruno, wait 1 day, create a task and after 2 days, notify the admins", "message.ingested", [["assign_agent"], ["create_task"], ["notify_users"]]],
    ["Quando chegar uma nova mensagem do e-mail, encaminhar para a equipe de vendas então adicionar a etiqueta comercial", "message.ingested", [["assign_round_robin", "add_label"]]],
  ])("%s", (text, eventType, actionTypes) => {
    const { definition } = understood(text);
    expect(definition.trigger.type).toBe(eventType);
    expect(definition.steps.map((step) => step.actions.map((action) => action.type))).toEqual(actionTypes);
  });

  it("reads 'the word' and quoted keywords", () => {
    const { definition } = understood('when a message contains the word "black or white" or refund, resolve it');
    expect(definition.conditions).toEqual({ all: [{ any: ["black or white", "refund"].map((value) => ({ path: "message.body", op: "contains", value, ignore_case_and_accents: true })) }] });
  });

  it("keeps a quoted text whole", () => {
    const { definition } = understood('when an Instagram message asks about delivery, send a message saying "We deliver in 2 days, and for free"');
    expect(definition.steps[0]!.actions[0]!.params).toEqual({ text: "We deliver in 2 days, and for free" });
  });
});

describe("natural language -> flow, what the local provider does not understand", () => {
  it("an action it has no pattern for: says what it understood and what not", () => {
    const result = refused("when a message mentions price, transfer money to my account");
    expect(result.understood).toEqual(['When a new message arrives that mentions "price"']);
    expect(result.not_understood).toEqual(["transfer money to my account"]);
    expect(result.message).toContain('I did not understand: "transfer money to my account"');
    expect(result.message).toContain("configure an AI provider (AI_BASE_URL, AI_API_KEY, AI_MODEL)");
  });

  it("a person nobody knows", () => {
    const result = refused("when a message mentions price, assign it to Carla");
    expect(result.not_understood).toEqual(['I do not know who "Carla" is (known: Vendas, Bruno Costa, Suporte)']);
  });

  it("no trigger", () => {
    const result = refused("please make everything better");
    expect(result).toMatchObject({ understood: [], not_understood: ["please make everything better"] });
    expect(result.message).toContain("Write it like");
  });

  it("a condition it cannot express is refused, never dropped (answers in Portuguese)", () => {
    const result = refused("quando uma mensagem do WhatsApp vier de um cliente VIP, atribuir a vendas");
    expect(result.not_understood).toEqual(["quando uma mensagem do WhatsApp vier de um cliente VIP (palavras desconhecidas: vier, cliente, vip)"]);
    expect(result.message).toMatch(/^Não entendi: .* Escreva como "quando uma mensagem do WhatsApp mencionar preço/);
  });

  it("a trigger without any action", () => {
    expect(refused("quando uma mensagem mencionar preço").not_understood).toEqual(["não há nenhuma ação (o que deve acontecer?)"]);
  });

  it("a wait with nothing after it", () => {
    expect(refused("when a message arrives, wait 2 hours").not_understood).toEqual(["an action is missing (every wait must be followed by an action)"]);
  });

  it("a flow that does not compile is shown with its errors", () => {
    const result = refused("when a lead stalls, assign it to sales");
    expect(result.errors).toEqual([{ path: "steps[0].actions[0].type", message: "assign_round_robin acts on a conversation, and lead.stalled events have none" }]);
    expect(result.message).toContain("I understood the instruction, but the flow it makes is not valid");
  });

  it.each([
    ["", "The instruction is empty."],
    [`when a message mentions ${"x".repeat(1000)}, resolve it`, "longer than 1000 characters"],
  ])("refuses %#", (text, message) => {
    expect(refused(text).message).toContain(message);
  });
});
