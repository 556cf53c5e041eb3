import { randomUUID } from "node:crypto";
import { messageContentSchema } from "@alfred/core";
import { z } from "zod";

/**
 * The outbound event catalog: every event Alfred sends to automation destinations, with the exact
 * shape of its payload. This is a public contract (receivers build flows on it, the API and UI
 * show it), so fields are snake_case JSON and only ever added, never renamed or retyped.
 */

/**
 * Postgres' notion of a UUID (any 8-4-4-4-12 hex). zod's `z.uuid()` also demands RFC 9562
 * version/variant bits, which would reject ids Postgres happily stores (fixtures, imports).
 */
const id = z.guid();
const nullableId = id.nullable();
const isoDateTime = z.iso.datetime({ offset: true });

const CHANNEL_TYPES = ["whatsapp", "messenger", "instagram", "email", "api"] as const;
const CONVERSATION_STATUSES = ["open", "pending", "resolved", "snoozed"] as const;
const TASK_STATUSES = ["open", "done"] as const;
const MESSAGE_STATUSES = ["received", "queued", "sending", "sent", "delivered", "read", "failed"] as const;

/** Field names that changed, so a flow can react to "assignee changed" without diffing. */
const changes = z.array(z.string().min(1)).min(1);

const taskPayload = z.object({
  task_id: id,
  title: z.string().min(1),
  status: z.enum(TASK_STATUSES),
  due_at: isoDateTime.nullable(),
  assignee_id: nullableId,
  conversation_id: nullableId,
  contact_id: nullableId,
});

const SAMPLE = {
  message: "5f0c9a8e-1d2b-4c3a-8e7f-6a5b4c3d2e1f",
  conversation: "8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
  contact: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
  channel: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
  task: "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918",
  user: "e9f8a7b6-c5d4-4e3f-a2b1-c0d9e8f7a6b5",
} as const;

function defineEvent<S extends z.ZodObject>(definition: { description: string; payload: S; sample: z.input<S> }) {
  return definition;
}

/** The task the task.* samples describe; each event gives its own status. */
const SAMPLE_TASK = {
  task_id: SAMPLE.task,
  title: "Call back about the Lisbon order",
  due_at: "2025-01-16T09:00:00.000Z",
  assignee_id: SAMPLE.user,
  conversation_id: SAMPLE.conversation,
  contact_id: SAMPLE.contact,
};

export const EVENT_CATALOG = {
  "message.ingested": defineEvent({
    description: "A customer message arrived on a channel and was stored in the inbox.",
    payload: z.object({
      message_id: id,
      conversation_id: id,
      contact_id: id,
      channel_id: id,
      channel_type: z.enum(CHANNEL_TYPES),
      body: z.string().nullable(),
      /** text, image, audio, video, document, location, sticker, reaction, postback, unsupported... */
      type: z.string().min(1),
      /** Typed content beyond the text (media, reaction, location, story mention, interactive reply, postback); null for plain text. */
      content: messageContentSchema.nullable().default(null),
      external_id: z.string().nullable(),
      received_at: isoDateTime,
    }),
    sample: {
      message_id: SAMPLE.message,
      conversation_id: SAMPLE.conversation,
      contact_id: SAMPLE.contact,
      channel_id: SAMPLE.channel,
      channel_type: "whatsapp",
      body: "Hi! Do you ship to Lisbon?",
      type: "text",
      content: null,
      external_id: "wamid.HBgLMzUxOTEyMzQ1Njc4FQIAEhgg",
      received_at: "2025-01-15T10:30:00.000Z",
    },
  }),
  "message.sent": defineEvent({
    description: "An outgoing message (agent reply or automation) changed delivery status on its channel.",
    payload: z.object({
      message_id: id,
      conversation_id: id,
      channel_id: id,
      external_id: z.string().nullable(),
      status: z.enum(MESSAGE_STATUSES),
    }),
    sample: {
      message_id: SAMPLE.message,
      conversation_id: SAMPLE.conversation,
      channel_id: SAMPLE.channel,
      external_id: "wamid.HBgLMzUxOTEyMzQ1Njc4FQIAERgS",
      status: "sent",
    },
  }),
  "conversation.updated": defineEvent({
    description: "A conversation's status or assignee changed.",
    payload: z.object({
      conversation_id: id,
      status: z.enum(CONVERSATION_STATUSES),
      assignee_id: nullableId,
      changes,
    }),
    sample: {
      conversation_id: SAMPLE.conversation,
      status: "resolved",
      assignee_id: SAMPLE.user,
      changes: ["status"],
    },
  }),
  "task.created": defineEvent({
    description: "A task was created (by an agent, a rule or an automation callback).",
    payload: taskPayload,
    sample: { ...SAMPLE_TASK, status: "open" },
  }),
  "task.completed": defineEvent({
    description: "A task was marked done.",
    payload: taskPayload,
    sample: { ...SAMPLE_TASK, status: "done" },
  }),
  "task.overdue": defineEvent({
    description: "An open task passed its due time (the scheduled overdue check; sent once per task).",
    payload: taskPayload,
    sample: { ...SAMPLE_TASK, status: "open" },
  }),
  "contact.updated": defineEvent({
    description: "A contact's details changed.",
    payload: z.object({
      contact_id: id,
      changes,
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
    }),
    sample: {
      contact_id: SAMPLE.contact,
      changes: ["email"],
      name: "Ana Silva",
      email: "ana.silva@example.com",
      phone: "+351912345678",
    },
  }),
  "lead.score_changed": defineEvent({
    description: "A contact's lead score changed (AI classification or an automation).",
    payload: z.object({
      contact_id: id,
      previous_score: z.number().int(),
      score: z.number().int(),
    }),
    sample: { contact_id: SAMPLE.contact, previous_score: 40, score: 85 },
  }),
  "alfred.test": defineEvent({
    description: 'Sent by "send test event" to check that a destination receives and verifies deliveries.',
    payload: z.object({ message: z.string() }),
    sample: { message: "This is a test event from Alfred." },
  }),
} as const;

export type CatalogEventType = keyof typeof EVENT_CATALOG;
/** Types a destination can subscribe to; `alfred.test` is only ever sent on demand. */
export type EventType = Exclude<CatalogEventType, "alfred.test">;
export type EventPayload<T extends CatalogEventType> = z.output<(typeof EVENT_CATALOG)[T]["payload"]>;

export const TEST_EVENT_TYPE = "alfred.test" satisfies CatalogEventType;

export const EVENT_TYPES = [
  "message.ingested",
  "message.sent",
  "conversation.updated",
  "task.created",
  "task.completed",
  "task.overdue",
  "contact.updated",
  "lead.score_changed",
] as const satisfies readonly EventType[];

// Compile-time proof that EVENT_TYPES lists every subscribable type of the catalog.
type _MissingFromEventTypes = Exclude<EventType, (typeof EVENT_TYPES)[number]>;
const _everyTypeListed: [_MissingFromEventTypes] extends [never] ? true : never = true;
void _everyTypeListed;

export const ALL_EVENT_TYPES: readonly CatalogEventType[] = [...EVENT_TYPES, TEST_EVENT_TYPE];

export function isEventType(value: unknown): value is EventType {
  return typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value);
}

export function isCatalogEventType(value: unknown): value is CatalogEventType {
  return typeof value === "string" && Object.hasOwn(EVENT_CATALOG, value);
}

/** Zod schema for destination subscriptions (`event_types`), with a readable error. */
export const eventTypeSchema = z.enum(EVENT_TYPES);

/** The catalog as the API and UI show it: type, description and a sample payload. */
export function describeCatalog(): { type: CatalogEventType; description: string; subscribable: boolean; sample: unknown }[] {
  return ALL_EVENT_TYPES.map((type) => ({
    type,
    description: EVENT_CATALOG[type].description,
    subscribable: type !== TEST_EVENT_TYPE,
    sample: EVENT_CATALOG[type].sample,
  }));
}

// ---------------------------------------------------------------------------------------------
// Envelope

const envelopeBase = {
  event_id: id,
  tenant_id: id,
  occurred_at: isoDateTime,
};

function envelopeFor<T extends CatalogEventType>(type: T) {
  return z.object({ ...envelopeBase, type: z.literal(type), payload: EVENT_CATALOG[type].payload });
}

/** The JSON body of every delivery, discriminated by `type` so the payload is checked too. */
export const envelopeSchema = z.discriminatedUnion("type", [
  envelopeFor("message.ingested"),
  envelopeFor("message.sent"),
  envelopeFor("conversation.updated"),
  envelopeFor("task.created"),
  envelopeFor("task.completed"),
  envelopeFor("task.overdue"),
  envelopeFor("contact.updated"),
  envelopeFor("lead.score_changed"),
  envelopeFor("alfred.test"),
]);

export type EventEnvelope = z.output<typeof envelopeSchema>;
export type EnvelopeOf<T extends CatalogEventType> = {
  event_id: string;
  tenant_id: string;
  occurred_at: string;
  type: T;
  payload: EventPayload<T>;
};

/** The event id and time every sample envelope carries, so a sample is never mistaken for an event. */
export const SAMPLE_EVENT_ID = "5a3c1e2d-0b9f-4e8a-a7c6-d5e4f3a2b1c0";
const SAMPLE_OCCURRED_AT = "2025-01-15T10:30:00.000Z";

/**
 * The body a delivery of `type` carries, built from the catalog's sample payload for `tenantId`:
 * what a receiver (the Activepieces piece's "test trigger") maps its flow against.
 */
export function sampleEnvelope<T extends CatalogEventType>(type: T, tenantId: string): EnvelopeOf<T> {
  return buildEnvelope({ type, tenantId, payload: EVENT_CATALOG[type].sample as EventPayload<T>, eventId: SAMPLE_EVENT_ID, occurredAt: SAMPLE_OCCURRED_AT });
}

export interface BuildEnvelopeInput<T extends CatalogEventType> {
  type: T;
  tenantId: string;
  payload: EventPayload<T>;
  /** The outbox row id; generated when absent (e.g. a test event). */
  eventId?: string;
  occurredAt?: Date | string;
}

/**
 * Builds and validates an envelope. Validation happens here, at the producer, so a malformed
 * payload fails the transaction that caused it instead of reaching a receiver.
 */
export function buildEnvelope<T extends CatalogEventType>(input: BuildEnvelopeInput<T>): EnvelopeOf<T> {
  const occurredAt = input.occurredAt ?? new Date();
  const envelope = {
    event_id: input.eventId ?? randomUUID(),
    tenant_id: input.tenantId,
    occurred_at: occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt,
    type: input.type,
    payload: EVENT_CATALOG[input.type].payload.parse(input.payload),
  };
  return envelopeFor(input.type).parse(envelope) as EnvelopeOf<T>;
}
