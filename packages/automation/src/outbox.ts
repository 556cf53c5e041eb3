import { currentCorrelationId, currentTraceparent } from "@alfred/core";
import { and, arrayContains, eq, sql, type DbOrTx } from "@alfred/db";
import { automationDeliveries, automationDestinations, automationEvents, type EventOrigin } from "@alfred/db/schema";
import { buildEnvelope, type EventPayload, type EventType } from "./events/catalog";
import type { PostCommitEffects } from "./effects";

export interface RecordEventInput<T extends EventType> {
  tenantId: string;
  type: T;
  payload: EventPayload<T>;
  /**
   * The producer's idempotency key, unique per tenant (e.g. `message.ingested:<message id>`). A repeat
   * returns the existing event and fans out nothing.
   */
  sourceEventId: string;
  correlationId?: string | null;
  occurredAt?: Date;
  /** The rule action that caused the change, so rules evaluate the event in that chain (loop prevention). */
  origin?: EventOrigin | null;
}

export interface RecordedEvent {
  eventId: string;
  created: boolean;
  deliveryIds: string[];
}

/**
 * The transactional outbox. Call it with the transaction of the change that caused the event: the
 * event row and one pending delivery per subscribed, enabled destination commit (or roll back) with
 * that change, so no committed change loses its event even when Redis is down. The delivery engines
 * are woken after commit (`effects`); their sweep finds whatever a lost wake-up missed.
 */
export async function recordEvent<T extends EventType>(tx: DbOrTx, input: RecordEventInput<T>, effects?: PostCommitEffects): Promise<RecordedEvent> {
  const occurredAt = input.occurredAt ?? new Date();
  // Validates the payload against the catalog before anything is written.
  const envelope = buildEnvelope({ type: input.type, tenantId: input.tenantId, payload: input.payload, occurredAt });

  const [inserted] = await tx
    .insert(automationEvents)
    .values({
      id: envelope.event_id,
      tenantId: input.tenantId,
      type: input.type,
      sourceEventId: input.sourceEventId,
      payload: envelope.payload,
      occurredAt,
      correlationId: input.correlationId ?? currentCorrelationId() ?? null,
      origin: input.origin ?? null,
      traceparent: currentTraceparent(),
    })
    .onConflictDoNothing({ target: [automationEvents.tenantId, automationEvents.sourceEventId] })
    .returning({ id: automationEvents.id });

  if (!inserted) {
    const [existing] = await tx
      .select({ id: automationEvents.id })
      .from(automationEvents)
      .where(and(eq(automationEvents.tenantId, input.tenantId), eq(automationEvents.sourceEventId, input.sourceEventId)));
    return { eventId: existing!.id, created: false, deliveryIds: [] };
  }

  const deliveryIds = await fanOut(tx, { tenantId: input.tenantId, eventId: inserted.id, eventType: input.type });
  effects?.deliveries.push(...deliveryIds.map((deliveryId) => ({ deliveryId, tenantId: input.tenantId })));
  if (effects) effects.events++;
  return { eventId: inserted.id, created: true, deliveryIds };
}

/** One pending delivery per enabled destination of the tenant subscribed to the type. */
export async function fanOut(
  tx: DbOrTx,
  event: { tenantId: string; eventId: string; eventType: string; destinationId?: string; trigger?: "scheduled" | "manual" },
): Promise<string[]> {
  const destinations = await tx
    .select({ id: automationDestinations.id })
    .from(automationDestinations)
    .where(
      and(
        eq(automationDestinations.tenantId, event.tenantId),
        eq(automationDestinations.enabled, true),
        event.destinationId ? eq(automationDestinations.id, event.destinationId) : arrayContains(automationDestinations.eventTypes, [event.eventType]),
      ),
    );
  if (destinations.length === 0) return [];
  const rows = await tx
    .insert(automationDeliveries)
    .values(
      destinations.map((d) => ({
        tenantId: event.tenantId,
        eventId: event.eventId,
        destinationId: d.id,
        eventType: event.eventType,
        status: "pending" as const,
        nextRetryAt: sql`now()`,
        nextTrigger: event.trigger ?? "scheduled",
      })),
    )
    .returning({ id: automationDeliveries.id });
  return rows.map((r) => r.id);
}
