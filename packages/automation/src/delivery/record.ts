import { and, arrayParam, eq, inArray, sql, type Database, type Tx } from "@alfred/db";
import { auditLogs, automationDeliveries, automationDeliveryAttempts, automationDestinations, notifications } from "@alfred/db/schema";
import { TEST_EVENT_TYPE } from "../events/catalog";
import type { AutomationSettings } from "../settings";
import type { ClaimedDelivery } from "./claim";
import { decideAfterAttempt, type AttemptDecision } from "./policy";
import type { AttemptResult } from "./send";

/**
 * The record stage: the outcomes of many attempts written in ONE transaction (attempt rows,
 * delivery states, destination health, notifications, audit), each fenced by its lease so a worker
 * whose lease was taken over writes nothing for that delivery. Batching is what lets the pipeline
 * drain at the speed of the HTTP sends rather than of one transaction per attempt.
 */

export interface AttemptOutcome {
  claimed: ClaimedDelivery;
  result: AttemptResult;
  /** Headers as sent (signatures included, secrets never). */
  headers: Record<string, string>;
}

export interface RecordedOutcome {
  claimed: ClaimedDelivery;
  decision: AttemptDecision;
  /** False when the lease was lost (another worker took over): nothing was written. */
  recorded: boolean;
  destinationDisabled: "auto_failures" | "gone" | null;
}

type DestinationRow = ClaimedDelivery["destination"];

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

async function disableDestination(tx: Tx, destination: DestinationRow, reason: "auto_failures" | "gone", detail: string, keep: readonly string[]): Promise<boolean> {
  const [disabled] = await tx
    .update(automationDestinations)
    .set({ enabled: false, disabledReason: reason, disabledAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(automationDestinations.id, destination.id), eq(automationDestinations.enabled, true)))
    .returning({ id: automationDestinations.id });
  if (!disabled) return false; // someone else disabled it first: one notification is enough
  // Nothing more goes to a disabled destination; its waiting retries stay visible, cancelled.
  await tx
    .update(automationDeliveries)
    .set({ status: "cancelled", nextRetryAt: null, lastError: `destination disabled (${reason})`, updatedAt: sql`now()` })
    .where(and(eq(automationDeliveries.destinationId, destination.id), eq(automationDeliveries.status, "pending"), sql`${automationDeliveries.id} <> all(${arrayParam([...keep])}::uuid[])`));
  await tx.insert(notifications).values({
    tenantId: destination.tenantId,
    userId: null,
    kind: "destination_disabled",
    title: clip(`Automation destination "${destination.name}" was disabled`, 200),
    body: detail,
    data: { destination_id: destination.id, reason },
  });
  return true;
}

/** The leases still held: lock the rows, keep those whose lease is exactly ours. */
async function heldLeases(tx: Tx, outcomes: readonly AttemptOutcome[]): Promise<Set<string>> {
  const rows = await tx
    .select({ id: automationDeliveries.id, status: automationDeliveries.status, lockedUntil: automationDeliveries.lockedUntil })
    .from(automationDeliveries)
    .where(inArray(automationDeliveries.id, outcomes.map((o) => o.claimed.delivery.id)))
    .for("update");
  const leaseOf = new Map(outcomes.map((o) => [o.claimed.delivery.id, o.claimed.lease.getTime()]));
  return new Set(rows.filter((r) => r.status === "delivering" && r.lockedUntil?.getTime() === leaseOf.get(r.id)).map((r) => r.id));
}

/**
 * Destination health, once per destination of the batch: any success clears the failing streak; only
 * failures start it (or keep it), and a streak longer than AUTOMATION_DISABLE_AFTER_HOURS disables
 * the destination. A 410 Gone disables it at once. Test sends never change health.
 */
async function updateHealth(tx: Tx, settings: AutomationSettings, outcomes: RecordedOutcome[], results: Map<string, AttemptResult>): Promise<void> {
  const byDestination = new Map<string, RecordedOutcome[]>();
  for (const o of outcomes) {
    if (o.claimed.delivery.eventType === TEST_EVENT_TYPE) continue;
    const list = byDestination.get(o.claimed.destination.id) ?? [];
    list.push(o);
    byDestination.set(o.claimed.destination.id, list);
  }
  const keep = outcomes.map((o) => o.claimed.delivery.id);
  const healthy = [...byDestination].filter(([, list]) => list.some((o) => o.decision.kind === "delivered")).map(([id]) => id);
  if (healthy.length) await tx.update(automationDestinations).set({ failingSince: null }).where(inArray(automationDestinations.id, healthy));

  for (const [destinationId, list] of byDestination) {
    if (healthy.includes(destinationId)) continue;
    const destination = list[0]!.claimed.destination;
    const gone = list.find((o) => o.decision.kind === "failed" && o.decision.reason === "gone");
    if (gone) {
      if (await disableDestination(tx, destination, "gone", `It answered 410 Gone to a delivery of ${gone.claimed.event.type}; re-enable it once the receiver exists again.`, keep)) gone.destinationDisabled = "gone";
      continue;
    }
    const firstFailure = Math.min(...list.map((o) => results.get(o.claimed.delivery.id)!.startedAt.getTime()));
    const [health] = await tx
      .update(automationDestinations)
      .set({ failingSince: sql`coalesce(${automationDestinations.failingSince}, ${new Date(firstFailure).toISOString()}::timestamptz)` })
      .where(eq(automationDestinations.id, destinationId))
      .returning({ failingSince: automationDestinations.failingSince, enabled: automationDestinations.enabled });
    const failingForMs = health?.failingSince ? Date.now() - health.failingSince.getTime() : 0;
    if (health?.enabled && failingForMs >= settings.disableAfterHours * 3_600_000) {
      const detail = `Every delivery attempt has failed since ${health.failingSince!.toISOString()} (more than ${settings.disableAfterHours} hours).`;
      if (await disableDestination(tx, destination, "auto_failures", detail, keep)) {
        for (const o of list) {
          o.destinationDisabled = "auto_failures";
          o.decision = { kind: "failed", reason: "exhausted" };
        }
      }
    }
  }
}

export async function recordAttempts(
  deps: { db: Database; settings: AutomationSettings; random?: () => number },
  outcomes: readonly AttemptOutcome[],
): Promise<RecordedOutcome[]> {
  if (outcomes.length === 0) return [];
  return deps.db.transaction(async (tx) => {
    const held = await heldLeases(tx, outcomes);
    const results = new Map(outcomes.map((o) => [o.claimed.delivery.id, o.result]));
    const headersOf = new Map(outcomes.map((o) => [o.claimed.delivery.id, o.headers]));
    const recorded: RecordedOutcome[] = outcomes.map((o) => ({
      claimed: o.claimed,
      recorded: held.has(o.claimed.delivery.id),
      destinationDisabled: null,
      decision: decideAfterAttempt({
        attempt: o.claimed.attempt,
        result: o.result,
        schedule: deps.settings.retryScheduleSeconds,
        isTest: o.claimed.delivery.eventType === TEST_EVENT_TYPE,
        random: deps.random,
      }),
    }));
    const mine = recorded.filter((r) => r.recorded);
    if (mine.length === 0) return recorded;
    await updateHealth(tx, deps.settings, mine, results);

    const column = <T>(pick: (r: RecordedOutcome) => T) => mine.map(pick);
    const resultOf = (r: RecordedOutcome) => results.get(r.claimed.delivery.id)!;
    await tx.execute(sql`
      update ${automationDeliveries} d set
        status = v.status::delivery_status, attempts = v.attempt, last_status_code = v.status_code,
        last_error = v.error, locked_until = null, locked_by = null, next_trigger = 'scheduled', updated_at = now(),
        next_retry_at = case when v.status = 'pending' then now() + v.delay_ms * interval '1 millisecond' end,
        delivered_at = case when v.status = 'delivered' then now() end
      from (select
          unnest(${arrayParam(column((r) => r.claimed.delivery.id))}::uuid[]) as id,
          unnest(${arrayParam(column((r) => (r.decision.kind === "delivered" ? "delivered" : r.decision.kind === "retry" ? "pending" : "failed")))}::text[]) as status,
          unnest(${arrayParam(column((r) => r.claimed.attempt))}::int[]) as attempt,
          unnest(${arrayParam(column((r) => resultOf(r).statusCode))}::int[]) as status_code,
          unnest(${arrayParam(column((r) => (r.decision.kind === "delivered" ? null : resultOf(r).errorMessage)))}::text[]) as error,
          unnest(${arrayParam(column((r) => (r.decision.kind === "retry" ? r.decision.delayMs : 0)))}::bigint[]) as delay_ms) v
      where d.id = v.id`);

    await tx.insert(automationDeliveryAttempts).values(
      mine.map((r) => {
        const result = resultOf(r);
        return {
          tenantId: r.claimed.delivery.tenantId,
          deliveryId: r.claimed.delivery.id,
          number: r.claimed.attempt,
          trigger: r.claimed.trigger,
          startedAt: result.startedAt,
          durationMs: result.durationMs,
          statusCode: result.statusCode,
          errorClass: result.errorClass,
          errorMessage: result.errorMessage,
          responseSnippet: result.responseSnippet,
          requestHeaders: headersOf.get(r.claimed.delivery.id)!,
          retryAt: r.decision.kind === "retry" ? sql`now() + ${r.decision.delayMs} * interval '1 millisecond'` : null,
        };
      }),
    );

    const delivered = mine.filter((r) => r.decision.kind === "delivered");
    if (delivered.length) {
      await tx.insert(auditLogs).values(
        delivered.map((r) => ({
          tenantId: r.claimed.delivery.tenantId,
          actorType: "system" as const,
          action: "automation_event_sent",
          targetType: "automation_event",
          targetId: r.claimed.event.id,
          correlationId: r.claimed.correlationId,
          metadata: { delivery_id: r.claimed.delivery.id, destination_id: r.claimed.destination.id, event_type: r.claimed.event.type, attempt: r.claimed.attempt, status_code: resultOf(r).statusCode },
        })),
      );
    }
    const failed = mine.filter((r) => r.decision.kind === "failed" && r.claimed.delivery.eventType !== TEST_EVENT_TYPE);
    if (failed.length) {
      await tx.insert(notifications).values(
        failed.map((r) => ({
          tenantId: r.claimed.delivery.tenantId,
          userId: null,
          kind: "delivery_failed",
          title: clip(`Delivery of ${r.claimed.event.type} to "${r.claimed.destination.name}" failed`, 200),
          body: clip(`${r.claimed.attempt} attempt(s); last error: ${resultOf(r).errorMessage ?? "unknown"}`, 1000),
          data: { delivery_id: r.claimed.delivery.id, destination_id: r.claimed.destination.id, event_id: r.claimed.event.id, last_status_code: resultOf(r).statusCode },
        })),
      );
    }
    return recorded;
  });
}

/** Deliveries claimed for a destination that is now disabled: cancelled (a test send still goes out). */
export async function cancelForDisabledDestinations(db: Database, claimed: readonly ClaimedDelivery[]): Promise<void> {
  if (claimed.length === 0) return;
  await db.execute(sql`
    update ${automationDeliveries} d set status = 'cancelled', locked_until = null, locked_by = null, next_retry_at = null,
      last_error = 'destination disabled (' || coalesce(dest.disabled_reason::text, 'manual') || ')', updated_at = now()
    from ${automationDestinations} dest,
      (select unnest(${arrayParam(claimed.map((c) => c.delivery.id))}::uuid[]) as id, unnest(${arrayParam(claimed.map((c) => c.lease.toISOString()))}::timestamptz[]) as lease) held
    where d.id = held.id and d.locked_until = held.lease and d.status = 'delivering' and dest.id = d.destination_id`);
}
