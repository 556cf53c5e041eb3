import { randomUUID } from "node:crypto";
import { AppError } from "@alfred/core";
import { and, asc, beforeCursor, cursorTimestamp, decodeCursor, desc, encodeCursor, eq, gte, inArray, lt, sql, type Database, type SQL } from "@alfred/db";
import { automationDeliveries, automationDeliveryAttempts, automationDestinations, automationEvents } from "@alfred/db/schema";
import { isCatalogEventType } from "./events/catalog";
import { fanOut } from "./outbox";
import type { Producer } from "./producer";

/** Due rows are the queue; a lost wake-up only costs the engine's next sweep (about a second). */
const wake = (producer: Producer) => producer.wakeDeliveries().catch(() => undefined);

/**
 * Deliveries as the API and dashboard see them: a keyset-paginated, filterable list (newest
 * first), the full record of one delivery (event envelope, every attempt with the exact headers
 * sent), manual retry, replay of an old event, and bulk retry / cancel by filter. Tenant-scoped
 * throughout; a manual attempt is a due row marked `manual`, and the engine is woken after commit.
 */

export type DeliveryStatus = (typeof automationDeliveries.$inferSelect)["status"];

export interface DeliverySummary {
  id: string;
  event_id: string;
  destination_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_retry_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface DeliveryAttemptView {
  number: number;
  trigger: "scheduled" | "manual" | "test";
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error_class: string | null;
  error_message: string | null;
  response_snippet: string | null;
  request_headers: Record<string, string>;
  retry_at: string | null;
}

export interface DeliveryDetail extends DeliverySummary {
  event: { event_id: string; tenant_id: string; occurred_at: string; type: string; payload: unknown };
  attempt_log: DeliveryAttemptView[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type DeliveryRow = typeof automationDeliveries.$inferSelect;

function toSummary(row: DeliveryRow): DeliverySummary {
  return {
    id: row.id,
    event_id: row.eventId,
    destination_id: row.destinationId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    next_retry_at: iso(row.nextRetryAt),
    delivered_at: iso(row.deliveredAt),
    created_at: row.createdAt.toISOString(),
  };
}

const createdAtMicros = cursorTimestamp(automationDeliveries.createdAt);

export interface DeliveryFilter {
  status?: DeliveryStatus;
  destination_id?: string;
  event_type?: string;
  /** created_at >= since */
  since?: Date;
  /** created_at < until */
  until?: Date;
}

function filterConditions(tenantId: string, filter: DeliveryFilter): SQL[] {
  const conditions: SQL[] = [eq(automationDeliveries.tenantId, tenantId)];
  if (filter.status) conditions.push(eq(automationDeliveries.status, filter.status));
  if (filter.destination_id) conditions.push(eq(automationDeliveries.destinationId, filter.destination_id));
  if (filter.event_type) conditions.push(eq(automationDeliveries.eventType, filter.event_type));
  if (filter.since) conditions.push(gte(automationDeliveries.createdAt, filter.since));
  if (filter.until) conditions.push(lt(automationDeliveries.createdAt, filter.until));
  return conditions;
}

export const DEFAULT_DELIVERY_PAGE = 50;
export const MAX_DELIVERY_PAGE = 100;

export async function listDeliveries(
  db: Database,
  tenantId: string,
  input: DeliveryFilter & { cursor?: string; limit?: number },
): Promise<{ items: DeliverySummary[]; next_cursor: string | null }> {
  const limit = Math.min(Math.max(input.limit ?? DEFAULT_DELIVERY_PAGE, 1), MAX_DELIVERY_PAGE);
  if (input.since && input.until && input.since >= input.until) {
    throw new AppError("validation_error", "since must be earlier than until", { path: "since" });
  }
  const conditions = filterConditions(tenantId, input);
  const cursor = decodeCursor(input.cursor);
  if (cursor) conditions.push(beforeCursor(automationDeliveries.createdAt, automationDeliveries.id, cursor));
  const rows = await db
    .select({ row: automationDeliveries, key: createdAtMicros })
    .from(automationDeliveries)
    .where(and(...conditions))
    .orderBy(desc(automationDeliveries.createdAt), desc(automationDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toSummary(r.row)),
    next_cursor: rows.length > limit && last ? encodeCursor(last.key, last.row.id) : null,
  };
}

export async function getDelivery(db: Database, tenantId: string, id: string): Promise<DeliveryDetail> {
  const [found] = await db
    .select({ delivery: automationDeliveries, event: automationEvents })
    .from(automationDeliveries)
    .innerJoin(automationEvents, eq(automationEvents.id, automationDeliveries.eventId))
    .where(and(eq(automationDeliveries.tenantId, tenantId), eq(automationDeliveries.id, id)));
  if (!found) throw new AppError("not_found", "delivery not found");
  const attempts = await db
    .select()
    .from(automationDeliveryAttempts)
    .where(and(eq(automationDeliveryAttempts.tenantId, tenantId), eq(automationDeliveryAttempts.deliveryId, id)))
    .orderBy(asc(automationDeliveryAttempts.number));
  const { event } = found;
  return {
    ...toSummary(found.delivery),
    // The envelope exactly as it is sent (same field order as the delivery body).
    event: { event_id: event.id, tenant_id: event.tenantId, occurred_at: event.occurredAt.toISOString(), type: event.type, payload: event.payload },
    attempt_log: attempts.map((a) => ({
      number: a.number,
      trigger: a.trigger,
      started_at: a.startedAt.toISOString(),
      duration_ms: a.durationMs,
      status_code: a.statusCode,
      error_class: a.errorClass,
      error_message: a.errorMessage,
      response_snippet: a.responseSnippet,
      request_headers: a.requestHeaders,
      retry_at: iso(a.retryAt),
    })),
  };
}

async function assertDestinationEnabled(db: Database, tenantId: string, destinationId: string): Promise<void> {
  const [destination] = await db
    .select({ enabled: automationDestinations.enabled, reason: automationDestinations.disabledReason })
    .from(automationDestinations)
    .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, destinationId)));
  if (!destination) throw new AppError("not_found", "destination not found");
  if (!destination.enabled) throw new AppError("conflict", `the destination is disabled (${destination.reason ?? "manual"}); enable it first`);
}

/**
 * A manual attempt now, whatever the delivery's state except in flight: a failed or cancelled
 * delivery gets one more attempt (retried on the schedule if attempts remain), a pending one goes
 * now instead of waiting. Recorded with trigger `manual`.
 */
export async function retryDelivery(deps: { db: Database; producer: Producer }, tenantId: string, id: string): Promise<DeliverySummary> {
  const [existing] = await deps.db
    .select({ destinationId: automationDeliveries.destinationId })
    .from(automationDeliveries)
    .where(and(eq(automationDeliveries.tenantId, tenantId), eq(automationDeliveries.id, id)));
  if (!existing) throw new AppError("not_found", "delivery not found");
  await assertDestinationEnabled(deps.db, tenantId, existing.destinationId);
  const [row] = await deps.db
    .update(automationDeliveries)
    .set({ status: "pending", nextRetryAt: sql`now()`, nextTrigger: "manual", updatedAt: sql`now()` })
    .where(and(eq(automationDeliveries.tenantId, tenantId), eq(automationDeliveries.id, id), sql`${automationDeliveries.status} <> 'delivering'`))
    .returning();
  if (!row) throw new AppError("conflict", "the delivery is being sent right now; try again in a moment");
  await wake(deps.producer);
  return toSummary(row);
}

/** New deliveries of an old event: to one destination, or to every enabled subscriber of its type. */
export async function replayEvent(
  deps: { db: Database; producer: Producer },
  tenantId: string,
  eventId: string,
  input: { destination_id?: string },
): Promise<{ event_id: string; delivery_ids: string[] }> {
  const [event] = await deps.db
    .select({ id: automationEvents.id, type: automationEvents.type })
    .from(automationEvents)
    .where(and(eq(automationEvents.tenantId, tenantId), eq(automationEvents.id, eventId)));
  if (!event) throw new AppError("not_found", "event not found");
  if (!isCatalogEventType(event.type)) throw new AppError("conflict", `events of type ${event.type} cannot be replayed`);
  if (input.destination_id) await assertDestinationEnabled(deps.db, tenantId, input.destination_id);
  const ids = await deps.db.transaction((tx) => fanOut(tx, { tenantId, eventId: event.id, eventType: event.type, destinationId: input.destination_id, trigger: "manual" }));
  await wake(deps.producer);
  return { event_id: event.id, delivery_ids: ids };
}

export const MAX_BULK_DELIVERIES = 1000;

export interface BulkDeliveryFilter {
  ids?: string[];
  destination_id?: string;
  event_type?: string;
  since?: Date;
  until?: Date;
}

function bulkConditions(tenantId: string, filter: BulkDeliveryFilter): SQL[] {
  const conditions = filterConditions(tenantId, filter);
  if (filter.ids) conditions.push(inArray(automationDeliveries.id, filter.ids.length ? filter.ids : [randomUUID()]));
  return conditions;
}

/**
 * Retries failed (and cancelled) deliveries matching the filter, at most MAX_BULK_DELIVERIES per
 * call, skipping those whose destination is disabled. Each gets a manual attempt now.
 */
export async function bulkRetryDeliveries(
  deps: { db: Database; producer: Producer },
  tenantId: string,
  filter: BulkDeliveryFilter & { status?: "failed" | "cancelled" },
): Promise<{ count: number }> {
  const statuses = filter.status ? [filter.status] : (["failed", "cancelled"] as const);
  const targets = deps.db
    .select({ id: automationDeliveries.id })
    .from(automationDeliveries)
    .innerJoin(automationDestinations, eq(automationDestinations.id, automationDeliveries.destinationId))
    .where(and(...bulkConditions(tenantId, { ...filter }), inArray(automationDeliveries.status, [...statuses]), eq(automationDestinations.enabled, true)))
    .orderBy(asc(automationDeliveries.createdAt))
    .limit(MAX_BULK_DELIVERIES);
  const rows = await deps.db
    .update(automationDeliveries)
    .set({ status: "pending", nextRetryAt: sql`now()`, nextTrigger: "manual", updatedAt: sql`now()` })
    .where(and(eq(automationDeliveries.tenantId, tenantId), inArray(automationDeliveries.id, targets), inArray(automationDeliveries.status, [...statuses])))
    .returning({ id: automationDeliveries.id });
  if (rows.length) await wake(deps.producer);
  return { count: rows.length };
}

/** Cancels waiting retries (pending deliveries) matching the filter; in-flight ones finish. */
export async function cancelPendingDeliveries(db: Database, tenantId: string, filter: BulkDeliveryFilter): Promise<{ count: number }> {
  const rows = await db
    .update(automationDeliveries)
    .set({ status: "cancelled", nextRetryAt: null, lastError: sql`coalesce(${automationDeliveries.lastError}, 'cancelled')`, updatedAt: sql`now()` })
    .where(and(...bulkConditions(tenantId, filter), eq(automationDeliveries.status, "pending")))
    .returning({ id: automationDeliveries.id });
  return { count: rows.length };
}
