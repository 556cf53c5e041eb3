import { arrayParam, inArray, sql, type Database } from "@alfred/db";
import { automationDeliveries, automationDestinations, automationEvents, workerHeartbeats } from "@alfred/db/schema";
import { TEST_EVENT_TYPE } from "../events/catalog";
import type { DeliveryTrigger } from "../queues";
import { LEASE_HEARTBEAT } from "./heartbeat";

/**
 * The claim stage: takes a batch of due deliveries for this worker in one statement. A row is due
 * when it is pending and its time has come, or when it is being delivered under a lease that ran
 * out, or under the lease of a worker whose heartbeat went stale (it died: see ./heartbeat; a
 * holder with no heartbeat row at all keeps its lease until it runs out). `FOR UPDATE SKIP LOCKED` lets replicas claim side by side without ever
 * taking the same row; the lease (`locked_until`, truncated to milliseconds so it round-trips through
 * a JS Date) fences the record stage: only the holder of that exact lease may write the outcome.
 */

type DestinationRow = typeof automationDestinations.$inferSelect;
type EventRow = typeof automationEvents.$inferSelect;

/** A delivery this worker holds the lease of, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  eventType: string;
  destination: DestinationRow;
  event: EventRow;
  /** The attempt this claim is for (attempts so far + 1). */
  attempt: number;
  lease: Date;
  trigger: DeliveryTrigger;
  correlationId: string | null;
}

/**
 * A row due this soon counts as due: the engine's retry timer runs on this process's clock, Postgres
 * decides on its own, and a timer firing a hair early must not miss its row until the next sweep.
 */
export const DUE_TOLERANCE_MS = 50;

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  /** Written on the lease (`locked_by`), so operators see who holds a delivery. */
  workerId: string;
  /** Destinations this worker already has enough in flight for: not claimed now, left to others. */
  excludeDestinationIds?: readonly string[];
  /** Claim only these deliveries (tests, and a manual attempt that must go now). */
  onlyIds?: readonly string[];
  /** A lease holder whose last heartbeat is older than this is dead: its leases are taken at once. */
  staleAfterMs?: number;
}

export async function claimDueDeliveries(db: Database, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const exclude = options.excludeDestinationIds?.length ? sql`and destination_id <> all(${arrayParam([...options.excludeDestinationIds])}::uuid[])` : sql``;
  const staleAfterMs = options.staleAfterMs ?? LEASE_HEARTBEAT.staleAfterMs;
  const only = options.onlyIds ? sql`and id = any(${arrayParam([...options.onlyIds])}::uuid[])` : sql``;
  const claimed = await db.execute<{ id: string; tenant_id: string; event_id: string; destination_id: string; event_type: string; attempts: number; locked_until: Date; next_trigger: DeliveryTrigger }>(sql`
    with due as (
      select id from ${automationDeliveries}
      where status = 'pending' and next_retry_at <= now() + ${DUE_TOLERANCE_MS} * interval '1 millisecond' ${exclude} ${only}
      order by next_retry_at
      limit ${options.limit}
      for update skip locked
    ), expired as (
      select id from ${automationDeliveries}
      where status = 'delivering' ${exclude} ${only}
        and (locked_until < now() or locked_by in (select worker_id from ${workerHeartbeats} where last_seen_at < now() - ${staleAfterMs} * interval '1 millisecond'))
      limit ${options.limit}
      for update skip locked
    )
    update ${automationDeliveries} d
    set status = 'delivering', locked_until = date_trunc('milliseconds', now() + ${options.leaseMs} * interval '1 millisecond'),
        locked_by = ${options.workerId}, updated_at = now()
    where d.id in (select id from due union all select id from expired)
    returning d.id, d.tenant_id, d.event_id, d.destination_id, d.event_type, d.attempts, d.locked_until, d.next_trigger`);
  const rows = claimed.rows;
  if (rows.length === 0) return [];

  const [destinations, events] = await Promise.all([
    db.select().from(automationDestinations).where(inArray(automationDestinations.id, [...new Set(rows.map((d) => d.destination_id))])),
    db.select().from(automationEvents).where(inArray(automationEvents.id, [...new Set(rows.map((d) => d.event_id))])),
  ]);
  const destinationById = new Map(destinations.map((d) => [d.id, d]));
  const eventById = new Map(events.map((e) => [e.id, e]));
  return rows.map((row) => {
    const event = eventById.get(row.event_id)!;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      eventType: row.event_type,
      destination: destinationById.get(row.destination_id)!,
      event,
      attempt: row.attempts + 1,
      lease: new Date(row.locked_until),
      trigger: row.event_type === TEST_EVENT_TYPE ? "test" : row.next_trigger,
      correlationId: event.correlationId,
    };
  });
}
