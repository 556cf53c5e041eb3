import type { CompiledCondition, CompiledTest, Operator, Scalar } from "../definition/conditions";
import { readPath, type Facts } from "./facts";
import { applyTest } from "./operators";

export interface TestOutcome {
  path: string;
  op: Operator;
  expected: Scalar | Scalar[] | undefined;
  /** The value read from the facts; long texts are cut for the execution log. */
  actual: unknown;
  result: boolean;
  /** Present on contains and matches. */
  ignore_case_and_accents?: boolean;
}

export type ConditionTrace =
  | { group: "all" | "any"; result: boolean; members: ConditionTrace[] }
  | ({ group: null } & TestOutcome);

const MAX_LOGGED_TEXT = 500;

/** Evaluates every test (no short-circuit), so an explanation shows each one's outcome. */
export function traceConditions(condition: CompiledCondition, facts: Facts): ConditionTrace {
  if ("all" in condition) {
    const members = condition.all.map((member) => traceConditions(member, facts));
    return { group: "all", result: members.every((m) => m.result), members };
  }
  if ("any" in condition) {
    const members = condition.any.map((member) => traceConditions(member, facts));
    return { group: "any", result: members.some((m) => m.result), members };
  }
  return traceTest(condition, facts);
}

function traceTest(test: CompiledTest, facts: Facts): ConditionTrace {
  const actual = readPath(facts, test.path);
  const outcome: ConditionTrace = { group: null, path: test.path, op: test.op, expected: test.value, actual: forLog(actual), result: applyTest(test, actual) };
  if (test.ignore_case_and_accents !== undefined) outcome.ignore_case_and_accents = test.ignore_case_and_accents;
  return outcome;
}

export function flattenTrace(trace: ConditionTrace): TestOutcome[] {
  if (trace.group !== null) return trace.members.flatMap(flattenTrace);
  const { group: _group, ...outcome } = trace;
  return [outcome];
}

function forLog(value: unknown): unknown {
  if (typeof value === "string" && value.length > MAX_LOGGED_TEXT) return `${value.slice(0, MAX_LOGGED_TEXT)}…`;
  return value === undefined ? null : value;
}
