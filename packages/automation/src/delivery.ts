import { randomUUID } from "node:crypto";
import { correlationIdFrom, type Logger, type SecretKeyProvider } from "@alfred/core";
import { and, asc, eq, lt, lte, or, recordAudit, sql, type Database, type Tx } from "@alfred/db";
import { automationDeliveries, automationDeliveryAttempts, automationDestinations, automationEvents, notifications } from "@alfred/db/schema";
// The guarded request and dispatcher under the names this module used with undici directly.
import { assertUrlAllowedAtSend, createGuardedDispatcher, guardedRequest as request, SsrfBlockedError, type GuardedDispatcher as Dispatcher } from "@alfred/egress";
import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import { delayHonouringRetryAfter, nextRetryDelayMs, retryAfterMs } from "./backoff";
import { currentSecrets } from "./destinations";
import { buildEnvelope, isCatalogEventType, TEST_EVENT_TYPE } from "./events/catalog";
import type { Producer } from "./producer";
import { deliveryJobId, deliveryJobSchema, type DeliveryTrigger } from "./queues";
import type { AutomationSettings } from "./settings";
import { buildDeliveryHeaders } from "./signing";

/**
 * Sending one delivery attempt, end to end:
 * 1. claim: one UPDATE moves the row to `delivering` with a lease (`locked_until`) only if it is due
 *    and its next attempt is the one the job was enqueued for. Two workers can never both win it; a
 *    worker killed mid-attempt leaves a lease that expires and the reconciler enqueues a recovery.
 * 2. send: envelope rebuilt from the event row, signed with every valid secret, POSTed through the
 *    SSRF-guarded dispatcher (the address checked is the address connected to; no redirects),
 *    bounded by AUTOMATION_DELIVERY_TIMEOUT_MS, 4 KiB of the response kept.
 * 3. finish, in one transaction fenced by the lease value (a worker whose lease was taken over
 *    writes nothing): attempt row, delivery state, destination health, notifications, audit.
 * 4. after commit: the next attempt as a delayed BullMQ job, so it fires on time. If that enqueue
 *    fails, the row is pending with next_retry_at and the reconciler enqueues it when due.
 */

/** Version in `User-Agent: Alfred-Webhooks/<version>`: the webhook format, not the app build. */
export const WEBHOOK_FORMAT_VERSION = "1.0";
export const RESPONSE_SNIPPET_BYTES = 4096;
const ERROR_MESSAGE_MAX = 1000;
/** Time past the HTTP timeout for the worker to record the result before its lease can be taken. */
export const LEASE_MARGIN_MS = 5_000;
/** Tolerated clock difference between Redis (fires delayed jobs) and Postgres (decides due). */
const DUE_TOLERANCE_MS = 500;

/** In-process counters, labelled by tenant; the observability issue exposes them to Prometheus. */
export class DeliveryCounters {
  private readonly values = new Map<string, number>();

  inc(name: "attempts" | "delivered" | "retries_scheduled" | "failed" | "destinations_disabled", labels: { tenant_id: string; outcome?: string }): void {
    const key = JSON.stringify([name, labels.tenant_id, labels.outcome ?? ""]);
    this.values.set(key, (this.values.get(key) ?? 0) + 1);
  }

  snapshot(): { name: string; tenant_id: string; outcome?: string; value: number }[] {
    return [...this.values].map(([key, value]) => {
      const [name, tenantId, outcome] = JSON.parse(key) as [string, string, string];
      return { name, tenant_id: tenantId, ...(outcome ? { outcome } : {}), value };
    });
  }
}

export interface DeliveryDeps {
  db: Database;
  keys: SecretKeyProvider;
  settings: AutomationSettings;
  producer: Producer;
  logger: Logger;
  /** Built from the settings when absent; shared so connections are reused across jobs. */
  dispatcher?: Dispatcher;
  counters?: DeliveryCounters;
  /** Jitter source for the retry schedule (tests pin it). */
  random?: () => number;
}

export function leaseMs(settings: Pick<AutomationSettings, "deliveryTimeoutMs">): number {
  return settings.deliveryTimeoutMs + LEASE_MARGIN_MS;
}

type DeliveryRow = typeof automationDeliveries.$inferSelect;
type DestinationRow = typeof automationDestinations.$inferSelect;
type EventRow = typeof automationEvents.$inferSelect;

export type ClaimResult =
  | { kind: "claimed"; delivery: DeliveryRow; destination: DestinationRow; event: EventRow; attempt: number; lease: Date }
  | { kind: "not_due"; dueAt: Date }
  | { kind: "skipped"; reason: "missing" | "finished" | "stale_attempt" | "leased_elsewhere" | "destination_disabled" };

/**
 * Takes the delivery for one attempt. `attempt`, when given, must be the next attempt of the row.
 * The lease value is truncated to milliseconds so it round-trips through a JS Date and can fence
 * the final write.
 */
export async function claimDelivery(
  db: Database,
  input: { deliveryId: string; tenantId: string; attempt?: number; leaseMs: number },
): Promise<ClaimResult> {
  const lease = sql`date_trunc('milliseconds', now() + ${input.leaseMs} * interval '1 millisecond')`;
  const [claimed] = await db
    .update(automationDeliveries)
    .set({ status: "delivering", lockedUntil: lease, updatedAt: sql`now()` })
    .where(
      and(
        eq(automationDeliveries.id, input.deliveryId),
        eq(automationDeliveries.tenantId, input.tenantId),
        input.attempt === undefined ? undefined : eq(automationDeliveries.attempts, input.attempt - 1),
        or(
          and(eq(automationDeliveries.status, "pending"), lte(automationDeliveries.nextRetryAt, sql`now() + ${DUE_TOLERANCE_MS} * interval '1 millisecond'`)),
          and(eq(automationDeliveries.status, "delivering"), lt(automationDeliveries.lockedUntil, sql`now()`)),
        ),
      ),
    )
    .returning();

  if (!claimed) {
    const [row] = await db
      .select({ status: automationDeliveries.status, attempts: automationDeliveries.attempts, nextRetryAt: automationDeliveries.nextRetryAt })
      .from(automationDeliveries)
      .where(and(eq(automationDeliveries.id, input.deliveryId), eq(automationDeliveries.tenantId, input.tenantId)));
    if (!row) return { kind: "skipped", reason: "missing" };
    if (row.status === "delivered" || row.status === "failed" || row.status === "cancelled") return { kind: "skipped", reason: "finished" };
    if (input.attempt !== undefined && row.attempts !== input.attempt - 1) return { kind: "skipped", reason: "stale_attempt" };
    if (row.status === "delivering") return { kind: "skipped", reason: "leased_elsewhere" };
    return { kind: "not_due", dueAt: row.nextRetryAt ?? new Date() };
  }

  const [related] = await db
    .select({ destination: automationDestinations, event: automationEvents })
    .from(automationDestinations)
    .innerJoin(automationEvents, eq(automationEvents.id, claimed.eventId))
    .where(eq(automationDestinations.id, claimed.destinationId));
  if (!related) return { kind: "skipped", reason: "missing" };

  // A test send goes out whatever the destination's state; everything else needs it enabled.
  if (!related.destination.enabled && claimed.eventType !== TEST_EVENT_TYPE) {
    await db
      .update(automationDeliveries)
      .set({ status: "cancelled", lockedUntil: null, nextRetryAt: null, lastError: `destination disabled (${related.destination.disabledReason ?? "manual"})`, updatedAt: sql`now()` })
      .where(and(eq(automationDeliveries.id, claimed.id), eq(automationDeliveries.lockedUntil, claimed.lockedUntil!)));
    return { kind: "skipped", reason: "destination_disabled" };
  }
  return { kind: "claimed", delivery: claimed, destination: related.destination, event: related.event, attempt: claimed.attempts + 1, lease: claimed.lockedUntil! };
}

// ---------------------------------------------------------------------------------------------
// Sending

export type AttemptErrorClass = "timeout" | "connection" | "ssrf_blocked" | "redirect" | "http_status" | "invalid_event";

export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  errorClass: AttemptErrorClass | null;
  errorMessage: string | null;
  responseSnippet: string | null;
  retryAfter: string | null;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
// Postgres text cannot hold NUL; a hostile or binary response must still be recordable.
// eslint-disable-next-line no-control-regex -- stripping NUL is the point.
const storable = (text: string) => text.replace(/\u0000/g, "");

/** Reads at most `limit` bytes of a body, then drops the rest of the stream. */
async function readSnippet(body: Dispatcher.ResponseData["body"], limit = RESPONSE_SNIPPET_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) break;
  }
  if (size >= limit) body.destroy();
  return storable(new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks).subarray(0, limit)));
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** Maps what undici, the abort signal and the SSRF guard throw to an attempt's error class. */
export function classifySendError(err: unknown): { errorClass: AttemptErrorClass; message: string } {
  const chain = causes(err);
  const ssrf = chain.find((e) => e instanceof SsrfBlockedError) as SsrfBlockedError | undefined;
  if (ssrf) return { errorClass: "ssrf_blocked", message: ssrf.message };
  const timeout = chain.find((e) => {
    const { name, code } = (e ?? {}) as { name?: string; code?: string };
    return name === "TimeoutError" || name === "AbortError" || (typeof code === "string" && /TIMEOUT/.test(code));
  });
  if (timeout) return { errorClass: "timeout", message: "no complete response within the delivery timeout" };
  const coded = chain.find((e) => typeof (e as { code?: unknown })?.code === "string") as { code: string; message?: string } | undefined;
  const message = coded ? `${coded.code}: ${coded.message ?? ""}` : err instanceof Error ? err.message : String(err);
  return { errorClass: "connection", message: message.trim() };
}

/** One POST, never throwing: every outcome becomes an AttemptResult. */
export async function sendAttempt(input: {
  url: string;
  headers: Record<string, string>;
  body: string;
  dispatcher: Dispatcher;
  settings: Pick<AutomationSettings, "deliveryTimeoutMs" | "ssrfAllowlist">;
}): Promise<AttemptResult> {
  const startedAt = new Date();
  const began = performance.now();
  const finish = (rest: Omit<AttemptResult, "startedAt" | "durationMs">): AttemptResult => ({
    startedAt,
    durationMs: Math.max(0, Math.round(performance.now() - began)),
    ...rest,
    errorMessage: rest.errorMessage === null ? null : clip(storable(rest.errorMessage), ERROR_MESSAGE_MAX),
  });
  try {
    // IP-literal hosts never reach the dispatcher's lookup; check them (and the scheme) up front.
    assertUrlAllowedAtSend(input.url, input.settings.ssrfAllowlist);
    const signal = AbortSignal.timeout(input.settings.deliveryTimeoutMs);
    const response = await request(input.url, { method: "POST", headers: input.headers, body: input.body, dispatcher: input.dispatcher, signal });
    const snippet = await readSnippet(response.body);
    const statusCode = response.statusCode;
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    };
    if (statusCode >= 200 && statusCode < 300) {
      return finish({ statusCode, errorClass: null, errorMessage: null, responseSnippet: snippet, retryAfter: null });
    }
    if (statusCode >= 300 && statusCode < 400) {
      const location = header("location");
      return finish({
        statusCode,
        errorClass: "redirect",
        errorMessage: `HTTP ${statusCode}: redirects are not followed${location ? ` (Location: ${clip(location, 300)})` : ""}`,
        responseSnippet: snippet,
        retryAfter: null,
      });
    }
    return finish({ statusCode, errorClass: "http_status", errorMessage: `HTTP ${statusCode}`, responseSnippet: snippet, retryAfter: header("retry-after") });
  } catch (err) {
    const { errorClass, message } = classifySendError(err);
    return finish({ statusCode: null, errorClass, errorMessage: message, responseSnippet: null, retryAfter: null });
  }
}

// ---------------------------------------------------------------------------------------------
// Deciding what happens next

export type AttemptDecision =
  | { kind: "delivered" }
  | { kind: "retry"; delayMs: number }
  | { kind: "failed"; reason: "exhausted" | "gone" | "not_retried" };

/**
 * 2xx delivered; 410 Gone fails for good (and disables the destination); a test send is tried once;
 * otherwise the schedule decides, with Retry-After honoured for 429 and 503 within the schedule.
 */
export function decideAfterAttempt(input: {
  attempt: number;
  result: Pick<AttemptResult, "statusCode" | "errorClass" | "retryAfter">;
  schedule: readonly number[];
  isTest: boolean;
  now?: number;
  random?: () => number;
}): AttemptDecision {
  const { result } = input;
  if (result.errorClass === null) return { kind: "delivered" };
  if (result.statusCode === 410) return { kind: "failed", reason: "gone" };
  if (input.isTest || result.errorClass === "invalid_event") return { kind: "failed", reason: "not_retried" };
  const scheduled = nextRetryDelayMs(input.attempt, input.schedule, input.random);
  if (scheduled === null) return { kind: "failed", reason: "exhausted" };
  const honoured =
    result.statusCode === 429 || result.statusCode === 503 ? delayHonouringRetryAfter(scheduled, retryAfterMs(result.retryAfter, input.now), input.schedule) : scheduled;
  return { kind: "retry", delayMs: honoured };
}

// ---------------------------------------------------------------------------------------------
// Recording

async function disableDestination(
  tx: Tx,
  destination: DestinationRow,
  reason: "auto_failures" | "gone",
  detail: string,
  exceptDeliveryId: string,
): Promise<void> {
  const [disabled] = await tx
    .update(automationDestinations)
    .set({ enabled: false, disabledReason: reason, disabledAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(automationDestinations.id, destination.id), eq(automationDestinations.enabled, true)))
    .returning({ id: automationDestinations.id });
  if (!disabled) return; // someone else disabled it first: one notification is enough
  // Nothing more goes to a disabled destination; its waiting retries stay visible, cancelled.
  await tx
    .update(automationDeliveries)
    .set({ status: "cancelled", nextRetryAt: null, lastError: `destination disabled (${reason})`, updatedAt: sql`now()` })
    .where(
      and(
        eq(automationDeliveries.destinationId, destination.id),
        eq(automationDeliveries.status, "pending"),
        sql`${automationDeliveries.id} <> ${exceptDeliveryId}`,
      ),
    );
  await tx.insert(notifications).values({
    tenantId: destination.tenantId,
    userId: null,
    kind: "destination_disabled",
    title: clip(`Automation destination "${destination.name}" was disabled`, 200),
    body: detail,
    data: { destination_id: destination.id, reason },
  });
}

export interface RecordedAttempt {
  decision: AttemptDecision;
  /** False when the lease was lost (another worker took over): nothing was written. */
  recorded: boolean;
  destinationDisabled: "auto_failures" | "gone" | null;
}

export async function recordAttempt(
  deps: Pick<DeliveryDeps, "db" | "settings" | "random">,
  claim: Extract<ClaimResult, { kind: "claimed" }>,
  input: { result: AttemptResult; headers: Record<string, string>; trigger: DeliveryTrigger; correlationId: string },
): Promise<RecordedAttempt> {
  const { delivery, destination, event, attempt, lease } = claim;
  const { result } = input;
  const isTest = delivery.eventType === TEST_EVENT_TYPE;
  let decision = decideAfterAttempt({ attempt, result, schedule: deps.settings.retryScheduleSeconds, isTest, random: deps.random });
  let destinationDisabled: RecordedAttempt["destinationDisabled"] = null;

  const recorded = await deps.db.transaction(async (tx) => {
    // Fence: only the holder of this exact lease may write the outcome.
    const [held] = await tx
      .select({ id: automationDeliveries.id })
      .from(automationDeliveries)
      .where(and(eq(automationDeliveries.id, delivery.id), eq(automationDeliveries.status, "delivering"), eq(automationDeliveries.lockedUntil, lease)))
      .for("update");
    if (!held) return false;

    await tx.insert(automationDeliveryAttempts).values({
      tenantId: delivery.tenantId,
      deliveryId: delivery.id,
      number: attempt,
      trigger: isTest ? "test" : input.trigger,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      statusCode: result.statusCode,
      errorClass: result.errorClass,
      errorMessage: result.errorMessage,
      responseSnippet: result.responseSnippet,
      requestHeaders: input.headers,
    });

    // Destination health: test sends never change it.
    if (!isTest) {
      if (decision.kind === "delivered") {
        await tx.update(automationDestinations).set({ failingSince: null }).where(eq(automationDestinations.id, destination.id));
      } else if (decision.kind === "failed" && decision.reason === "gone") {
        await disableDestination(tx, destination, "gone", `It answered 410 Gone to a delivery of ${event.type}; re-enable it once the receiver exists again.`, delivery.id);
        destinationDisabled = "gone";
      } else {
        const [health] = await tx
          .update(automationDestinations)
          .set({ failingSince: sql`coalesce(${automationDestinations.failingSince}, ${result.startedAt.toISOString()}::timestamptz)` })
          .where(eq(automationDestinations.id, destination.id))
          .returning({ failingSince: automationDestinations.failingSince, enabled: automationDestinations.enabled });
        const failingForMs = health?.failingSince ? Date.now() - health.failingSince.getTime() : 0;
        if (health?.enabled && failingForMs >= deps.settings.disableAfterHours * 3_600_000) {
          await disableDestination(
            tx,
            destination,
            "auto_failures",
            `Every delivery attempt has failed since ${health.failingSince!.toISOString()} (more than ${deps.settings.disableAfterHours} hours).`,
            delivery.id,
          );
          destinationDisabled = "auto_failures";
          decision = { kind: "failed", reason: "exhausted" };
        }
      }
    }

    const common = { attempts: attempt, lastStatusCode: result.statusCode, lockedUntil: null, updatedAt: sql`now()` };
    if (decision.kind === "delivered") {
      await tx
        .update(automationDeliveries)
        .set({ ...common, status: "delivered", lastError: null, nextRetryAt: null, deliveredAt: sql`now()` })
        .where(eq(automationDeliveries.id, delivery.id));
      await recordAudit(tx, {
        tenantId: delivery.tenantId,
        actorType: "system",
        action: "automation_event_sent",
        targetType: "automation_event",
        targetId: event.id,
        correlationId: input.correlationId,
        metadata: { delivery_id: delivery.id, destination_id: destination.id, event_type: event.type, attempt, status_code: result.statusCode },
      });
    } else if (decision.kind === "retry") {
      await tx
        .update(automationDeliveries)
        .set({ ...common, status: "pending", lastError: result.errorMessage, nextRetryAt: sql`now() + ${decision.delayMs} * interval '1 millisecond'` })
        .where(eq(automationDeliveries.id, delivery.id));
    } else {
      await tx
        .update(automationDeliveries)
        .set({ ...common, status: "failed", lastError: result.errorMessage, nextRetryAt: null })
        .where(eq(automationDeliveries.id, delivery.id));
      if (!isTest) {
        await tx.insert(notifications).values({
          tenantId: delivery.tenantId,
          userId: null,
          kind: "delivery_failed",
          title: clip(`Delivery of ${event.type} to "${destination.name}" failed`, 200),
          body: clip(`${attempt} attempt(s); last error: ${result.errorMessage ?? "unknown"}`, 1000),
          data: { delivery_id: delivery.id, destination_id: destination.id, event_id: event.id, last_status_code: result.statusCode },
        });
      }
    }
    return true;
  });
  return { decision, recorded, destinationDisabled };
}

// ---------------------------------------------------------------------------------------------
// One job

export type DeliveryRunResult =
  | { kind: "not_due"; dueAt: Date }
  | { kind: "skipped"; reason: string }
  | { kind: "attempted"; attempt: number; statusCode: number | null; errorClass: string | null; decision: AttemptDecision["kind"]; recorded: boolean };

/** Builds the guarded dispatcher deliveries are sent with, from the automation settings. */
export function createDeliveryDispatcher(settings: AutomationSettings): Dispatcher {
  return createGuardedDispatcher({ allowlist: settings.ssrfAllowlist, lookup: settings.resolve, timeoutMs: settings.deliveryTimeoutMs });
}

export async function runDelivery(
  deps: DeliveryDeps & { dispatcher: Dispatcher },
  job: { deliveryId: string; tenantId: string; attempt?: number; trigger: DeliveryTrigger; correlationId?: string },
): Promise<DeliveryRunResult> {
  const claim = await claimDelivery(deps.db, { deliveryId: job.deliveryId, tenantId: job.tenantId, attempt: job.attempt, leaseMs: leaseMs(deps.settings) });
  if (claim.kind !== "claimed") return claim;

  const { delivery, destination, event, attempt } = claim;
  const correlationId = correlationIdFrom(job.correlationId ?? event.correlationId ?? randomUUID());
  let headers: Record<string, string> = {};
  let result: AttemptResult;
  try {
    if (!isCatalogEventType(event.type)) throw new Error(`event type "${event.type}" is not in the catalog`);
    const envelope = buildEnvelope({ type: event.type, tenantId: event.tenantId, payload: event.payload as never, eventId: event.id, occurredAt: event.occurredAt });
    const body = JSON.stringify(envelope);
    headers = buildDeliveryHeaders({
      secrets: currentSecrets(destination, deps.keys),
      eventId: event.id,
      tenantId: event.tenantId,
      timestamp: Math.floor(Date.now() / 1000),
      rawBody: body,
      correlationId,
      version: WEBHOOK_FORMAT_VERSION,
    });
    result = await sendAttempt({ url: destination.url, headers, body, dispatcher: deps.dispatcher, settings: deps.settings });
  } catch (err) {
    // Only building the request can throw here (sendAttempt never does): a stored event that no
    // longer matches its schema, or a secret the key ring cannot decrypt. Retrying will not help.
    const message = err instanceof Error ? err.message : String(err);
    result = { startedAt: new Date(), durationMs: 0, statusCode: null, errorClass: "invalid_event", errorMessage: clip(message, ERROR_MESSAGE_MAX), responseSnippet: null, retryAfter: null };
  }

  const outcome = await recordAttempt(deps, claim, { result, headers, trigger: job.trigger, correlationId });
  const log = deps.logger.child({ delivery_id: delivery.id, destination_id: destination.id, tenant_id: delivery.tenantId, attempt, correlation_id: correlationId });
  if (!outcome.recorded) {
    log.warn("delivery lease was taken over before the result was recorded; the attempt is not counted");
  } else {
    const counters = deps.counters;
    counters?.inc("attempts", { tenant_id: delivery.tenantId, outcome: result.errorClass ?? "success" });
    if (outcome.decision.kind === "delivered") counters?.inc("delivered", { tenant_id: delivery.tenantId });
    if (outcome.decision.kind === "failed") counters?.inc("failed", { tenant_id: delivery.tenantId, outcome: outcome.decision.reason });
    if (outcome.destinationDisabled) counters?.inc("destinations_disabled", { tenant_id: delivery.tenantId, outcome: outcome.destinationDisabled });
    log.info(
      { status_code: result.statusCode, error_class: result.errorClass, duration_ms: result.durationMs, decision: outcome.decision },
      result.errorClass === null ? "delivery attempt succeeded" : "delivery attempt failed",
    );
    // The notifications written with the outcome reach open bells at once (best effort: the bell
    // also refetches on its own).
    const notified = [
      ...(outcome.decision.kind === "failed" && delivery.eventType !== TEST_EVENT_TYPE ? ["delivery_failed"] : []),
      ...(outcome.destinationDisabled ? ["destination_disabled"] : []),
    ];
    if (notified.length) {
      await deps.producer
        .publishLive(notified.map((kind) => ({ tenantId: delivery.tenantId, kind: "notification.created", data: { notification_kind: kind, delivery_id: delivery.id, destination_id: destination.id } })))
        .catch((err: Error) => log.warn({ err: err.message }, "could not publish the notification live"));
    }
    if (outcome.decision.kind === "retry") {
      counters?.inc("retries_scheduled", { tenant_id: delivery.tenantId });
      await deps.producer
        .enqueueDelivery(delivery.id, delivery.tenantId, attempt + 1, { delayMs: outcome.decision.delayMs, correlationId })
        .catch((err: Error) => log.warn({ err: err.message }, "could not enqueue the retry; the reconciler will when it is due"));
    }
  }
  return {
    kind: "attempted",
    attempt,
    statusCode: result.statusCode,
    errorClass: result.errorClass,
    decision: outcome.decision.kind,
    recorded: outcome.recorded,
  };
}

/**
 * The BullMQ processor of the `deliveries` queue. A job that arrives before its row is due (clock
 * skew) goes back to delayed under the same id instead of completing, so it stays live.
 */
export function createDeliveryProcessor(deps: DeliveryDeps): (job: Job, token?: string) => Promise<DeliveryRunResult> {
  const dispatcher = deps.dispatcher ?? createDeliveryDispatcher(deps.settings);
  return async (job, token) => {
    const parsed = deliveryJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid delivery job payload: ${parsed.error.message}`);
    const data = parsed.data;
    const result = await runDelivery(
      { ...deps, dispatcher },
      { deliveryId: data.delivery_id, tenantId: data.tenant_id, attempt: data.attempt, trigger: data.trigger, correlationId: data.correlation_id },
    );
    if (result.kind === "not_due") {
      await job.moveToDelayed(Math.max(result.dueAt.getTime(), Date.now() + 1), token);
      throw new DelayedError();
    }
    return result;
  };
}

// ---------------------------------------------------------------------------------------------
// Reconciler

const LIVE_STATES = new Set(["waiting", "wait", "active", "delayed", "prioritized", "waiting-children", "paused"]);
export const RECONCILE_BATCH_SIZE = 500;

/**
 * Enqueues every due pending delivery with no live job, and a recovery for every `delivering` row
 * whose lease expired (its worker died). Rows are locked `FOR UPDATE SKIP LOCKED` while their jobs
 * are checked and added, so replicas running at the same time split the work instead of doubling
 * it; and the job ids (`deliveryJobId`) make a double add harmless anyway. A completed or failed job
 * under a due row's id is dead (a run that found nothing to do): it is removed and the attempt added
 * again, so a no-op run can never swallow a real one.
 */
export async function reconcileDeliveries(
  deps: { db: Database; producer: Producer; logger: Logger },
  options: { batchSize?: number } = {},
): Promise<{ enqueued: number; recovered: number }> {
  const batchSize = options.batchSize ?? RECONCILE_BATCH_SIZE;
  const queue = deps.producer.deliveries;
  return deps.db.transaction(async (tx) => {
    const rows = await tx
      .select({
        id: automationDeliveries.id,
        tenantId: automationDeliveries.tenantId,
        status: automationDeliveries.status,
        attempts: automationDeliveries.attempts,
        lockedUntil: automationDeliveries.lockedUntil,
      })
      .from(automationDeliveries)
      .where(
        or(
          and(eq(automationDeliveries.status, "pending"), lte(automationDeliveries.nextRetryAt, sql`now()`)),
          and(eq(automationDeliveries.status, "delivering"), lt(automationDeliveries.lockedUntil, sql`now()`)),
        ),
      )
      .orderBy(asc(automationDeliveries.nextRetryAt))
      .limit(batchSize)
      .for("update", { skipLocked: true });

    let enqueued = 0;
    let recovered = 0;
    for (const row of rows) {
      const attempt = row.attempts + 1;
      const leaseRecovery = row.status === "delivering";
      const run = leaseRecovery ? { kind: "lease" as const, token: String(row.lockedUntil?.getTime() ?? 0) } : undefined;
      const jobId = deliveryJobId(row.id, attempt, run);
      const state = await queue.getJobState(jobId);
      if (LIVE_STATES.has(state)) continue;
      if (state === "completed" || state === "failed") await queue.remove(jobId);
      await deps.producer.enqueueDelivery(row.id, row.tenantId, attempt, { run });
      if (leaseRecovery) recovered += 1;
      else enqueued += 1;
    }
    if (enqueued || recovered) deps.logger.info({ enqueued, recovered }, "delivery reconciler enqueued work");
    return { enqueued, recovered };
  });
}
