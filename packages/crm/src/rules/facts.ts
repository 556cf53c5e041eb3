import { and, eq, type DbOrTx } from "@alfred/db";
import { type automationEvents, channels, contacts, conversations, messages } from "@alfred/db/schema";
import { isRuleEventType, type Facts } from "@alfred/rules";

export type EventRow = typeof automationEvents.$inferSelect;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const idIn = (payload: Record<string, unknown>, key: string) => (typeof payload[key] === "string" ? (payload[key] as string) : null);

/**
 * What rules read about an event: its payload and the records it names, as they are now (the rules
 * README lists the fields). Every read is scoped to the event's tenant. Null for an event type no
 * rule can listen to (`alfred.test`).
 */
export async function loadFacts(db: DbOrTx, event: EventRow): Promise<Facts | null> {
  if (!isRuleEventType(event.type)) return null;
  const tenantId = event.tenantId;
  const payload = (event.payload ?? {}) as Record<string, unknown>;

  const messageId = idIn(payload, "message_id");
  const [message] = messageId ? await db.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, messageId))) : [];
  const conversationId = idIn(payload, "conversation_id") ?? message?.conversationId ?? null;
  const [conversation] = conversationId ? await db.select().from(conversations).where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, conversationId))) : [];
  const contactId = idIn(payload, "contact_id") ?? conversation?.contactId ?? null;
  const [contact] = contactId ? await db.select().from(contacts).where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, contactId))) : [];
  const channelId = idIn(payload, "channel_id") ?? conversation?.channelId ?? null;
  const [channel] = channelId ? await db.select().from(channels).where(and(eq(channels.tenantId, tenantId), eq(channels.id, channelId))) : [];

  const classification = message?.aiClassification as { intent?: string; sentiment?: string; language?: string; provider?: string } | null | undefined;
  return {
    event: { id: event.id, type: event.type, occurred_at: event.occurredAt.toISOString(), payload },
    message: message
      ? {
          id: message.id,
          direction: message.direction,
          type: message.type,
          body: message.body,
          status: message.status,
          created_at: iso(message.createdAt),
          classification: classification ? { intent: classification.intent ?? null, sentiment: classification.sentiment ?? null, language: classification.language ?? null, provider: classification.provider ?? null } : null,
        }
      : null,
    conversation: conversation
      ? {
          id: conversation.id,
          status: conversation.status,
          priority: conversation.priority,
          labels: conversation.labels,
          assignee_id: conversation.assigneeId,
          unread_count: conversation.unreadCount,
          subject: conversation.subject,
          created_at: iso(conversation.createdAt),
          last_inbound_at: iso(conversation.lastInboundAt),
        }
      : null,
    contact: contact ? { id: contact.id, name: contact.name, email: contact.email, phone: contact.phone, lead_score: contact.leadScore, created_at: iso(contact.createdAt), attributes: contact.attributes } : null,
    channel: channel ? { id: channel.id, type: channel.type, name: channel.name } : null,
  };
}
