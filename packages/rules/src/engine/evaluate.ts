import type { CompiledAction } from "../definition/actions";
import type { CompiledCondition } from "../definition/conditions";
import type { FlowPlan } from "../definition/flow";
import type { CompiledRule } from "../definition/rule";
import { resolveAction, type ResolvedAction } from "./actions";
import { chainVerdict, originFor, rootExecution, type ExecutionContext } from "./chain";
import { flattenTrace, traceConditions, type ConditionTrace, type TestOutcome } from "./conditions";
import type { Facts } from "./facts";

export type SkipReason = "other_event_type" | "already_applied" | "depth_limit";

export interface Evaluation {
  rule_id: string;
  event_id: string;
  /** The conditions held and the rule was not skipped: `actions` are to be executed. */
  matched: boolean;
  skipped: SkipReason | null;
  conditions: TestOutcome[];
  trace: ConditionTrace;
  actions: ResolvedAction[];
}

/** A stored rule: its id (for the loop chain) and its compiled form. */
export interface RuleRef {
  id: string;
  compiled: CompiledRule;
}

export interface FlowRef {
  id: string;
  plan: FlowPlan;
}

/** Pure: the same rule, facts and context always give the same evaluation; nothing is written. */
export function evaluate(rule: RuleRef, facts: Facts, execution: ExecutionContext = rootExecution(facts.event.id)): Evaluation {
  return evaluateBlock(rule.id, rule.compiled.event_type, rule.compiled, facts, execution, 0);
}

/** When a flow's trigger event arrives: whether it starts, and when each step is due. */
export function evaluateFlowStart(flow: FlowRef, facts: Facts, execution: ExecutionContext = rootExecution(facts.event.id)): Omit<Evaluation, "actions"> & { steps: { index: number; offset_seconds: number; run_at: string }[] } {
  const { actions: _none, ...entry } = evaluateBlock(flow.id, flow.plan.event_type, { conditions: flow.plan.conditions, actions: [] }, facts, execution, 0);
  const start = Date.parse(facts.event.occurred_at);
  const steps = entry.matched ? flow.plan.steps.map((s) => ({ index: s.index, offset_seconds: s.offset_seconds, run_at: new Date(start + s.offset_seconds * 1000).toISOString() })) : [];
  return { ...entry, steps };
}

/**
 * One step, when its time comes, in the execution context the flow started in (carried by the
 * step's job). The step checks its own conditions against facts reloaded now: the conversation
 * may have moved on since the trigger.
 */
export function evaluateFlowStep(flow: FlowRef, index: number, facts: Facts, execution: ExecutionContext): Evaluation {
  const step = flow.plan.steps[index];
  if (!step) throw new RangeError(`flow ${flow.id} has no step ${index}`);
  return evaluateBlock(flow.id, flow.plan.event_type, step, facts, execution, step.offset_seconds);
}

function evaluateBlock(
  id: string,
  eventType: string,
  block: { conditions: CompiledCondition; actions: CompiledAction[] },
  facts: Facts,
  execution: ExecutionContext,
  offsetSeconds: number,
): Evaluation {
  const trace = traceConditions(block.conditions, facts);
  const base = { rule_id: id, event_id: facts.event.id, conditions: flattenTrace(trace), trace };
  const verdict = chainVerdict(id, execution);
  const skipped: SkipReason | null = facts.event.type !== eventType ? "other_event_type" : verdict.run ? null : verdict.reason;
  if (skipped || !trace.result) return { ...base, matched: false, skipped, actions: [] };
  const origin = originFor(id, execution);
  const at = Date.parse(facts.event.occurred_at) + offsetSeconds * 1000;
  return { ...base, matched: true, skipped: null, actions: block.actions.map((action) => resolveAction(action, facts, origin, at)) };
}
