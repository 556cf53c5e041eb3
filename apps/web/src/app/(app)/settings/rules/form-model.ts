import { fieldsFor, RULE_EVENT_TYPES, type FieldType, type RuleEventType } from "@alfred/rules";

/**
 * The form editor's model of a rule: one group of tests (all / any) and a list of actions, each a
 * type with its parameters as text. It maps to and from the JSON definition; a definition the form
 * cannot show (nested groups, contact updates) stays in the JSON view.
 */
export interface FormTest {
  path: string;
  op: string;
  value: string;
}

export interface FormAction {
  type: string;
  params: Record<string, string>;
}

export interface RuleForm {
  eventType: RuleEventType;
  match: "all" | "any";
  tests: FormTest[];
  actions: FormAction[];
}

export const ACTION_LABELS: Record<string, string> = {
  assign_round_robin: "Assign round robin (online agents)",
  assign_agent: "Assign to an agent",
  set_status: "Set status",
  set_priority: "Set priority",
  add_label: "Add a label",
  create_task: "Create a task",
  send_message: "Send a message",
  add_internal_comment: "Add an internal note",
  change_lead_score: "Change the lead score",
  notify_users: "Notify users",
  emit_to_destination: "Emit to a destination",
};

/** What each action asks for in the form, in order. */
export const ACTION_FIELDS: Record<string, { name: string; label: string; kind: "text" | "user" | "destination" | "select"; options?: string[]; optional?: boolean }[]> = {
  assign_round_robin: [],
  assign_agent: [{ name: "user_id", label: "Agent", kind: "user" }],
  set_status: [
    { name: "status", label: "Status", kind: "select", options: ["open", "pending", "resolved", "snoozed"] },
    { name: "snooze_for", label: "Snooze for (e.g. 4h; snoozed only)", kind: "text", optional: true },
  ],
  set_priority: [{ name: "priority", label: "Priority", kind: "select", options: ["low", "normal", "high", "urgent"] }],
  add_label: [{ name: "label", label: "Label", kind: "text" }],
  create_task: [
    { name: "title", label: "Title ({{contact.name}} works)", kind: "text" },
    { name: "due_in", label: "Due in (e.g. 1d, 2h)", kind: "text", optional: true },
  ],
  send_message: [{ name: "text", label: "Message", kind: "text" }],
  add_internal_comment: [{ name: "text", label: "Note", kind: "text" }],
  change_lead_score: [{ name: "delta", label: "Change by (-100..100)", kind: "text" }],
  notify_users: [
    { name: "role", label: "Who", kind: "select", options: ["agent", "manager", "admin"] },
    { name: "title", label: "Title", kind: "text" },
  ],
  emit_to_destination: [{ name: "destination_id", label: "Destination", kind: "destination" }],
};

export const OPERATOR_LABELS: Record<string, string> = {
  equals: "equals",
  not_equals: "does not equal",
  contains: "contains",
  in: "is one of (comma-separated)",
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
  is_set: "is set",
  matches: "matches pattern",
};

export const EVENT_TYPES = RULE_EVENT_TYPES;

export function fieldOptions(eventType: RuleEventType): { path: string; type: FieldType }[] {
  return fieldsFor(eventType).filter((f) => !f.path.includes("<"));
}

export const emptyForm = (): RuleForm => ({
  eventType: "message.ingested",
  match: "all",
  tests: [{ path: "event.channel_type", op: "equals", value: "whatsapp" }],
  actions: [{ type: "assign_round_robin", params: {} }],
});

function valueFor(test: FormTest, type: FieldType | undefined): unknown {
  if (test.op === "is_set") return undefined;
  if (test.op === "in") return test.value.split(",").map((v) => v.trim()).filter(Boolean).map((v) => (type?.kind === "number" ? Number(v) : v));
  if (type?.kind === "number") return Number(test.value);
  if (type?.kind === "boolean") return test.value === "true";
  return test.value;
}

export function formToDefinition(form: RuleForm): Record<string, unknown> {
  const types = new Map(fieldsFor(form.eventType).map((f) => [f.path, f.type]));
  const tests = form.tests.map((t) => {
    const value = valueFor(t, types.get(t.path));
    return value === undefined ? { path: t.path, op: t.op } : { path: t.path, op: t.op, value };
  });
  const actions = form.actions.map((a) => ({ type: a.type, params: paramsOf(a) }));
  const trigger = { kind: form.eventType === "task.overdue" || form.eventType === "lead.stalled" ? "schedule" : "event", type: form.eventType };
  return { version: 1, trigger, ...(tests.length ? { conditions: { [form.match]: tests } } : {}), actions };
}

function paramsOf(action: FormAction): Record<string, unknown> {
  const p = action.params;
  const present = (key: string) => p[key] !== undefined && p[key] !== "";
  switch (action.type) {
    case "assign_round_robin":
      return { among: "online_agents" };
    case "change_lead_score":
      return { delta: Number(p.delta) };
    case "notify_users":
      return { to: { role: p.role || "admin" }, title: p.title ?? "" };
    case "set_status":
      return { status: p.status || "open", ...(present("snooze_for") ? { snooze_for: p.snooze_for } : {}) };
    case "set_priority":
      return { priority: p.priority || "normal" };
    default: {
      const out: Record<string, unknown> = {};
      for (const field of ACTION_FIELDS[action.type] ?? []) if (present(field.name) || !field.optional) out[field.name] = p[field.name] ?? "";
      return out;
    }
  }
}

/** The form for a definition, or null when the form cannot show it (the JSON view then stays open). */
export function definitionToForm(definition: unknown): RuleForm | null {
  if (!definition || typeof definition !== "object") return null;
  const d = definition as { trigger?: { type?: string }; conditions?: Record<string, unknown>; actions?: { type: string; params?: Record<string, unknown> }[] };
  const eventType = d.trigger?.type;
  if (!eventType || !(EVENT_TYPES as readonly string[]).includes(eventType)) return null;
  let match: "all" | "any" = "all";
  let tests: FormTest[] = [];
  if (d.conditions) {
    const key = "all" in d.conditions ? "all" : "any" in d.conditions ? "any" : null;
    if (!key || !Array.isArray(d.conditions[key])) return null;
    match = key;
    for (const t of d.conditions[key] as Record<string, unknown>[]) {
      if (typeof t.path !== "string" || typeof t.op !== "string" || "ignore_case_and_accents" in t) return null;
      tests.push({ path: t.path, op: t.op, value: Array.isArray(t.value) ? t.value.join(", ") : t.value === undefined ? "" : String(t.value) });
    }
  }
  const actions: FormAction[] = [];
  for (const a of d.actions ?? []) {
    if (!(a.type in ACTION_FIELDS)) return null;
    const p = a.params ?? {};
    if (a.type === "assign_round_robin" && p.among !== "online_agents") return null;
    if (a.type === "notify_users" && !(p.to && typeof p.to === "object" && "role" in p.to)) return null;
    if (a.type === "change_lead_score" && !("delta" in p)) return null;
    if (a.type === "create_task" && (p.assignee !== undefined || p.description !== undefined)) return null;
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(p)) if (typeof value === "string" || typeof value === "number") params[key] = String(value);
    if (a.type === "notify_users") params.role = (p.to as { role: string }).role;
    actions.push({ type: a.type, params });
  }
  tests = tests.length ? tests : [];
  return { eventType: eventType as RuleEventType, match, tests, actions };
}
