import { EVENT_CATALOG, type EventType } from "@alfred/automation/catalog";
import { alfredEventTrigger } from "./event-trigger";

/** Trigger name (stable: flows refer to it), Alfred event type, name shown in the builder. */
const TRIGGERS: [name: string, eventType: EventType, displayName: string][] = [
  ["new_inbound_message", "message.ingested", "New inbound message"],
  ["message_sent", "message.sent", "Message sent"],
  ["conversation_updated", "conversation.updated", "Conversation updated"],
  ["task_created", "task.created", "Task created"],
  ["task_completed", "task.completed", "Task completed"],
  ["task_overdue", "task.overdue", "Task overdue"],
  ["contact_updated", "contact.updated", "Contact updated"],
  ["lead_score_changed", "lead.score_changed", "Lead score changed"],
];

export const alfredTriggers = TRIGGERS.map(([name, eventType, displayName]) =>
  alfredEventTrigger({ name, eventType, displayName, description: EVENT_CATALOG[eventType].description }),
);
