import type { Principal } from "@alfred/auth";
import { AppError } from "@alfred/core";
import { and, asc, eq, inArray, or, type SQL } from "@alfred/db";
import {
  automationCallbackEvents,
  automationDeliveries,
  automationDeliveryAttempts,
  automationDestinations,
  automationEvents,
  contacts,
  conversations,
  internalComments,
  messages,
  tasks,
} from "@alfred/db/schema";
import type { z } from "zod";
import type { Context } from "../../context";
import type { timelineInput, timelineItem } from "./operations.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };
type Item = z.infer<typeof timelineItem>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Bounds each step, so a correlation id shared by a bulk operation cannot make an endless page. */
const MAX_EVENTS = 50;
const MAX_ROWS = 500;
/** Ties (same instant) are shown in causal order. */
const KIND_ORDER: Record<Item["kind"], number> = { message: 0, event: 1, delivery: 2, attempt: 3, callback: 4, result: 5 };

const clip = (text: string | null | undefined, max = 200) => (text == null ? null : text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Ids of inbox messages an event is about (`message.ingested`, `message.sent`). */
function messageIdOf(payload: unknown): string | null {
  const id = (payload as { message_id?: unknown } | null)?.message_id;
  return typeof id === "string" && UUID.test(id) ? id : null;
}

/**
 * "What happened" for one correlation id or one event, in time order: the inbound message that
 * caused the event, the event(s), every delivery and attempt, every callback that answered them
 * (linked by event id or carrying the same correlation id) and the object each callback produced.
 * Every query is tenant-scoped; an id of another tenant finds nothing and answers NOT_FOUND.
 */
export async function timelineHandler({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof timelineInput> }): Promise<{ items: Item[] }> {
  const { db, tenantId } = ctx;
  const items: Item[] = [];

  // 1. Events: the one named, else those carrying the correlation id (or whose id it is: callbacks
  //    commonly quote the outbound event id as their correlation id).
  let match: SQL | undefined;
  if (input.event_id) match = eq(automationEvents.id, input.event_id);
  else if (input.correlation_id) {
    const byCorrelation = eq(automationEvents.correlationId, input.correlation_id);
    match = UUID.test(input.correlation_id) ? or(byCorrelation, eq(automationEvents.id, input.correlation_id)) : byCorrelation;
  }
  const events = await db
    .select()
    .from(automationEvents)
    .where(and(eq(automationEvents.tenantId, tenantId), match))
    .orderBy(asc(automationEvents.occurredAt))
    .limit(MAX_EVENTS);
  if (input.event_id && events.length === 0) throw new AppError("not_found", "event not found");
  const eventIds = events.map((e) => e.id);

  // 2. The inbound (or outbound) messages the events are about.
  const messageIds = [...new Set(events.map((e) => messageIdOf(e.payload)).filter((id): id is string => id !== null))];
  const eventMessages = messageIds.length
    ? await db.select().from(messages).where(and(eq(messages.tenantId, tenantId), inArray(messages.id, messageIds)))
    : [];
  for (const m of eventMessages) {
    items.push({
      // Stored time (database clock, like every other row here); the provider's clock may differ.
      at: m.createdAt.toISOString(),
      kind: "message",
      title: m.direction === "in" ? "Inbound message" : "Outbound message",
      status: m.status,
      ref: { type: "message", id: m.id },
      details: {
        conversation_id: m.conversationId,
        channel_id: m.channelId,
        direction: m.direction,
        type: m.type,
        body: clip(m.body),
        provider_timestamp: m.providerTimestamp?.toISOString() ?? null,
      },
    });
  }

  for (const e of events) {
    items.push({
      at: e.occurredAt.toISOString(),
      kind: "event",
      title: e.type,
      ref: { type: "event", id: e.id },
      details: { correlation_id: e.correlationId, payload: e.payload },
    });
  }

  // 3. Deliveries and their attempts.
  const deliveries = eventIds.length
    ? await db
        .select({ delivery: automationDeliveries, destinationName: automationDestinations.name })
        .from(automationDeliveries)
        // The tenant condition is part of the join: a row pointing at another tenant's destination finds nothing.
        .innerJoin(automationDestinations, and(eq(automationDestinations.id, automationDeliveries.destinationId), eq(automationDestinations.tenantId, tenantId)))
        .where(and(eq(automationDeliveries.tenantId, tenantId), inArray(automationDeliveries.eventId, eventIds)))
        .limit(MAX_ROWS)
    : [];
  const destinationNames = new Map(deliveries.map((d) => [d.delivery.destinationId, d.destinationName]));
  // An event's occurred_at may be set by its producer a moment after the row's transaction began;
  // a delivery is never shown before its event.
  const eventAt = new Map(events.map((e) => [e.id, e.occurredAt.getTime()]));
  for (const { delivery: d, destinationName } of deliveries) {
    items.push({
      at: new Date(Math.max(d.createdAt.getTime(), eventAt.get(d.eventId) ?? 0)).toISOString(),
      kind: "delivery",
      title: `Delivery to ${destinationName}`,
      status: d.status,
      ref: { type: "delivery", id: d.id },
      details: {
        event_id: d.eventId,
        destination_id: d.destinationId,
        destination_name: destinationName,
        attempts: d.attempts,
        last_status_code: d.lastStatusCode,
        last_error: d.lastError,
        next_retry_at: d.nextRetryAt?.toISOString() ?? null,
        delivered_at: d.deliveredAt?.toISOString() ?? null,
      },
    });
  }
  const deliveryIds = deliveries.map((d) => d.delivery.id);
  const attempts = deliveryIds.length
    ? await db
        .select()
        .from(automationDeliveryAttempts)
        .where(and(eq(automationDeliveryAttempts.tenantId, tenantId), inArray(automationDeliveryAttempts.deliveryId, deliveryIds)))
        .limit(MAX_ROWS)
    : [];
  for (const a of attempts) {
    const outcome = a.errorClass === null ? `HTTP ${a.statusCode ?? "?"}` : a.statusCode !== null ? `HTTP ${a.statusCode}` : a.errorClass;
    items.push({
      at: a.startedAt.toISOString(),
      kind: "attempt",
      title: `Attempt ${a.number}: ${outcome} in ${a.durationMs} ms`,
      status: a.errorClass === null ? "succeeded" : "failed",
      ref: { type: "delivery", id: a.deliveryId },
      details: {
        delivery_id: a.deliveryId,
        number: a.number,
        trigger: a.trigger,
        status_code: a.statusCode,
        duration_ms: a.durationMs,
        error_class: a.errorClass,
        error_message: a.errorMessage,
      },
    });
  }

  // 4. Callbacks that answered: linked to one of the events, or carrying the correlation id.
  const callbackWhere: SQL[] = [];
  if (eventIds.length) callbackWhere.push(inArray(automationCallbackEvents.linkedEventId, eventIds));
  if (input.correlation_id) callbackWhere.push(eq(automationCallbackEvents.correlationId, input.correlation_id));
  const callbacks = callbackWhere.length
    ? await db
        .select({ callback: automationCallbackEvents, destinationName: automationDestinations.name })
        .from(automationCallbackEvents)
        .innerJoin(automationDestinations, and(eq(automationDestinations.id, automationCallbackEvents.destinationId), eq(automationDestinations.tenantId, tenantId)))
        .where(and(eq(automationCallbackEvents.tenantId, tenantId), or(...callbackWhere)))
        .limit(MAX_ROWS)
    : [];
  for (const { callback: c, destinationName } of callbacks) {
    destinationNames.set(c.destinationId, destinationName);
    items.push({
      at: c.createdAt.toISOString(),
      kind: "callback",
      title: `Callback ${c.action} from ${destinationName}`,
      status: c.status,
      ref: { type: "callback", id: c.id },
      details: {
        action: c.action,
        destination_id: c.destinationId,
        event_id: c.eventId,
        correlation_id: c.correlationId,
        linked_event_id: c.linkedEventId,
        response_status: c.responseStatus,
        result: c.resultType && c.resultId ? { type: c.resultType, id: c.resultId } : null,
      },
    });
  }

  if (events.length === 0 && callbacks.length === 0) throw new AppError("not_found", "nothing found for this correlation id");

  // 5. What each callback produced.
  items.push(...(await resultItems(ctx, callbacks.map((c) => c.callback))));

  items.sort((a, b) => a.at.localeCompare(b.at) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  return { items };
}

type CallbackRow = typeof automationCallbackEvents.$inferSelect;

async function resultItems({ db, tenantId }: TenantCtx, callbacks: CallbackRow[]): Promise<Item[]> {
  const byType = (type: string) => callbacks.filter((c) => c.status === "succeeded" && c.resultType === type && c.resultId).map((c) => c.resultId!);
  const completedAt = (type: string, id: string) => callbacks.find((c) => c.resultType === type && c.resultId === id)?.completedAt ?? null;
  const out: Item[] = [];

  const taskIds = byType("task");
  if (taskIds.length) {
    for (const t of await db.select().from(tasks).where(and(eq(tasks.tenantId, tenantId), inArray(tasks.id, taskIds)))) {
      out.push({
        at: t.createdAt.toISOString(),
        kind: "result",
        title: `Task created: ${clip(t.title, 120)}`,
        status: t.status,
        ref: { type: "task", id: t.id },
        details: { title: t.title, due_at: t.dueAt?.toISOString() ?? null, assignee_id: t.assigneeId, conversation_id: t.conversationId, contact_id: t.contactId },
      });
    }
  }
  const messageIds = byType("message");
  if (messageIds.length) {
    for (const m of await db.select().from(messages).where(and(eq(messages.tenantId, tenantId), inArray(messages.id, messageIds)))) {
      out.push({
        at: m.createdAt.toISOString(),
        kind: "result",
        title: "Message sent",
        status: m.status,
        ref: { type: "message", id: m.id },
        details: { conversation_id: m.conversationId, body: clip(m.body), error: m.error },
      });
    }
  }
  const commentIds = byType("internal_comment");
  if (commentIds.length) {
    for (const c of await db.select().from(internalComments).where(and(eq(internalComments.tenantId, tenantId), inArray(internalComments.id, commentIds)))) {
      out.push({
        at: c.createdAt.toISOString(),
        kind: "result",
        title: "Internal comment added",
        ref: { type: "internal_comment", id: c.id },
        details: { conversation_id: c.conversationId, body: clip(c.body) },
      });
    }
  }
  // A status change or contact update has no row of its own: it happened when the callback completed.
  const conversationIds = byType("conversation");
  if (conversationIds.length) {
    for (const c of await db.select().from(conversations).where(and(eq(conversations.tenantId, tenantId), inArray(conversations.id, conversationIds)))) {
      const at = completedAt("conversation", c.id) ?? c.updatedAt;
      const requested = callbacks.find((cb) => cb.resultType === "conversation" && cb.resultId === c.id)?.requestBody as { params?: { status?: string } } | null;
      out.push({
        at: at.toISOString(),
        kind: "result",
        title: `Conversation status changed${requested?.params?.status ? ` to ${requested.params.status}` : ""}`,
        status: requested?.params?.status ?? c.status,
        ref: { type: "conversation", id: c.id },
        details: { current_status: c.status, assignee_id: c.assigneeId },
      });
    }
  }
  const contactIds = byType("contact");
  if (contactIds.length) {
    for (const c of await db.select().from(contacts).where(and(eq(contacts.tenantId, tenantId), inArray(contacts.id, contactIds)))) {
      out.push({
        at: (completedAt("contact", c.id) ?? c.updatedAt).toISOString(),
        kind: "result",
        title: `Contact updated${c.name ? `: ${clip(c.name, 80)}` : ""}`,
        ref: { type: "contact", id: c.id },
        details: { lead_score: c.leadScore },
      });
    }
  }
  return out;
}
