import {
  CHANNEL_TYPES,
  CONVERSATION_PRIORITIES,
  CONVERSATION_STATUSES,
  INTENTS,
  LANGUAGES,
  MESSAGE_DIRECTIONS,
  MESSAGE_STATUSES,
  SENTIMENTS,
  TASK_STATUSES,
  type RuleEventType,
} from "../vocabulary";

/**
 * What a condition or a template can read: the event's payload under `event.` and the records the
 * worker loads for it (`message.`, `conversation.`, `contact.`, `channel.`). Paths are checked
 * against this list when a rule is compiled, so a typo is an error in the editor, not a rule that
 * silently never matches.
 */
export type FieldType =
  | { kind: "text" }
  | { kind: "id" }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "datetime" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "list" }
  | { kind: "any" };

export type FieldKind = FieldType["kind"];

const text = { kind: "text" } as const;
const id = { kind: "id" } as const;
const number = { kind: "number" } as const;
const datetime = { kind: "datetime" } as const;
const list = { kind: "list" } as const;
const any = { kind: "any" } as const;
const oneOf = (values: readonly string[]): FieldType => ({ kind: "enum", values });

export const RECORDS = ["message", "conversation", "contact", "channel"] as const;
export type RecordName = (typeof RECORDS)[number];
export type Root = "event" | RecordName;

/** `contact.attributes.<key>`: free-form contact attributes, typed only at run time. */
const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const RECORD_FIELDS: Record<RecordName, Record<string, FieldType>> = {
  message: {
    id,
    direction: oneOf(MESSAGE_DIRECTIONS),
    type: text,
    body: text,
    status: oneOf(MESSAGE_STATUSES),
    created_at: datetime,
    "classification.intent": oneOf(INTENTS),
    "classification.sentiment": oneOf(SENTIMENTS),
    "classification.language": oneOf(LANGUAGES),
    "classification.provider": text,
  },
  conversation: {
    id,
    status: oneOf(CONVERSATION_STATUSES),
    priority: oneOf(CONVERSATION_PRIORITIES),
    labels: list,
    assignee_id: id,
    unread_count: number,
    subject: text,
    created_at: datetime,
    last_inbound_at: datetime,
  },
  contact: { id, name: text, email: text, phone: text, lead_score: number, created_at: datetime },
  channel: { id, type: oneOf(CHANNEL_TYPES), name: text },
};

const TASK_PAYLOAD = {
  task_id: id,
  title: text,
  status: oneOf(TASK_STATUSES),
  due_at: datetime,
  assignee_id: id,
  conversation_id: id,
  contact_id: id,
};

const EVENT_SHAPES: Record<RuleEventType, { payload: Record<string, FieldType>; records: readonly RecordName[] }> = {
  "message.ingested": {
    payload: {
      message_id: id,
      conversation_id: id,
      contact_id: id,
      channel_id: id,
      channel_type: oneOf(CHANNEL_TYPES),
      body: text,
      type: text,
      content: any,
      // The typed content's fields a rule is likely to test (absent when the kind has none).
      "content.kind": text,
      "content.title": text,
      "content.payload": text,
      "content.emoji": text,
      "content.action": text,
      "content.media_type": text,
      "content.caption": text,
      "content.id": text,
      external_id: text,
      received_at: datetime,
    },
    records: RECORDS,
  },
  "message.sent": {
    payload: { message_id: id, conversation_id: id, channel_id: id, external_id: text, status: oneOf(MESSAGE_STATUSES) },
    records: RECORDS,
  },
  "conversation.updated": {
    payload: { conversation_id: id, status: oneOf(CONVERSATION_STATUSES), assignee_id: id, changes: list },
    records: ["conversation", "contact", "channel"],
  },
  "task.created": { payload: TASK_PAYLOAD, records: ["conversation", "contact", "channel"] },
  "task.completed": { payload: TASK_PAYLOAD, records: ["conversation", "contact", "channel"] },
  "task.overdue": { payload: TASK_PAYLOAD, records: ["conversation", "contact", "channel"] },
  "contact.updated": {
    payload: { contact_id: id, changes: list, name: text, email: text, phone: text },
    records: ["contact"],
  },
  "lead.score_changed": { payload: { contact_id: id, previous_score: number, score: number }, records: ["contact"] },
  "lead.stalled": {
    payload: { contact_id: id, lead_task_id: id, task_id: id, title: text, last_activity_at: datetime, stalled_days: number },
    records: ["contact"],
  },
};

/** The payload fields of an event type, as the catalog defines them. */
export function payloadFields(eventType: RuleEventType): Readonly<Record<string, FieldType>> {
  return EVENT_SHAPES[eventType].payload;
}

export function recordsFor(eventType: RuleEventType): readonly RecordName[] {
  return EVENT_SHAPES[eventType].records;
}

/** Every readable path of an event type, for editors (field pickers) and error hints. */
export function fieldsFor(eventType: RuleEventType): { path: string; type: FieldType }[] {
  const fields = Object.entries(payloadFields(eventType)).map(([name, type]) => ({ path: `event.${name}`, type }));
  for (const record of recordsFor(eventType)) {
    for (const [name, type] of Object.entries(RECORD_FIELDS[record])) fields.push({ path: `${record}.${name}`, type });
    if (record === "contact") fields.push({ path: "contact.attributes.<key>", type: any });
  }
  return fields;
}

export type FieldLookup = { ok: true; type: FieldType } | { ok: false; message: string };

export function lookupField(eventType: RuleEventType, path: string): FieldLookup {
  const dot = path.indexOf(".");
  const root = dot < 0 ? path : path.slice(0, dot);
  const rest = dot < 0 ? "" : path.slice(dot + 1);
  const roots = ["event", ...recordsFor(eventType)];
  if (!roots.includes(root)) {
    const known = (RECORDS as readonly string[]).includes(root);
    return { ok: false, message: known ? `${root}.* is not available on ${eventType} events (available: ${roots.join(", ")})` : `unknown path "${path}": it must start with one of ${roots.join(", ")}` };
  }
  const fields = root === "event" ? payloadFields(eventType) : RECORD_FIELDS[root as RecordName];
  if (Object.hasOwn(fields, rest)) return { ok: true, type: fields[rest]! };
  if (root === "contact" && rest.startsWith("attributes.")) {
    const key = rest.slice("attributes.".length);
    if (ATTRIBUTE_KEY.test(key) && !FORBIDDEN_KEYS.has(key)) return { ok: true, type: any };
    return { ok: false, message: `contact attribute names are 1-64 letters, digits, "_" or "-"` };
  }
  const suggestion = closest(path, fieldsFor(eventType).map((f) => f.path));
  return { ok: false, message: `unknown field "${path}" on ${eventType} events${suggestion ? ` (did you mean "${suggestion}"?)` : ""}` };
}

function closest(word: string, candidates: string[]): string | null {
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= 3 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
