import { describe, expect, it } from "vitest";
import { compileRule } from "../definition/rule";
import { IDS } from "../testing/fixtures";
import type { ConversationStatus } from "../vocabulary";
import { chainVerdict, executionFor, MAX_CHAIN_DEPTH, originFor, rootExecution, type ExecutionContext } from "./chain";
import { evaluate, type Evaluation, type RuleRef } from "./evaluate";
import type { Facts } from "./facts";

/** A rule on conversation.updated: when the status is `when` (any status if null), set it to `to`. */
function statusRule(id: string, when: ConversationStatus | null, to: ConversationStatus): RuleRef {
  const result = compileRule({
    version: 1,
    trigger: { kind: "event", type: "conversation.updated" },
    conditions: when ? { all: [{ path: "event.status", op: "equals", value: when }] } : undefined,
    actions: [{ type: "set_status", params: to === "snoozed" ? { status: to, snooze_for: "1h" } : { status: to } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return { id, compiled: result.rule };
}

function conversationUpdated(eventId: string, status: ConversationStatus): Facts {
  return {
    event: { id: eventId, type: "conversation.updated", occurred_at: "2025-01-15T10:30:00.000Z", payload: { conversation_id: IDS.conversation, status, assignee_id: null, changes: ["status"] } },
    conversation: { id: IDS.conversation, status },
  };
}

/**
 * A stand-in for the worker: every set_status a rule resolves commits a new conversation.updated
 * event carrying the action's origin, and every rule is evaluated on every event. Without loop
 * prevention each scenario below would run forever.
 */
function propagate(rules: RuleRef[], root: Facts): Evaluation[] {
  const log: Evaluation[] = [];
  const queue: { facts: Facts; execution: ExecutionContext }[] = [{ facts: root, execution: rootExecution(root.event.id) }];
  let next = 0;
  while (queue.length) {
    const { facts, execution } = queue.shift()!;
    for (const rule of rules) {
      const evaluation = evaluate(rule, facts, execution);
      log.push(evaluation);
      for (const action of evaluation.actions) {
        const caused = conversationUpdated(`event-${++next}`, action.params.status as ConversationStatus);
        queue.push({ facts: caused, execution: executionFor(caused.event.id, action.origin) });
      }
      if (log.length > 1000) throw new Error("runaway chain");
    }
  }
  return log;
}

describe("loop prevention", () => {
  it("a rule does not re-trigger itself through its own action", () => {
    const log = propagate([statusRule("A", null, "pending")], conversationUpdated("root", "open"));
    expect(log.map((e) => [e.rule_id, e.event_id, e.matched, e.skipped])).toEqual([
      ["A", "root", true, null],
      ["A", "event-1", false, "already_applied"],
    ]);
  });

  it("two rules that undo each other run once each", () => {
    const log = propagate([statusRule("open->pending", "open", "pending"), statusRule("pending->open", "pending", "open")], conversationUpdated("root", "open"));
    expect(log.filter((e) => e.matched).map((e) => e.rule_id)).toEqual(["open->pending", "pending->open"]);
    expect(log.find((e) => e.rule_id === "open->pending" && e.event_id === "event-2")).toMatchObject({ matched: false, skipped: "already_applied" });
  });

  it("a cycle of distinct rules stops at the depth limit", () => {
    const rules = [statusRule("A", "open", "pending"), statusRule("B", "pending", "resolved"), statusRule("C", "resolved", "snoozed"), statusRule("D", "snoozed", "open")];
    const log = propagate(rules, conversationUpdated("root", "open"));
    expect(log.filter((e) => e.matched).map((e) => e.rule_id)).toEqual(["A", "B", "C"]);
    expect(log.find((e) => e.rule_id === "D" && e.event_id === "event-3")).toMatchObject({ matched: false, skipped: "depth_limit" });
  });

  it("fan-out is bounded: with five rules that all match, every chain stays short and never repeats a rule", () => {
    const rules = ["A", "B", "C", "D", "E"].map((id) => statusRule(id, null, "pending"));
    const matched = propagate(rules, conversationUpdated("root", "open")).filter((e) => e.matched);
    expect(matched).toHaveLength(5 + 5 * 4 + 5 * 4 * 3);
    for (const evaluation of matched) {
      const chain = evaluation.actions[0]!.origin.chain;
      expect(chain.length).toBeLessThanOrEqual(MAX_CHAIN_DEPTH);
      expect(new Set(chain).size).toBe(chain.length);
    }
  });
});

describe("execution context", () => {
  it("starts a new chain for an event no rule caused", () => {
    expect(executionFor("e1", null)).toEqual({ root_event_id: "e1", depth: 0, chain: [] });
  });

  it("continues the origin's chain for an event a rule caused", () => {
    const origin = originFor("A", rootExecution("root"));
    expect(origin).toEqual({ rule_id: "A", root_event_id: "root", depth: 1, chain: ["A"] });
    expect(executionFor("e2", origin)).toEqual({ root_event_id: "root", depth: 1, chain: ["A"] });
  });

  it.each<[ExecutionContext, string, ReturnType<typeof chainVerdict>]>([
    [{ root_event_id: "r", depth: 0, chain: [] }, "A", { run: true }],
    [{ root_event_id: "r", depth: 1, chain: ["A"] }, "A", { run: false, reason: "already_applied" }],
    [{ root_event_id: "r", depth: 2, chain: ["A", "B"] }, "C", { run: true }],
    [{ root_event_id: "r", depth: 3, chain: ["A", "B", "C"] }, "D", { run: false, reason: "depth_limit" }],
  ])("%j, rule %s -> %j", (execution, ruleId, verdict) => {
    expect(chainVerdict(ruleId, execution)).toEqual(verdict);
  });
});
