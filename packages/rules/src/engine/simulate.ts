import type { FlowPlan } from "../definition/flow";
import type { CompiledRule } from "../definition/rule";
import type { ResolvedAction } from "./actions";
import { rootExecution, type ExecutionContext } from "./chain";
import type { ConditionTrace, TestOutcome } from "./conditions";
import { describeAction, describeTest } from "./describe";
import { evaluate, evaluateFlowStart, evaluateFlowStep, type Evaluation, type SkipReason } from "./evaluate";
import type { Facts } from "./facts";

/** A dry run as the editor shows it. Simulation is evaluation and nothing else: it cannot write. */
export interface Simulation {
  matched: boolean;
  skipped: SkipReason | null;
  summary: string;
  conditions: (TestOutcome & { text: string })[];
  trace: ConditionTrace;
  actions: (ResolvedAction & { text: string })[];
}

/** The id an unsaved rule or flow goes by in a dry run. */
export const UNSAVED_ID = "unsaved";

export function simulate(rule: CompiledRule, facts: Facts, options: { ruleId?: string; execution?: ExecutionContext } = {}): Simulation {
  const evaluation = evaluate({ id: options.ruleId ?? UNSAVED_ID, compiled: rule }, facts, options.execution ?? rootExecution(facts.event.id));
  return explain(evaluation, rule.event_type, facts);
}

export interface FlowSimulation {
  starts: boolean;
  skipped: SkipReason | null;
  summary: string;
  conditions: (TestOutcome & { text: string })[];
  /** Each step as it would run on these facts; the worker re-checks a step's conditions when it is due. */
  steps: ({ index: number; name: string | null; offset_seconds: number; run_at: string } & Omit<Simulation, "skipped">)[];
}

export function simulateFlow(plan: FlowPlan, facts: Facts, options: { flowId?: string; execution?: ExecutionContext } = {}): FlowSimulation {
  const flow = { id: options.flowId ?? UNSAVED_ID, plan };
  const execution = options.execution ?? rootExecution(facts.event.id);
  const start = evaluateFlowStart(flow, facts, execution);
  const entry = explain({ ...start, actions: [] }, plan.event_type, facts);
  const steps = start.steps.map((scheduled) => {
    const step = plan.steps[scheduled.index]!;
    const { skipped: _skipped, ...explained } = explain(evaluateFlowStep(flow, scheduled.index, facts, execution), plan.event_type, facts);
    return { index: step.index, name: step.name, offset_seconds: scheduled.offset_seconds, run_at: scheduled.run_at, ...explained };
  });
  const summary = start.matched ? `The flow would start: ${steps.length} step(s) scheduled, ${steps.filter((s) => s.matched).length} of them with conditions that hold now. Nothing was written.` : entry.summary;
  return { starts: start.matched, skipped: start.skipped, summary, conditions: entry.conditions, steps };
}

function explain(evaluation: Evaluation, eventType: string, facts: Facts): Simulation {
  const conditions = evaluation.conditions.map((outcome) => ({ ...outcome, text: describeTest(outcome) }));
  const actions = evaluation.actions.map((action) => ({ ...action, text: describeAction(action) }));
  return { matched: evaluation.matched, skipped: evaluation.skipped, summary: summarise(evaluation, eventType, facts), conditions, trace: evaluation.trace, actions };
}

function summarise(evaluation: Evaluation, eventType: string, facts: Facts): string {
  if (evaluation.skipped === "other_event_type") return `Not run: it listens to ${eventType} events and this is a ${facts.event.type} event.`;
  if (evaluation.skipped === "already_applied") return "Not run: it already acted in this chain of events (loop prevention).";
  if (evaluation.skipped === "depth_limit") return "Not run: this event is too far down a chain of automated actions (loop prevention).";
  const passed = evaluation.conditions.filter((c) => c.result).length;
  if (!evaluation.matched) return `The conditions do not hold (${passed} of ${evaluation.conditions.length} tests pass): nothing would run.`;
  const skipped = evaluation.actions.filter((a) => a.skipped).length;
  const runs = evaluation.actions.length - skipped;
  return `The conditions hold: ${runs} action(s) would run${skipped ? `, ${skipped} skipped` : ""}. Nothing was written.`;
}
