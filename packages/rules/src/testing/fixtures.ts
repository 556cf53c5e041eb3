import type { Facts } from "../engine/facts";

/** Fixed ids and a fixed clock, so expected outputs in tests are exact. */
export const IDS = {
  event: "0e0a8f7e-6d5c-4b3a-9f8e-7d6c5b4a3f2e",
  message: "5f0c9a8e-1d2b-4c3a-8e7f-6a5b4c3d2e1f",
  conversation: "8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
  contact: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
  channel: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
  agent: "e9f8a7b6-c5d4-4e3f-a2b1-c0d9e8f7a6b5",
  otherAgent: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  destination: "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a",
  task: "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918",
} as const;

export const OCCURRED_AT = "2025-01-15T10:30:00.000Z";

/** An inbound WhatsApp message asking about a price, with the records the worker would load. */
export function whatsappMessageFacts(body = "Olá! Qual o preço do plano anual?", overrides: Partial<Facts> = {}): Facts {
  return {
    event: {
      id: IDS.event,
      type: "message.ingested",
      occurred_at: OCCURRED_AT,
      payload: {
        message_id: IDS.message,
        conversation_id: IDS.conversation,
        contact_id: IDS.contact,
        channel_id: IDS.channel,
        channel_type: "whatsapp",
        body,
        type: "text",
        external_id: "wamid.1",
        received_at: OCCURRED_AT,
      },
    },
    message: { id: IDS.message, direction: "in", type: "text", body, status: "received", created_at: OCCURRED_AT, classification: { intent: "purchase_intent", sentiment: "neutral", language: "pt", provider: "local" } },
    conversation: { id: IDS.conversation, status: "open", priority: "normal", labels: ["vip"], assignee_id: IDS.agent, unread_count: 1, subject: null, created_at: "2025-01-10T08:00:00.000Z", last_inbound_at: OCCURRED_AT },
    contact: { id: IDS.contact, name: "Ana Silva", email: "ana@example.com", phone: "+351912345678", lead_score: 40, created_at: "2024-12-01T00:00:00.000Z", attributes: { plan: "gold", seats: 12 } },
    channel: { id: IDS.channel, type: "whatsapp", name: "Sales WhatsApp" },
    ...overrides,
  };
}

export function taskOverdueFacts(withConversation: boolean): Facts {
  return {
    event: {
      id: IDS.event,
      type: "task.overdue",
      occurred_at: OCCURRED_AT,
      payload: { task_id: IDS.task, title: "Send the quote", status: "open", due_at: "2025-01-14T09:00:00.000Z", assignee_id: IDS.agent, conversation_id: withConversation ? IDS.conversation : null, contact_id: IDS.contact },
    },
    conversation: withConversation ? { id: IDS.conversation, status: "pending", assignee_id: IDS.agent, labels: [] } : null,
    contact: { id: IDS.contact, name: null, lead_score: 10 },
  };
}
