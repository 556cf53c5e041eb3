import type { RuleEventType } from "../vocabulary";
import type { CompiledAction } from "./actions";
import { ALWAYS, compileConditions, type CompiledCondition } from "./conditions";
import { compileActionList, readDocument, type Trigger } from "./document";
import { describeDuration, parseDuration } from "./duration";
import { isPlainObject, Problems, type PathSegment, type Problem } from "./problems";

export const MAX_STEPS = 20;
export const MAX_FLOW_ACTIONS = 50;
export const MAX_WAIT_SECONDS = 30 * 86_400;
export const MAX_FLOW_SECONDS = 90 * 86_400;

/** One step of the executable plan: the worker schedules it `offset_seconds` after the trigger event. */
export interface FlowPlanStep {
  index: number;
  name: string | null;
  wait_seconds: number;
  offset_seconds: number;
  conditions: CompiledCondition;
  actions: CompiledAction[];
}

export interface FlowPlan {
  version: 1;
  event_type: RuleEventType;
  trigger: Trigger;
  /** Checked once when the trigger event arrives; when false, no step is scheduled. */
  conditions: CompiledCondition;
  steps: FlowPlanStep[];
  duration_seconds: number;
}

export type FlowCompilation = { ok: true; flow: FlowPlan } | { ok: false; errors: Problem[] };

const FLOW_KEYS = ["version", "trigger", "conditions", "steps"];
const STEP_KEYS = ["name", "wait", "conditions", "actions"];

/**
 * Validates a flow (ordered steps, each with optional conditions and an optional wait before it)
 * and compiles it to a plan with absolute offsets from the trigger.
 */
export function compileFlow(definition: unknown): FlowCompilation {
  const problems = new Problems();
  const document = readDocument(definition, "flow", FLOW_KEYS, problems);
  if (!document) return { ok: false, errors: problems.list };
  const eventType = document.trigger?.type ?? null;
  const conditions = document.body.conditions === undefined ? ALWAYS : compileConditions(document.body.conditions, eventType, problems, ["conditions"]);
  const steps = compileSteps(document.body.steps, eventType, problems);
  if (!problems.empty || !document.trigger) return { ok: false, errors: problems.list };
  const last = steps[steps.length - 1]!;
  return { ok: true, flow: { version: 1, event_type: document.trigger.type, trigger: document.trigger, conditions, steps, duration_seconds: last.offset_seconds } };
}

/** The editor's check: the same rules as compileFlow, only the verdict and the problems. */
export function validateFlow(definition: unknown): { ok: boolean; errors: Problem[] } {
  const result = compileFlow(definition);
  return result.ok ? { ok: true, errors: [] } : result;
}

function compileSteps(input: unknown, eventType: RuleEventType | null, problems: Problems): FlowPlanStep[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_STEPS) {
    problems.add(["steps"], `expected a list of 1 to ${MAX_STEPS} steps`);
    return [];
  }
  let offset = 0;
  let actionCount = 0;
  const steps = input.map((step, index) => {
    const compiled = compileStep(step, index, eventType, problems, ["steps", index]);
    offset += compiled.wait_seconds;
    actionCount += compiled.actions.length;
    return { ...compiled, offset_seconds: offset };
  });
  if (offset > MAX_FLOW_SECONDS) problems.add(["steps"], `the waits add up to ${describeDuration(offset)}; a flow lasts at most ${describeDuration(MAX_FLOW_SECONDS)}`);
  if (actionCount > MAX_FLOW_ACTIONS) problems.add(["steps"], `at most ${MAX_FLOW_ACTIONS} actions per flow (found ${actionCount})`);
  return steps;
}

function compileStep(input: unknown, index: number, eventType: RuleEventType | null, problems: Problems, path: readonly PathSegment[]): Omit<FlowPlanStep, "offset_seconds"> {
  const empty = { index, name: null, wait_seconds: 0, conditions: ALWAYS, actions: [] };
  if (!isPlainObject(input)) {
    problems.add(path, 'expected a step {"wait"?, "conditions"?, "actions"}');
    return empty;
  }
  for (const key of Object.keys(input)) if (!STEP_KEYS.includes(key)) problems.add([...path, key], `unknown key "${key}" in a step`);
  const name = input.name === undefined ? null : typeof input.name === "string" && input.name.trim() && input.name.length <= 100 ? input.name.trim() : undefined;
  if (name === undefined) problems.add([...path, "name"], "name is a text of 1 to 100 characters");
  let wait = 0;
  if (input.wait !== undefined) {
    const parsed = parseDuration(input.wait, { maxSeconds: MAX_WAIT_SECONDS, label: "wait" });
    if (parsed.ok) wait = parsed.seconds;
    else problems.add([...path, "wait"], parsed.message);
  }
  return {
    index,
    name: name ?? null,
    wait_seconds: wait,
    conditions: input.conditions === undefined ? ALWAYS : compileConditions(input.conditions, eventType, problems, [...path, "conditions"]),
    actions: compileActionList(input.actions, eventType, problems, [...path, "actions"]),
  };
}
