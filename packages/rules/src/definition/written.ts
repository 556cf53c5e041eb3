import type { RuleEventType } from "../vocabulary";
import type { ActionType } from "./actions";
import type { Operator } from "./conditions";

/**
 * Definitions as admins (or the flow-from-text builders) write them, before compilation checks
 * them. These types help code that builds definitions; compile* still accept `unknown` JSON.
 */
export type ConditionInput =
  | { all: ConditionInput[] }
  | { any: ConditionInput[] }
  | { path: string; op: Operator; value?: unknown; ignore_case_and_accents?: boolean };

export interface ActionInput {
  type: ActionType;
  params: Record<string, unknown>;
}

export interface TriggerInput {
  kind: "event" | "schedule";
  type: RuleEventType;
}

export interface RuleDefinition {
  version: 1;
  trigger: TriggerInput;
  conditions?: ConditionInput;
  actions: ActionInput[];
}

export interface FlowStepInput {
  name?: string;
  wait?: string | number;
  conditions?: ConditionInput;
  actions: ActionInput[];
}

export interface FlowDefinition {
  version: 1;
  trigger: TriggerInput;
  conditions?: ConditionInput;
  steps: FlowStepInput[];
}
