import { z } from "zod";
import { CONVERSATION_PRIORITIES, CONVERSATION_STATUSES, ROLES, type ConversationStatus, type RuleEventType } from "../vocabulary";
import { parseDuration } from "./duration";
import { recordsFor, type RecordName } from "./fields";
import { isPlainObject, type Problems, type PathSegment } from "./problems";
import { checkTemplate } from "./templates";

const userId = z.guid("expected a user id (UUID)");
const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const durationInput = z.union([z.string(), z.number()], { error: 'expected a duration such as "1d" or 3600' });
const attributeKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'attribute names are 1-64 letters, digits, "_" or "-"');

/** The parameters of each action as written; text parameters may carry {{variables}}. */
export const ACTION_PARAMS = {
  assign_agent: z.strictObject({ user_id: userId }),
  assign_round_robin: z.strictObject({
    among: z.union([z.literal("online_agents"), z.array(userId).min(1).max(50)], { error: 'expected "online_agents" or a list of 1 to 50 user ids' }),
  }),
  set_status: z.strictObject({ status: z.enum(CONVERSATION_STATUSES), snooze_for: durationInput.optional() }),
  set_priority: z.strictObject({ priority: z.enum(CONVERSATION_PRIORITIES) }),
  add_label: z.strictObject({ label: z.string().trim().min(1).max(50).regex(/^[\p{L}\p{N} _.:-]+$/u, "labels use letters, digits, spaces and _ . : -") }),
  create_task: z.strictObject({
    title: text(300),
    description: text(5000).optional(),
    due_in: durationInput.optional(),
    assignee: z
      .union([z.literal("conversation_assignee"), z.literal("none"), z.strictObject({ user_id: userId })], { error: 'expected "conversation_assignee", "none" or {"user_id"}' })
      .default("conversation_assignee"),
  }),
  send_message: z.strictObject({ text: text(4096) }),
  add_internal_comment: z.strictObject({ text: text(4096) }),
  update_contact: z.strictObject({
    fields: z
      .strictObject({
        name: text(200).optional(),
        email: text(254).optional(),
        phone: text(40).optional(),
        attributes: z.record(attributeKey, z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])).optional(),
      })
      .refine((fields) => Object.keys(fields).length > 0, "give at least one field to update"),
  }),
  change_lead_score: z.union([z.strictObject({ delta: z.int().min(-100).max(100).refine((n) => n !== 0, "a delta of 0 changes nothing") }), z.strictObject({ set: z.int().min(0).max(100) })], {
    error: 'expected {"delta": a non-zero whole number from -100 to 100} or {"set": a whole number from 0 to 100}',
  }),
  notify_users: z.strictObject({
    to: z.union([z.strictObject({ user_ids: z.array(userId).min(1).max(50) }), z.strictObject({ role: z.enum(ROLES) })], { error: 'expected {"user_ids": [...]} or {"role": "agent" | "manager" | "admin"}' }),
    title: text(200),
  }),
  emit_to_destination: z.strictObject({ destination_id: z.guid("expected a destination id (UUID)") }),
} as const;

export type ActionType = keyof typeof ACTION_PARAMS;
export const ACTION_TYPES = Object.keys(ACTION_PARAMS) as ActionType[];

/** The record an action changes: it cannot be used on events that do not have one. */
const ACTS_ON: Partial<Record<ActionType, RecordName>> = {
  assign_agent: "conversation",
  assign_round_robin: "conversation",
  set_status: "conversation",
  set_priority: "conversation",
  add_label: "conversation",
  send_message: "conversation",
  add_internal_comment: "conversation",
  update_contact: "contact",
  change_lead_score: "contact",
};

const TEMPLATE_PARAMS: Partial<Record<ActionType, string[][]>> = {
  create_task: [["title"], ["description"]],
  send_message: [["text"]],
  add_internal_comment: [["text"]],
  notify_users: [["title"]],
  update_contact: [["fields", "name"], ["fields", "email"], ["fields", "phone"]],
};

export const MAX_SNOOZE_SECONDS = 30 * 86_400;
export const MAX_TASK_DUE_SECONDS = 365 * 86_400;

type WrittenParams<T extends ActionType> = z.output<(typeof ACTION_PARAMS)[T]>;
type CompiledParams = { [K in ActionType]: K extends "set_status"
  ? { status: ConversationStatus; snooze_seconds: number | null }
  : K extends "create_task"
    ? Omit<WrittenParams<"create_task">, "due_in" | "description"> & { description: string | null; due_in_seconds: number | null }
    : WrittenParams<K> };

export type CompiledAction = { [K in ActionType]: { type: K; params: CompiledParams[K] } }[ActionType];
export type ActionOf<T extends ActionType> = Extract<CompiledAction, { type: T }>;

export function actsOn(type: ActionType): RecordName | null {
  return ACTS_ON[type] ?? null;
}

export function compileAction(input: unknown, eventType: RuleEventType | null, problems: Problems, path: readonly PathSegment[]): CompiledAction | null {
  if (!isPlainObject(input)) {
    problems.add(path, 'expected an action {"type", "params"}');
    return null;
  }
  for (const key of Object.keys(input)) if (key !== "type" && key !== "params") problems.add([...path, key], `unknown key "${key}" in an action`);
  const type = input.type;
  if (typeof type !== "string" || !Object.hasOwn(ACTION_PARAMS, type)) {
    problems.add([...path, "type"], `type must be one of ${ACTION_TYPES.join(", ")}`);
    return null;
  }
  const actionType = type as ActionType;
  const target = ACTS_ON[actionType];
  if (eventType && target && !recordsFor(eventType).includes(target)) problems.add([...path, "type"], `${actionType} acts on a ${target}, and ${eventType} events have none`);
  const params = problems.fromZod<unknown>((ACTION_PARAMS[actionType] as z.ZodType).safeParse(input.params ?? {}), [...path, "params"]);
  if (params === undefined) return null;
  for (const keys of TEMPLATE_PARAMS[actionType] ?? []) {
    const value = keys.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), params);
    if (typeof value === "string") checkTemplate(value, eventType, problems, [...path, "params", ...keys]);
  }
  return normalise(actionType, params, problems, [...path, "params"]);
}

function normalise(type: ActionType, params: unknown, problems: Problems, path: readonly PathSegment[]): CompiledAction | null {
  if (type === "set_status") {
    const { status, snooze_for } = params as WrittenParams<"set_status">;
    if (status === "snoozed" && snooze_for === undefined) problems.add([...path, "snooze_for"], "snoozing needs snooze_for, e.g. \"4h\"");
    if (status !== "snoozed" && snooze_for !== undefined) problems.add([...path, "snooze_for"], "snooze_for applies only to status snoozed");
    const snooze = snooze_for === undefined ? null : parseDuration(snooze_for, { maxSeconds: MAX_SNOOZE_SECONDS, label: "snooze_for" });
    if (snooze && !snooze.ok) problems.add([...path, "snooze_for"], snooze.message);
    return { type, params: { status, snooze_seconds: snooze?.ok ? snooze.seconds : null } };
  }
  if (type === "create_task") {
    const { due_in, description, ...rest } = params as WrittenParams<"create_task">;
    const due = due_in === undefined ? null : parseDuration(due_in, { maxSeconds: MAX_TASK_DUE_SECONDS, label: "due_in" });
    if (due && !due.ok) problems.add([...path, "due_in"], due.message);
    return { type, params: { ...rest, description: description ?? null, due_in_seconds: due?.ok ? due.seconds : null } };
  }
  return { type, params } as CompiledAction;
}
