/**
 * The words rules are written in. Event types mirror the outbound event catalog
 * (packages/automation/src/events/catalog.ts); `task.overdue` and `lead.stalled` are produced by the
 * scheduled checks and join that catalog as well, so destinations and rules react to the same events.
 */
export const CATALOG_EVENT_TYPES = [
  "message.ingested",
  "message.sent",
  "conversation.updated",
  "task.created",
  "task.completed",
  "contact.updated",
  "lead.score_changed",
] as const;

export const SCHEDULED_EVENT_TYPES = ["task.overdue", "lead.stalled"] as const;

export const RULE_EVENT_TYPES = [...CATALOG_EVENT_TYPES, ...SCHEDULED_EVENT_TYPES] as const;
export type RuleEventType = (typeof RULE_EVENT_TYPES)[number];
export type ScheduledEventType = (typeof SCHEDULED_EVENT_TYPES)[number];

export function isRuleEventType(value: unknown): value is RuleEventType {
  return typeof value === "string" && (RULE_EVENT_TYPES as readonly string[]).includes(value);
}

export function isScheduledEventType(value: unknown): value is ScheduledEventType {
  return typeof value === "string" && (SCHEDULED_EVENT_TYPES as readonly string[]).includes(value);
}

export const CHANNEL_TYPES = ["whatsapp", "messenger", "instagram", "email", "api"] as const;
export const CONVERSATION_STATUSES = ["open", "pending", "resolved", "snoozed"] as const;
export const CONVERSATION_PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export const MESSAGE_STATUSES = ["received", "queued", "sending", "sent", "delivered", "read", "failed"] as const;
export const MESSAGE_DIRECTIONS = ["in", "out"] as const;
export const TASK_STATUSES = ["open", "done"] as const;
export const ROLES = ["agent", "manager", "admin"] as const;

export type ChannelType = (typeof CHANNEL_TYPES)[number];
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export type ConversationPriority = (typeof CONVERSATION_PRIORITIES)[number];
export type Role = (typeof ROLES)[number];

/** What a message is about, as classified on ingest. */
export const INTENTS = ["purchase_intent", "question", "complaint", "spam", "greeting", "other"] as const;
export const SENTIMENTS = ["positive", "neutral", "negative"] as const;
export const LANGUAGES = ["pt", "en", "es", "unknown"] as const;

export type Intent = (typeof INTENTS)[number];
export type Sentiment = (typeof SENTIMENTS)[number];
export type Language = (typeof LANGUAGES)[number];
