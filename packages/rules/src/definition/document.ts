import {
  isScheduledEventType,
  RULE_EVENT_TYPES,
  SCHEDULED_EVENT_TYPES,
  type RuleEventType,
  type ScheduledEventType,
} from "../vocabulary";
import { compileAction, type CompiledAction } from "./actions";
import { isPlainObject, type Problems, type PathSegment } from "./problems";

/** The definition format this engine reads; any other version is refused, never guessed at. */
export const DEFINITION_VERSION = 1;
export const MAX_ACTIONS = 20;

/**
 * What starts a rule or flow. Scheduled checks (`task.overdue`, `lead.stalled`) are events too, so
 * `{kind: "event", type: "task.overdue"}` is accepted and normalised to `kind: "schedule"`.
 */
export type Trigger = { kind: "event"; type: Exclude<RuleEventType, ScheduledEventType> } | { kind: "schedule"; type: ScheduledEventType };

/** The parts every definition shares: a JSON object, the version, no unknown keys, the trigger. */
export function readDocument(definition: unknown, what: "rule" | "flow", allowedKeys: readonly string[], problems: Problems): { body: Record<string, unknown>; trigger: Trigger | null } | null {
  if (!isPlainObject(definition)) {
    problems.add([], `a ${what} is a JSON object`);
    return null;
  }
  if (definition.version !== DEFINITION_VERSION) {
    problems.add(["version"], definition.version === undefined ? `version is required (this engine reads version ${DEFINITION_VERSION})` : `unsupported ${what} version ${JSON.stringify(definition.version)}: this engine reads version ${DEFINITION_VERSION}`);
    return null;
  }
  for (const key of Object.keys(definition)) if (!allowedKeys.includes(key)) problems.add([key], `unknown key "${key}" in a ${what}`);
  return { body: definition, trigger: compileTrigger(definition.trigger, problems, ["trigger"]) };
}

function compileTrigger(input: unknown, problems: Problems, path: readonly PathSegment[]): Trigger | null {
  if (!isPlainObject(input)) {
    problems.add(path, 'expected {"kind": "event", "type": "message.ingested"} or {"kind": "schedule", "type": "task.overdue"}');
    return null;
  }
  for (const key of Object.keys(input)) if (key !== "kind" && key !== "type") problems.add([...path, key], `unknown key "${key}" in a trigger`);
  const { kind, type } = input;
  if (kind !== "event" && kind !== "schedule") {
    problems.add([...path, "kind"], 'kind must be "event" or "schedule"');
    return null;
  }
  const allowed: readonly string[] = kind === "event" ? RULE_EVENT_TYPES : SCHEDULED_EVENT_TYPES;
  if (typeof type !== "string" || !allowed.includes(type)) {
    problems.add([...path, "type"], `type must be one of ${allowed.join(", ")}`);
    return null;
  }
  return isScheduledEventType(type) ? { kind: "schedule", type } : { kind: "event", type: type as Exclude<RuleEventType, ScheduledEventType> };
}

export function compileActionList(input: unknown, eventType: RuleEventType | null, problems: Problems, path: readonly PathSegment[]): CompiledAction[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_ACTIONS) {
    problems.add(path, `expected a list of 1 to ${MAX_ACTIONS} actions`);
    return [];
  }
  return input.flatMap((action, i) => compileAction(action, eventType, problems, [...path, i]) ?? []);
}
