import type { RuleEventType } from "../vocabulary";
import type { CompiledAction } from "./actions";
import { ALWAYS, compileConditions, type CompiledCondition } from "./conditions";
import { compileActionList, readDocument, type Trigger } from "./document";
import { Problems, type Problem } from "./problems";

/** A rule as the worker runs it: checked, defaults filled, dates and durations normalised. JSON-safe. */
export interface CompiledRule {
  version: 1;
  event_type: RuleEventType;
  trigger: Trigger;
  conditions: CompiledCondition;
  actions: CompiledAction[];
}

export type RuleCompilation = { ok: true; rule: CompiledRule } | { ok: false; errors: Problem[] };

const RULE_KEYS = ["version", "trigger", "conditions", "actions"];

/**
 * Validates and normalises a rule definition (version 1). Every problem is reported at once, each
 * with the JSON path of the offending value (`conditions.all[0].path`, `actions[1].params.title`).
 */
export function compileRule(definition: unknown): RuleCompilation {
  const problems = new Problems();
  const document = readDocument(definition, "rule", RULE_KEYS, problems);
  if (!document) return { ok: false, errors: problems.list };
  const eventType = document.trigger?.type ?? null;
  const conditions = document.body.conditions === undefined ? ALWAYS : compileConditions(document.body.conditions, eventType, problems, ["conditions"]);
  const actions = compileActionList(document.body.actions, eventType, problems, ["actions"]);
  if (!problems.empty || !document.trigger) return { ok: false, errors: problems.list };
  return { ok: true, rule: { version: 1, event_type: document.trigger.type, trigger: document.trigger, conditions, actions } };
}
