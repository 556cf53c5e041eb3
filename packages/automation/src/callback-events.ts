import { AppError } from "@alfred/core";
import { and, beforeCursor, cursorTimestamp, decodeCursor, desc, encodeCursor, eq, type DbOrTx, type SQL } from "@alfred/db";
import { automationCallbackEvents } from "@alfred/db/schema";

export interface CallbackEventView {
  id: string;
  destination_id: string;
  event_id: string;
  correlation_id: string | null;
  linked_event_id: string | null;
  action: string;
  status: "processing" | "succeeded" | "failed";
  response_status: number | null;
  response_body: unknown;
  result: { type: string; id: string } | null;
  request_body: unknown;
  created_at: string;
  completed_at: string | null;
}

type Row = typeof automationCallbackEvents.$inferSelect;

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toView(row: Row): CallbackEventView {
  return {
    id: row.id,
    destination_id: row.destinationId,
    event_id: row.eventId,
    correlation_id: row.correlationId,
    linked_event_id: row.linkedEventId,
    action: row.action,
    status: row.status,
    response_status: row.responseStatus,
    response_body: parseJson(row.responseBody),
    result: row.resultType && row.resultId ? { type: row.resultType, id: row.resultId } : null,
    request_body: row.requestBody,
    created_at: row.createdAt.toISOString(),
    completed_at: row.completedAt?.toISOString() ?? null,
  };
}

export interface CallbackEventFilters {
  destinationId?: string;
  action?: string;
  status?: "processing" | "succeeded" | "failed";
  /** Callbacks answering this outbound event (linked through their correlation id). */
  linkedEventId?: string;
  cursor?: string;
  limit?: number;
}


/** Callback events of a tenant, newest first (keyset on created_at, id). */
export async function listCallbackEvents(db: DbOrTx, tenantId: string, filters: CallbackEventFilters) {
  const limit = filters.limit ?? 25;
  const cursor = decodeCursor(filters.cursor);
  const where: SQL[] = [eq(automationCallbackEvents.tenantId, tenantId)];
  if (filters.destinationId) where.push(eq(automationCallbackEvents.destinationId, filters.destinationId));
  if (filters.action) where.push(eq(automationCallbackEvents.action, filters.action));
  if (filters.status) where.push(eq(automationCallbackEvents.status, filters.status));
  if (filters.linkedEventId) where.push(eq(automationCallbackEvents.linkedEventId, filters.linkedEventId));
  if (cursor) where.push(beforeCursor(automationCallbackEvents.createdAt, automationCallbackEvents.id, cursor));
  const rows = await db
    .select({ row: automationCallbackEvents, key: cursorTimestamp(automationCallbackEvents.createdAt) })
    .from(automationCallbackEvents)
    .where(and(...where))
    .orderBy(desc(automationCallbackEvents.createdAt), desc(automationCallbackEvents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map((r) => toView(r.row)), next_cursor: rows.length > limit && last ? encodeCursor(last.key, last.row.id) : null };
}

export async function getCallbackEvent(db: DbOrTx, tenantId: string, id: string): Promise<CallbackEventView> {
  const [row] = await db.select().from(automationCallbackEvents).where(and(eq(automationCallbackEvents.tenantId, tenantId), eq(automationCallbackEvents.id, id)));
  if (!row) throw new AppError("not_found", "callback event not found");
  return toView(row);
}
