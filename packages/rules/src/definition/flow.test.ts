import { describe, expect, it } from "vitest";
import { IDS } from "../testing/fixtures";
import { compileFlow, validateFlow } from "./flow";

const trigger = { kind: "event", type: "message.ingested" };
const comment = (text: string) => ({ type: "add_internal_comment", params: { text } });

describe("compileFlow", () => {
  it("compiles steps to a plan with absolute offsets from the trigger", () => {
    const result = compileFlow({
      version: 1,
      trigger,
      conditions: { all: [{ path: "event.channel_type", op: "equals", value: "whatsapp" }] },
      steps: [
        { name: "assign", actions: [{ type: "assign_round_robin", params: { among: "online_agents" } }] },
        { wait: "2h", conditions: { all: [{ path: "conversation.status", op: "equals", value: "open" }] }, actions: [comment("Still open after 2h")] },
        { wait: "P1D", actions: [{ type: "create_task", params: { title: "Call {{contact.name}}", due_in: "4h", assignee: "none" } }] },
      ],
    });
    expect(result).toEqual({
      ok: true,
      flow: {
        version: 1,
        event_type: "message.ingested",
        trigger: { kind: "event", type: "message.ingested" },
        conditions: { all: [{ path: "event.channel_type", op: "equals", value: "whatsapp", field: "enum" }] },
        steps: [
          { index: 0, name: "assign", wait_seconds: 0, offset_seconds: 0, conditions: { all: [] }, actions: [{ type: "assign_round_robin", params: { among: "online_agents" } }] },
          {
            index: 1,
            name: null,
            wait_seconds: 7200,
            offset_seconds: 7200,
            conditions: { all: [{ path: "conversation.status", op: "equals", value: "open", field: "enum" }] },
            actions: [{ type: "add_internal_comment", params: { text: "Still open after 2h" } }],
          },
          {
            index: 2,
            name: null,
            wait_seconds: 86_400,
            offset_seconds: 93_600,
            conditions: { all: [] },
            actions: [{ type: "create_task", params: { title: "Call {{contact.name}}", description: null, due_in_seconds: 14_400, assignee: "none" } }],
          },
        ],
        duration_seconds: 93_600,
      },
    });
  });

  it.each<[string, unknown, string, string]>([
    ["a future version", { version: 3, trigger, steps: [] }, "version", "unsupported flow version 3"],
    ["no steps", { version: 1, trigger, steps: [] }, "steps", "expected a list of 1 to 20 steps"],
    ["too many steps", { version: 1, trigger, steps: Array.from({ length: 21 }, () => ({ actions: [comment("x")] })) }, "steps", "expected a list of 1 to 20 steps"],
    ["a step that is not an object", { version: 1, trigger, steps: ["wait"] }, "steps[0]", "expected a step"],
    ["an unknown key in a step", { version: 1, trigger, steps: [{ delay: "1h", actions: [comment("x")] }] }, "steps[0].delay", 'unknown key "delay" in a step'],
    ["a wait that cannot be read", { version: 1, trigger, steps: [{ wait: "soon", actions: [comment("x")] }] }, "steps[0].wait", "wait must be a number of seconds"],
    ["a wait of more than 30 days", { version: 1, trigger, steps: [{ wait: "31d", actions: [comment("x")] }] }, "steps[0].wait", "wait must be at most 30d"],
    ["waits adding up past 90 days", { version: 1, trigger, steps: Array.from({ length: 4 }, () => ({ wait: "30d", actions: [comment("x")] })) }, "steps", "the waits add up to 120d; a flow lasts at most 90d"],
    ["a step without actions", { version: 1, trigger, steps: [{ wait: "1h" }] }, "steps[0].actions", "expected a list of 1 to 20 actions"],
    ["a bad path in a step condition", { version: 1, trigger, steps: [{ conditions: { all: [{ path: "conversation.stauts", op: "is_set" }] }, actions: [comment("x")] }] }, "steps[0].conditions.all[0].path", 'did you mean "conversation.status"?'],
    ["a bad action param deep in the plan", { version: 1, trigger, steps: [{ actions: [comment("x")] }, { actions: [comment("x"), { type: "assign_agent", params: { user_id: "me" } }] }] }, "steps[1].actions[1].params.user_id", "expected a user id (UUID)"],
    ["a blank step name", { version: 1, trigger, steps: [{ name: " ", actions: [comment("x")] }] }, "steps[0].name", "name is a text of 1 to 100 characters"],
    ["too many actions in all", { version: 1, trigger, steps: Array.from({ length: 3 }, () => ({ actions: Array.from({ length: 20 }, () => comment("x")) })) }, "steps", "at most 50 actions per flow (found 60)"],
  ])("%s", (_why, definition, path, message) => {
    const result = validateFlow(definition);
    expect(result.ok).toBe(false);
    expect(result.errors).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("validateFlow says ok with no errors for a valid flow", () => {
    expect(validateFlow({ version: 1, trigger: { kind: "schedule", type: "lead.stalled" }, steps: [{ actions: [{ type: "notify_users", params: { to: { user_ids: [IDS.agent] }, title: "{{event.title}} stalled" } }] }] })).toEqual({ ok: true, errors: [] });
  });
});
