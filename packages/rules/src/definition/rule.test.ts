import { describe, expect, it } from "vitest";
import { IDS } from "../testing/fixtures";
import { compileRule } from "./rule";

const trigger = { kind: "event", type: "message.ingested" };
const assign = { type: "assign_agent", params: { user_id: IDS.agent } };

function valid(overrides: Record<string, unknown> = {}) {
  return { version: 1, trigger, conditions: { all: [{ path: "message.body", op: "contains", value: "preço" }] }, actions: [assign], ...overrides };
}

function errorsOf(definition: unknown) {
  const result = compileRule(definition);
  if (result.ok) throw new Error("expected compile errors");
  return result.errors;
}

describe("compileRule: errors carry the JSON path of the offending value", () => {
  it.each<[string, unknown, string, string]>([
    ["not an object", [], "$", "a rule is a JSON object"],
    ["no version", { trigger, actions: [assign] }, "version", "version is required"],
    ["a future version", valid({ version: 2 }), "version", "unsupported rule version 2"],
    ["a version as text", valid({ version: "1" }), "version", 'unsupported rule version "1"'],
    ["an unknown top-level key", valid({ priority: 3 }), "priority", 'unknown key "priority"'],
    ["no trigger", valid({ trigger: undefined }), "trigger", 'expected {"kind": "event"'],
    ["an unknown trigger kind", valid({ trigger: { kind: "cron", type: "message.ingested" } }), "trigger.kind", 'kind must be "event" or "schedule"'],
    ["an event type outside the catalog", valid({ trigger: { kind: "event", type: "message.deleted" } }), "trigger.type", "type must be one of message.ingested"],
    ["a schedule that is not a scheduled check", valid({ trigger: { kind: "schedule", type: "message.ingested" } }), "trigger.type", "type must be one of task.overdue, lead.stalled"],
    ["a misspelt field", valid({ conditions: { all: [{ path: "contact.nmae", op: "equals", value: "Ana" }] } }), "conditions.all[0].path", 'unknown field "contact.nmae" on message.ingested events (did you mean "contact.name"?)'],
    ["a record the event does not have", { ...valid(), trigger: { kind: "event", type: "lead.score_changed" }, actions: [{ type: "change_lead_score", params: { delta: 5 } }], conditions: { all: [{ path: "message.body", op: "is_set" }] } }, "conditions.all[0].path", "message.* is not available on lead.score_changed events"],
    ["a path from nowhere", valid({ conditions: { all: [{ path: "tenant.name", op: "is_set" }] } }), "conditions.all[0].path", 'unknown path "tenant.name"'],
    ["an unknown operator", valid({ conditions: { all: [{ path: "message.body", op: "startsWith", value: "a" }] } }), "conditions.all[0].op", "op must be one of equals"],
    ["a key a condition does not have", valid({ conditions: { all: [{ path: "message.body", op: "contains", value: "a", negate: true }] } }), "conditions.all[0].negate", 'unknown key "negate"'],
    ["a number compared with text", valid({ conditions: { all: [{ path: "contact.lead_score", op: "gt", value: "50" }] } }), "conditions.all[0].value", "expected a number"],
    ["gt on text", valid({ conditions: { all: [{ path: "contact.name", op: "gt", value: 3 }] } }), "conditions.all[0].value", "gt compares numbers and dates, not contact.name (a text)"],
    ["contains on a number", valid({ conditions: { all: [{ path: "contact.lead_score", op: "contains", value: "4" }] } }), "conditions.all[0].value", "contains applies to text and lists, not contact.lead_score (a number)"],
    ["an enum value that does not exist", valid({ conditions: { any: [{ path: "conversation.status", op: "equals", value: "closed" }] } }), "conditions.any[0].value", "expected one of open, pending, resolved, snoozed"],
    ["in without a list", valid({ conditions: { all: [{ path: "event.channel_type", op: "in", value: "whatsapp" }] } }), "conditions.all[0].value", "in takes a list of 1 to 100 values"],
    ["one bad value inside in", valid({ conditions: { all: [{ path: "event.channel_type", op: "in", value: ["whatsapp", "telegram"] }] } }), "conditions.all[0].value[1]", "expected one of whatsapp"],
    ["equals on a list", valid({ conditions: { all: [{ path: "conversation.labels", op: "equals", value: "vip" }] } }), "conditions.all[0].value", "equals does not apply to conversation.labels (a list): use contains"],
    ["a date without offset", valid({ conditions: { all: [{ path: "conversation.created_at", op: "lt", value: "2025-01-01 10:00" }] } }), "conditions.all[0].value", "expected an ISO-8601 date and time"],
    ["an id that is not a UUID", valid({ conditions: { all: [{ path: "conversation.assignee_id", op: "equals", value: "bob" }] } }), "conditions.all[0].value", "expected an id (UUID)"],
    ["is_set with a value", valid({ conditions: { all: [{ path: "contact.email", op: "is_set", value: "yes" }] } }), "conditions.all[0].value", "is_set takes no value (is set) or false"],
    ["a regex with a backreference", valid({ conditions: { all: [{ path: "message.body", op: "matches", value: "(a)\\1" }] } }), "conditions.all[0].value", "invalid pattern: backreferences are not supported at character 4"],
    ["a regex that is too long", valid({ conditions: { all: [{ path: "message.body", op: "matches", value: "a".repeat(201) }] } }), "conditions.all[0].value", "matches takes a pattern of 1 to 200 characters"],
    ["folding on equals", valid({ conditions: { all: [{ path: "message.body", op: "equals", value: "a", ignore_case_and_accents: true }] } }), "conditions.all[0].ignore_case_and_accents", "on contains and matches only"],
    ["an empty any group", valid({ conditions: { any: [] } }), "conditions.any", "an any group needs at least one condition"],
    ["a group with two keys", valid({ conditions: { all: [], any: [] } }), "conditions", 'exactly one key, "all" or "any"'],
    ["groups nested too deep", valid({ conditions: { all: [{ any: [{ all: [{ any: [{ path: "message.body", op: "is_set" }] }] }] }] } }), "conditions.all[0].any[0].all[0]", "groups nest at most 3 deep"],
    ["a condition that is a string", valid({ conditions: { all: ["message.body contains price"] } }), "conditions.all[0]", "expected a condition"],
    ["too many conditions", valid({ conditions: { all: Array.from({ length: 51 }, () => ({ path: "message.body", op: "is_set" })) } }), "conditions", "at most 50 conditions"],
    ["no actions", valid({ actions: [] }), "actions", "expected a list of 1 to 20 actions"],
    ["an unknown action", valid({ actions: [assign, { type: "delete_contact", params: {} }] }), "actions[1].type", "type must be one of assign_agent"],
    ["an empty task title", valid({ actions: [assign, { type: "create_task", params: { title: "  " } }] }), "actions[1].params.title", "must not be empty"],
    ["a task title that is too long", valid({ actions: [{ type: "create_task", params: { title: "x".repeat(301) } }] }), "actions[0].params.title", "at most 300 characters"],
    ["an unknown variable in a title", valid({ actions: [{ type: "create_task", params: { title: "Call {{contact.nome}}" } }] }), "actions[0].params.title", '{{contact.nome}}: unknown field "contact.nome"'],
    ["an unclosed variable", valid({ actions: [{ type: "send_message", params: { text: "Hi {{contact.name" } }] }), "actions[0].params.text", "a variable is not closed"],
    ["a bad due_in", valid({ actions: [{ type: "create_task", params: { title: "t", due_in: "tomorrow" } }] }), "actions[0].params.due_in", "due_in must be a number of seconds"],
    ["a due_in beyond a year", valid({ actions: [{ type: "create_task", params: { title: "t", due_in: "400d" } }] }), "actions[0].params.due_in", "due_in must be at most 365d"],
    ["an assignee that is a name", valid({ actions: [{ type: "create_task", params: { title: "t", assignee: "bob" } }] }), "actions[0].params.assignee", 'expected "conversation_assignee", "none" or {"user_id"}'],
    ["snoozed without a time", valid({ actions: [{ type: "set_status", params: { status: "snoozed" } }] }), "actions[0].params.snooze_for", "snoozing needs snooze_for"],
    ["a snooze time on resolve", valid({ actions: [{ type: "set_status", params: { status: "resolved", snooze_for: "1h" } }] }), "actions[0].params.snooze_for", "applies only to status snoozed"],
    ["an unknown param", valid({ actions: [{ type: "assign_agent", params: { user_id: IDS.agent, notify: true } }] }), "actions[0].params", 'Unrecognized key: "notify"'],
    ["a user id that is not a UUID", valid({ actions: [{ type: "assign_agent", params: { user_id: "42" } }] }), "actions[0].params.user_id", "expected a user id (UUID)"],
    ["a lead score delta of zero", valid({ actions: [{ type: "change_lead_score", params: { delta: 0 } }] }), "actions[0].params.delta", "a delta of 0 changes nothing"],
    ["a lead score both ways", valid({ actions: [{ type: "change_lead_score", params: { delta: 5, set: 10 } }] }), "actions[0].params", 'expected {"delta"'],
    ["notify nobody", valid({ actions: [{ type: "notify_users", params: { to: {}, title: "x" } }] }), "actions[0].params.to", 'expected {"user_ids": [...]} or {"role"'],
    ["update no contact field", valid({ actions: [{ type: "update_contact", params: { fields: {} } }] }), "actions[0].params.fields", "give at least one field to update"],
    ["a label with markup", valid({ actions: [{ type: "add_label", params: { label: "<b>vip</b>" } }] }), "actions[0].params.label", "labels use letters, digits"],
    ["a conversation action on a contact event", { ...valid(), trigger: { kind: "event", type: "contact.updated" }, conditions: undefined, actions: [{ type: "set_status", params: { status: "resolved" } }] }, "actions[0].type", "set_status acts on a conversation, and contact.updated events have none"],
    ["an action with extra keys", valid({ actions: [{ ...assign, when: "now" }] }), "actions[0].when", 'unknown key "when" in an action'],
  ])("%s", (_why, definition, path, message) => {
    const errors = errorsOf(definition);
    expect(errors).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("reports every problem at once", () => {
    const errors = errorsOf(valid({ conditions: { all: [{ path: "contact.nmae", op: "is_set" }] }, actions: [{ type: "create_task", params: { title: "" } }, { type: "nope" }] }));
    expect(errors.map((e) => e.path)).toEqual(["conditions.all[0].path", "actions[0].params.title", "actions[1].type"]);
  });

  it("still checks the structure when the trigger is wrong", () => {
    const errors = errorsOf(valid({ trigger: { kind: "event", type: "nope" }, actions: [{ type: "create_task", params: {} }] }));
    expect(errors.map((e) => e.path)).toEqual(["trigger.type", "actions[0].params.title"]);
  });
});

describe("compileRule: normalisation", () => {
  it("fills defaults, converts durations and dates, and keeps the structure", () => {
    const result = compileRule({
      version: 1,
      trigger,
      conditions: {
        all: [
          { path: "event.channel_type", op: "equals", value: "whatsapp" },
          { any: [{ path: "message.body", op: "contains", value: "Preço" }, { path: "message.body", op: "matches", value: "\\bcusto\\b" }] },
          { path: "conversation.created_at", op: "gte", value: "2025-01-01T01:00:00+01:00" },
          { path: "conversation.assignee_id", op: "equals", value: IDS.agent.toUpperCase() },
        ],
      },
      actions: [{ type: "create_task", params: { title: "Follow up {{contact.name | the customer}}", due_in: "P1D" } }],
    });
    expect(result).toEqual({
      ok: true,
      rule: {
        version: 1,
        event_type: "message.ingested",
        trigger: { kind: "event", type: "message.ingested" },
        conditions: {
          all: [
            { path: "event.channel_type", op: "equals", value: "whatsapp", field: "enum" },
            {
              any: [
                { path: "message.body", op: "contains", value: "Preço", field: "text", ignore_case_and_accents: true },
                { path: "message.body", op: "matches", value: "\\bcusto\\b", field: "text", ignore_case_and_accents: false },
              ],
            },
            { path: "conversation.created_at", op: "gte", value: "2025-01-01T00:00:00.000Z", field: "datetime" },
            { path: "conversation.assignee_id", op: "equals", value: IDS.agent, field: "id" },
          ],
        },
        actions: [{ type: "create_task", params: { title: "Follow up {{contact.name | the customer}}", description: null, due_in_seconds: 86_400, assignee: "conversation_assignee" } }],
      },
    });
  });

  it("without conditions, always matches", () => {
    const result = compileRule({ version: 1, trigger, actions: [assign] });
    expect(result.ok && result.rule.conditions).toEqual({ all: [] });
  });

  it("normalises a scheduled event written as an event trigger", () => {
    const result = compileRule({ version: 1, trigger: { kind: "event", type: "task.overdue" }, actions: [{ type: "notify_users", params: { to: { role: "manager" }, title: "Overdue: {{event.title}}" } }] });
    expect(result.ok && result.rule.trigger).toEqual({ kind: "schedule", type: "task.overdue" });
  });

  it("accepts contact attributes of any name and type", () => {
    const result = compileRule(valid({ conditions: { all: [{ path: "contact.attributes.plan", op: "in", value: ["gold", 3, true] }] } }));
    expect(result.ok).toBe(true);
    expect(errorsOf(valid({ conditions: { all: [{ path: "contact.attributes.__proto__", op: "is_set" }] } }))[0]!.path).toBe("conditions.all[0].path");
  });
});
