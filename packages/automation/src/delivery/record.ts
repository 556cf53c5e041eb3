import { and, arrayParam, eq, sql, type Database, type Tx } from "@alfred/db";
import { automationDeliveries, automationDestinations, notifications } from "@alfred/db/schema";
import { TEST_EVENT_TYPE } from "../events/catalog";
import type { AutomationSettings } from "../settings";
import type { ClaimedDelivery } from "./claim";
import { decideAfterAttempt, type AttemptDecision } from "./policy";
import type { AttemptResult } from "./send";

/**
 * The record stage: the outcomes of many attempts written in ONE transaction (delivery states,
 * attempt rows, destination health, notifications, audit), each fenced by its lease so a worker
 * whose lease was taken over writes nothing for that delivery. One statement per kind of row, each
 * carrying the whole batch as arrays (`unnest`): the pipeline then drains at the speed of the HTTP
 * sends rather than of one transaction, or one ORM-built statement, per attempt.
 */

export interface AttemptOutcome {
  claimed: ClaimedDelivery;
  result: AttemptResult;
  /** Headers as sent (signatures included), secrets never: a static credential's value is masked. */
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
type Row = RecordedOutcome & { result: AttemptResult; headers: Record<string, string> };

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const nextStatus = (d: AttemptDecision) => (d.kind === "delivered" ? "delivered" : d.kind === "retry" ? "pending" : "failed");
const isTest = (r: Row) => r.claimed.eventType === TEST_EVENT_TYPE;

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
    .where(and(eq(automationDeliveries.destinationId, destination.id), eq(automationDeliveries.status, "pending"), sql`${automationDeliveries.id} <> all(${arrayParam(keep)}::uuid[])`));
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

/**
 * The delivery rows, fenced: only rows still `delivering` under exactly the lease this worker holds
 * are written; the ids written come back.
 */
async function writeDeliveries(tx: Tx, rows: readonly Row[]): Promise<Set<string>> {
  const col = <T>(pick: (r: Row) => T) => arrayParam(rows.map(pick));
  const written = await tx.execute<{ id: string }>(sql`
    update ${automationDeliveries} d set
      status = v.status::delivery_status, attempts = v.attempt, last_status_code = v.status_code,
      last_error = v.error, locked_until = null, locked_by = null, next_trigger = 'scheduled', updated_at = now(),
      next_retry_at = case when v.status = 'pending' then now() + v.delay_ms * interval '1 millisecond' end,
      delivered_at = case when v.status = 'delivered' then now() end
    from (select
        unnest(${col((r) => r.claimed.id)}::uuid[]) as id,
        unnest(${col((r) => r.claimed.lease.toISOString())}::timestamptz[]) as lease,
        unnest(${col((r) => nextStatus(r.decision))}::text[]) as status,
        unnest(${col((r) => r.claimed.attempt)}::int[]) as attempt,
        unnest(${col((r) => r.result.statusCode)}::int[]) as status_code,
        unnest(${col((r) => (r.decision.kind === "delivered" ? null : r.result.errorMessage))}::text[]) as error,
        unnest(${col((r) => (r.decision.kind === "retry" ? r.decision.delayMs : 0))}::bigint[]) as delay_ms) v
    where d.id = v.id and d.status = 'delivering' and d.locked_until = v.lease
    returning d.id`);
  return new Set(written.rows.map((r) => r.id));
}

/**
 * Destination health, once per destination of the batch: any success clears the failing streak (a
 * write only when there is one to clear); only failures start it or keep it, and a streak longer
 * than AUTOMATION_DISABLE_AFTER_HOURS disables the destination. A 410 Gone disables it at once.
 * Test sends never change health. Returns the deliveries whose decision a disable turned to failed.
 */
async function updateHealth(tx: Tx, settings: AutomationSettings, rows: Row[]): Promise<string[]> {
  const byDestination = new Map<string, Row[]>();
  for (const r of rows) {
    if (isTest(r)) continue;
    const list = byDestination.get(r.claimed.destination.id) ?? [];
    list.push(r);
    byDestination.set(r.claimed.destination.id, list);
  }
  const keep = rows.map((r) => r.claimed.id);
  const healthy = [...byDestination].filter(([, list]) => list.some((r) => r.decision.kind === "delivered")).map(([id]) => id);
  if (healthy.length) {
    await tx.execute(sql`update ${automationDestinations} set failing_since = null where id = any(${arrayParam(healthy)}::uuid[]) and failing_since is not null`);
  }
  const turnedFailed: string[] = [];
  for (const [destinationId, list] of byDestination) {
    if (healthy.includes(destinationId)) continue;
    const destination = list[0]!.claimed.destination;
    const gone = list.find((r) => r.decision.kind === "failed" && r.decision.reason === "gone");
    if (gone) {
      if (await disableDestination(tx, destination, "gone", `It answered 410 Gone to a delivery of ${gone.claimed.event.type}; re-enable it once the receiver exists again.`, keep)) gone.destinationDisabled = "gone";
      continue;
    }
    const firstFailure = Math.min(...list.map((r) => r.result.startedAt.getTime()));
    const [health] = await tx
      .update(automationDestinations)
      .set({ failingSince: sql`coalesce(${automationDestinations.failingSince}, ${new Date(firstFailure).toISOString()}::timestamptz)` })
      .where(eq(automationDestinations.id, destinationId))
      .returning({ failingSince: automationDestinations.failingSince, enabled: automationDestinations.enabled });
    const failingForMs = health?.failingSince ? Date.now() - health.failingSince.getTime() : 0;
    if (health?.enabled && failingForMs >= settings.disableAfterHours * 3_600_000) {
      const detail = `Every delivery attempt has failed since ${health.failingSince!.toISOString()} (more than ${settings.disableAfterHours} hours).`;
      if (await disableDestination(tx, destination, "auto_failures", detail, keep)) {
        for (const r of list) {
          r.destinationDisabled = "auto_failures";
          if (r.decision.kind === "retry") turnedFailed.push(r.claimed.id);
          r.decision = { kind: "failed", reason: "exhausted" };
        }
      }
    }
  }
  return turnedFailed;
}

async function writeAttempts(tx: Tx, rows: readonly Row[]): Promise<void> {
  const col = <T>(pick: (r: Row) => T) => arrayParam(rows.map(pick));
  await tx.execute(sql`
    insert into automation_delivery_attempts
      (tenant_id, delivery_id, number, trigger, started_at, duration_ms, status_code, error_class, error_message, response_snippet, request_headers, retry_at)
    select tenant_id, delivery_id, number, trigger::delivery_attempt_trigger, started_at, duration_ms, status_code, error_class, error_message, response_snippet, request_headers,
      case when delay_ms is not null then now() + delay_ms * interval '1 millisecond' end
    from unnest(
      ${col((r) => r.claimed.tenantId)}::uuid[], ${col((r) => r.claimed.id)}::uuid[], ${col((r) => r.claimed.attempt)}::int[],
      ${col((r) => r.claimed.trigger)}::text[], ${col((r) => r.result.startedAt.toISOString())}::timestamptz[], ${col((r) => r.result.durationMs)}::int[],
      ${col((r) => r.result.statusCode)}::int[], ${col((r) => r.result.errorClass)}::text[], ${col((r) => r.result.errorMessage)}::text[],
      ${col((r) => r.result.responseSnippet)}::text[], ${col((r) => JSON.stringify(r.headers))}::jsonb[],
      ${col((r) => (r.decision.kind === "retry" ? r.decision.delayMs : null))}::bigint[]
    ) as a(tenant_id, delivery_id, number, trigger, started_at, duration_ms, status_code, error_class, error_message, response_snippet, request_headers, delay_ms)`);
}

/** `automation_event_sent` in the audit log, one row per delivered delivery, in one statement. */
async function auditDelivered(tx: Tx, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(pick: (r: Row) => T) => arrayParam(rows.map(pick));
  await tx.execute(sql`
    insert into audit_logs (tenant_id, actor_type, action, target_type, target_id, correlation_id, metadata)
    select tenant_id, 'system', 'automation_event_sent', 'automation_event', target_id, correlation_id, metadata
    from unnest(${col((r) => r.claimed.tenantId)}::uuid[], ${col((r) => r.claimed.event.id)}::text[], ${col((r) => r.claimed.correlationId)}::text[],
      ${col((r) => JSON.stringify({ delivery_id: r.claimed.id, destination_id: r.claimed.destination.id, event_type: r.claimed.event.type, attempt: r.claimed.attempt, status_code: r.result.statusCode }))}::jsonb[]
    ) as a(tenant_id, target_id, correlation_id, metadata)`);
}

export async function recordAttempts(deps: { db: Database; settings: AutomationSettings; random?: () => number }, outcomes: readonly AttemptOutcome[]): Promise<RecordedOutcome[]> {
  if (outcomes.length === 0) return [];
  const rows: Row[] = outcomes.map((o) => ({
    claimed: o.claimed,
    result: o.result,
    headers: o.headers,
    recorded: false,
    destinationDisabled: null,
    decision: decideAfterAttempt({ attempt: o.claimed.attempt, result: o.result, schedule: deps.settings.retryScheduleSeconds, isTest: o.claimed.eventType === TEST_EVENT_TYPE, random: deps.random }),
  }));
  await deps.db.transaction(async (tx) => {
    const held = await writeDeliveries(tx, rows);
    for (const r of rows) r.recorded = held.has(r.claimed.id);
    const mine = rows.filter((r) => r.recorded);
    if (mine.length === 0) return;
    const turnedFailed = await updateHealth(tx, deps.settings, mine);
    if (turnedFailed.length) {
      await tx.execute(sql`update ${automationDeliveries} set status = 'failed', next_retry_at = null where id = any(${arrayParam(turnedFailed)}::uuid[])`);
    }
    await writeAttempts(tx, mine);
    await auditDelivered(tx, mine.filter((r) => r.decision.kind === "delivered"));
    const failed = mine.filter((r) => r.decision.kind === "failed" && !isTest(r));
    if (failed.length) {
      await tx.insert(notifications).values(
        failed.map((r) => ({
          tenantId: r.claimed.tenantId,
          userId: null,
          kind: "delivery_failed",
          title: clip(`Delivery of ${r.claimed.event.type} to "${r.claimed.destination.name}" failed`, 200),
          body: clip(`${r.claimed.attempt} attempt(s); last error: ${r.result.errorMessage ?? "unknown"}`, 1000),
          data: { delivery_id: r.claimed.id, destination_id: r.claimed.destination.id, event_id: r.claimed.event.id, last_status_code: r.result.statusCode },
        })),
      );
    }
  });
  return rows.map(({ claimed, decision, recorded, destinationDisabled }) => ({ claimed, decision, recorded, destinationDisabled }));
}

/** Deliveries claimed for a destination that is now disabled: cancelled (a test send still goes out). */
export async function cancelForDisabledDestinations(db: Database, claimed: readonly ClaimedDelivery[]): Promise<void> {
  if (claimed.length === 0) return;
  await db.execute(sql`
    update ${automationDeliveries} d set status = 'cancelled', locked_until = null, locked_by = null, next_retry_at = null,
      last_error = 'destination disabled (' || coalesce(dest.disabled_reason::text, 'manual') || ')', updated_at = now()
    from ${automationDestinations} dest,
      (select unnest(${arrayParam(claimed.map((c) => c.id))}::uuid[]) as id, unnest(${arrayParam(claimed.map((c) => c.lease.toISOString()))}::timestamptz[]) as lease) held
    where d.id = held.id and d.locked_until = held.lease and d.status = 'delivering' and dest.id = d.destination_id`);
}
