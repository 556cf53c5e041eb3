import { alfredEventTrigger } from "./event-trigger";

export const newInboundMessage = alfredEventTrigger({
  name: "new_inbound_message",
  eventType: "message.ingested",
  displayName: "New inbound message",
  description: "A customer message arrived on a channel (WhatsApp, Instagram, Messenger, e-mail, API).",
});

export const messageSent = alfredEventTrigger({
  name: "message_sent",
  eventType: "message.sent",
  displayName: "Message sent",
  description: "An outgoing message changed delivery status on its channel (sent, delivered, read, failed).",
});

export const conversationUpdated = alfredEventTrigger({
  name: "conversation_updated",
  eventType: "conversation.updated",
  displayName: "Conversation updated",
  description: "A conversation's status or assignee changed.",
});

export const taskCreated = alfredEventTrigger({
  name: "task_created",
  eventType: "task.created",
  displayName: "Task created",
  description: "A task was created by an agent, a rule or an automation.",
});

export const taskCompleted = alfredEventTrigger({
  name: "task_completed",
  eventType: "task.completed",
  displayName: "Task completed",
  description: "A task was marked done.",
});

export const contactUpdated = alfredEventTrigger({
  name: "contact_updated",
  eventType: "contact.updated",
  displayName: "Contact updated",
  description: "A contact's name, e-mail, phone or attributes changed.",
});

export const leadScoreChanged = alfredEventTrigger({
  name: "lead_score_changed",
  eventType: "lead.score_changed",
  displayName: "Lead score changed",
  description: "A contact's lead score changed (AI classification or an automation).",
});

export const alfredTriggers = [newInboundMessage, messageSent, conversationUpdated, taskCreated, taskCompleted, contactUpdated, leadScoreChanged];
