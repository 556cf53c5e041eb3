import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { contextFromTraceparent, currentTraceparent, inSpan, metrics, SpanKind, SpanStatusCode, type Logger, type SecretKeyProvider } from "@alfred/core";
import type { Database } from "@alfred/db";
import type { GuardedDispatcher } from "@alfred/egress";
import { signingSecrets, type SigningSecrets } from "../destinations";
import type { LiveEvent } from "../effects";
import { TEST_EVENT_TYPE } from "../events/catalog";
import type { AutomationSettings } from "../settings";
import { claimDueDeliveries, type ClaimedDelivery } from "./claim";
import { cancelForDisabledDestinations, recordAttempts, type AttemptOutcome, type RecordedOutcome } from "./record";
import { beatWorker, forgetWorker, LEASE_HEARTBEAT, pruneWorkerHeartbeats } from "./heartbeat";
import { createDeliveryDispatcher, invalidEventResult, sendAttempt, signDelivery } from "./send";

/**
 * The delivery pipeline of one worker process, as a chain of small stages (Svix's worker is the model):
 * claim a batch of due rows from Postgres -> sign and send each through the guarded dispatcher, many
 * at once -> record the outcomes in batches -> wake again when a retry falls due.
 *
 * Postgres is the queue: a delivery is due when its row says so, so nothing is lost with Redis, and no
 * reconciler is needed: the periodic sweep claims whatever a lost wake-up, a dead worker's expired
 * lease or another replica's retry left due. Wake-ups (a Redis message after an event commits, a
 * timer at a retry's due time) only make it fast.
 *
 * Guarantees kept from the one-job-per-attempt design: two workers never hold one delivery (claims
 * use `FOR UPDATE SKIP LOCKED` and a lease); a worker whose lease was taken over records nothing
 * (fenced write); a killed worker's leases are taken over once its heartbeat goes stale (seconds); at-least-once with no double success; retries fire at their due time; the
 * dispatcher connects only to the address the SSRF guard checked.
 */

/** Time past the HTTP timeout for the worker to record the result before its lease can be taken. */
export const LEASE_MARGIN_MS = 5_000;

export function leaseMs(settings: Pick<AutomationSettings, "deliveryTimeoutMs">): number {
  return settings.deliveryTimeoutMs + LEASE_MARGIN_MS;
}

export interface DeliveryEngineOptions {
  /** Attempts in flight at once in this process (sends are I/O-bound). */
  maxInFlight: number;
  /** At most this many in flight to one destination, so one slow receiver cannot take every slot. */
  maxPerDestination: number;
  /** How often the engine looks for due work without being woken. */
  sweepMs: number;
  /** Outcomes recorded per transaction, and how long one may wait for others to join it. */
  recordBatch: number;
  recordDelayMs: number;
  /** Record transactions running at once (they touch disjoint rows). */
  recorders: number;
  /** How often this engine writes its heartbeat, and when another worker's counts as stale (./heartbeat). */
  heartbeatMs: number;
  staleAfterMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: DeliveryEngineOptions = { maxInFlight: 64, maxPerDestination: 16, sweepMs: 1_000, recordBatch: 100, recordDelayMs: 5, recorders: 3, heartbeatMs: LEASE_HEARTBEAT.intervalMs, staleAfterMs: LEASE_HEARTBEAT.staleAfterMs };

/**
 * `<hostname>:<pid>:<random>`: tells an operator where to look, and stays unique when a container
 * restarts with the same hostname and pid 1 (its predecessor's leases must look dead, not alive).
 */
export const newWorkerId = () => `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

export interface DeliveryEngineDeps {
  db: Database;
  keys: SecretKeyProvider;
  settings: AutomationSettings;
  logger: Logger;
  /** Identifies this worker on the leases it holds and in `worker_heartbeats` (default: newWorkerId()). */
  workerId?: string;
  dispatcher?: GuardedDispatcher;
  /** Notifications written with outcomes, to reach open bells at once (best effort). */
  publishLive?: (events: LiveEvent[]) => Promise<void>;
  /** Jitter source for the retry schedule (tests pin it). */
  random?: () => number;
}

export class DeliveryEngine {
  private readonly options: DeliveryEngineOptions;
  private readonly dispatcher: GuardedDispatcher;
  private readonly workerId: string;
  /** HTTP sends running now. */
  private inFlight = 0;
  /** Claimed and not yet recorded (sending, or waiting for the record stage). */
  private unrecorded = 0;
  private readonly perDestination = new Map<string, number>();
  private claiming: Promise<void> | null = null;
  private wakeAgain = false;
  /** More may be due than there were free slots when we last claimed. */
  private backlog = false;
  private toRecord: AttemptOutcome[] = [];
  private readonly recording = new Set<Promise<void>>();
  private recordTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private beats = 0;
  private retryTimer: { at: number; handle: NodeJS.Timeout } | null = null;
  private closed = false;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly deps: DeliveryEngineDeps,
    options: Partial<DeliveryEngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.dispatcher = deps.dispatcher ?? createDeliveryDispatcher(deps.settings);
    this.workerId = deps.workerId ?? newWorkerId();
  }

  /** Beats once (so every lease it takes has a heartbeat behind it), then claims and keeps beating. */
  async start(): Promise<void> {
    await this.beat();
    this.heartbeatTimer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.heartbeatTimer.unref();
    this.sweepTimer = setInterval(() => this.wake(), this.options.sweepMs);
    this.sweepTimer.unref();
    this.wake();
  }

  get id(): string {
    return this.workerId;
  }

  private async beat(): Promise<void> {
    try {
      await beatWorker(this.deps.db, this.workerId);
      // Now and then, forget workers long gone (any replica may; the delete is idempotent).
      if (this.beats++ % 1_000 === 0) await pruneWorkerHeartbeats(this.deps.db);
    } catch (err) {
      this.deps.logger.warn({ err, worker_id: this.workerId }, "delivery heartbeat failed; other workers may take this worker's leases");
    }
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Looks for due deliveries now (after an event committed, a manual retry, a retry timer). */
  wake(): void {
    if (this.closed) return;
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    this.claiming = this.claimUntilFull().finally(() => {
      this.claiming = null;
      this.notifyIfIdle();
    });
  }

  /** Stops claiming, lets every attempt in flight finish and be recorded. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer.handle);
    await this.claiming;
    await this.whenIdle();
    // Only once everything held is recorded: until then the beat keeps this worker's leases its own.
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await forgetWorker(this.deps.db, this.workerId).catch((err: unknown) => this.deps.logger.warn({ err }, "could not remove the delivery heartbeat; it is pruned later"));
  }

  /** Resolves once nothing is being claimed, sent or recorded (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private isIdle(): boolean {
    return this.unrecorded === 0 && !this.claiming && this.recording.size === 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  /**
   * Free send slots, or none while the record stage is behind: at most two slots' worth of outcomes
   * wait to be recorded, so leases never run out in a queue.
   */
  private capacity(): number {
    return Math.min(this.options.maxInFlight - this.inFlight, 2 * this.options.maxInFlight - this.unrecorded);
  }

  private async claimUntilFull(): Promise<void> {
    do {
      this.wakeAgain = false;
      for (;;) {
        const capacity = this.capacity();
        if (capacity <= 0) {
          this.backlog = true;
          break;
        }
        const saturated = [...this.perDestination].filter(([, n]) => n >= this.options.maxPerDestination).map(([id]) => id);
        let claimed: ClaimedDelivery[];
        try {
          claimed = await claimDueDeliveries(this.deps.db, {
            limit: capacity,
            leaseMs: leaseMs(this.deps.settings),
            workerId: this.workerId,
            excludeDestinationIds: saturated,
            staleAfterMs: this.options.staleAfterMs,
          });
        } catch (err) {
          this.deps.logger.error({ err }, "claiming deliveries failed; the sweep tries again");
          break;
        }
        if (claimed.length === 0) break;
        this.dispatch(claimed);
        if (claimed.length < capacity) break;
        this.backlog = true;
      }
    } while (this.wakeAgain && !this.closed);
  }

  private dispatch(claimed: ClaimedDelivery[]): void {
    const cancelled = claimed.filter((c) => !c.destination.enabled && c.eventType !== TEST_EVENT_TYPE);
    if (cancelled.length) {
      cancelForDisabledDestinations(this.deps.db, cancelled).catch((err: unknown) => this.deps.logger.warn({ err }, "could not cancel deliveries of disabled destinations; their leases expire"));
    }
    const bodies = new Map<string, string>();
    const secrets = new Map<string, SigningSecrets>();
    for (const c of claimed) {
      if (cancelled.includes(c)) continue;
      this.inFlight++;
      this.unrecorded++;
      this.perDestination.set(c.destination.id, (this.perDestination.get(c.destination.id) ?? 0) + 1);
      void this.attempt(c, bodies, secrets).then((outcome) => {
        this.sent(c);
        this.queueRecord(outcome);
      });
    }
  }

  /** A send finished: its slot is free for the next claim (its outcome is recorded on its own). */
  private sent(c: ClaimedDelivery): void {
    this.inFlight--;
    const left = (this.perDestination.get(c.destination.id) ?? 1) - 1;
    if (left <= 0) this.perDestination.delete(c.destination.id);
    else this.perDestination.set(c.destination.id, left);
    this.refill();
  }

  /** Claims again once a quarter of the slots is free: in batches, not once per finished send. */
  private refill(): void {
    if (this.backlog && this.capacity() >= this.options.maxInFlight / 4) {
      this.backlog = false;
      this.wake();
    }
  }

  /** Each attempt is a span of the trace the event was recorded in, and says so to the destination. */
  private attempt(claimed: ClaimedDelivery, bodies: Map<string, string>, secretsCache: Map<string, SigningSecrets>): Promise<AttemptOutcome> {
    const { traceparent } = claimed.event;
    if (!traceparent) return this.send(claimed, bodies, secretsCache);
    const attributes = { "alfred.delivery_id": claimed.id, "alfred.event_id": claimed.event.id, "alfred.destination_id": claimed.destination.id, "alfred.attempt": claimed.attempt };
    return inSpan("delivery attempt", { parent: contextFromTraceparent(traceparent), kind: SpanKind.CLIENT, attributes }, async (span) => {
      const outcome = await this.send(claimed, bodies, secretsCache);
      span.setAttributes({ "http.response.status_code": outcome.result.statusCode ?? 0, "alfred.error_class": outcome.result.errorClass ?? "" });
      if (outcome.result.errorClass) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.result.errorClass });
      return outcome;
    });
  }

  private async send(claimed: ClaimedDelivery, bodies: Map<string, string>, secretsCache: Map<string, SigningSecrets>): Promise<AttemptOutcome> {
    let headers: Record<string, string> = {};
    try {
      let secrets = secretsCache.get(claimed.destination.id);
      if (!secrets) secretsCache.set(claimed.destination.id, (secrets = signingSecrets(claimed.destination, this.deps.keys)));
      const signed = signDelivery(claimed, secrets, bodies);
      const traceparent = currentTraceparent();
      // Outside the signature: a receiver's callback sends it back to continue this trace.
      headers = traceparent ? { ...signed.recordedHeaders, traceparent } : signed.recordedHeaders;
      const result = await sendAttempt({ url: claimed.destination.url, headers: traceparent ? { ...signed.headers, traceparent } : signed.headers, body: signed.body, dispatcher: this.dispatcher, settings: this.deps.settings });
      return { claimed, result, headers };
    } catch (err) {
      return { claimed, result: invalidEventResult(err), headers };
    }
  }

  private queueRecord(outcome: AttemptOutcome): void {
    this.toRecord.push(outcome);
    if (this.toRecord.length >= this.options.recordBatch) this.flushRecords();
    else this.recordTimer ??= setTimeout(() => this.flushRecords(), this.options.recordDelayMs);
  }

  private flushRecords(): void {
    if (this.recordTimer) clearTimeout(this.recordTimer);
    this.recordTimer = null;
    while (this.toRecord.length && this.recording.size < this.options.recorders) {
      const batch = this.toRecord.splice(0, this.options.recordBatch);
      const run: Promise<void> = this.record(batch)
        .catch((err: unknown) => {
          // The leases stay: once they expire the attempts are claimed and sent again (at least once).
          this.deps.logger.error({ err, deliveries: batch.length }, "recording delivery outcomes failed");
        })
        .finally(() => {
          this.recording.delete(run);
          this.unrecorded -= batch.length;
          if (this.toRecord.length) this.flushRecords();
          this.refill();
          this.notifyIfIdle();
        });
      this.recording.add(run);
    }
  }

  private async record(outcomes: AttemptOutcome[]): Promise<void> {
    const recorded = await recordAttempts({ db: this.deps.db, settings: this.deps.settings, random: this.deps.random }, outcomes);
    this.afterRecord(recorded, outcomes);
  }

  private afterRecord(recorded: RecordedOutcome[], outcomes: AttemptOutcome[]): void {
    const live: LiveEvent[] = [];
    const debug = this.deps.logger.isLevelEnabled("debug");
    let nextRetryAt = Infinity;
    recorded.forEach((r, i) => {
      const { id, tenantId, destination, attempt, eventType } = r.claimed;
      const result = outcomes[i]!.result;
      // A child logger per attempt only when something will be logged: this runs a thousand times a second.
      const log = () => this.deps.logger.child({ delivery_id: id, destination_id: destination.id, tenant_id: tenantId, attempt, correlation_id: r.claimed.correlationId });
      if (!r.recorded) {
        log().warn("delivery lease was taken over before the result was recorded; the attempt is not counted");
        return;
      }
      const m = metrics();
      m.deliveryAttempts.inc({ tenant_id: tenantId, outcome: result.errorClass ?? "success" });
      if (r.decision.kind === "delivered") {
        m.deliveries.inc({ tenant_id: tenantId, outcome: "delivered" });
        // The 2xx arrived at the end of the attempt; the event committed at its created_at.
        m.deliveryLatency.observe(Math.max(0, result.startedAt.getTime() + result.durationMs - r.claimed.event.createdAt.getTime()) / 1000);
      }
      if (r.decision.kind === "failed") m.deliveries.inc({ tenant_id: tenantId, outcome: r.decision.reason });
      if (r.destinationDisabled) m.destinationsDisabled.inc({ tenant_id: tenantId, reason: r.destinationDisabled });
      if (r.decision.kind === "retry") {
        m.deliveryRetries.inc({ tenant_id: tenantId });
        nextRetryAt = Math.min(nextRetryAt, Date.now() + r.decision.delayMs);
      }
      const fields = () => ({ status_code: result.statusCode, error_class: result.errorClass, duration_ms: result.durationMs, decision: r.decision });
      if (result.errorClass !== null) log().info(fields(), "delivery attempt failed");
      else if (debug) log().debug(fields(), "delivery attempt succeeded");
      if (r.decision.kind === "failed" && eventType !== TEST_EVENT_TYPE) {
        live.push({ tenantId, kind: "notification.created", data: { notification_kind: "delivery_failed", delivery_id: id, destination_id: destination.id } });
      }
      if (r.destinationDisabled) {
        live.push({ tenantId, kind: "notification.created", data: { notification_kind: "destination_disabled", delivery_id: id, destination_id: destination.id } });
      }
    });
    if (nextRetryAt !== Infinity) this.wakeAt(nextRetryAt);
    if (live.length && this.deps.publishLive) {
      this.deps.publishLive(live).catch((err: Error) => this.deps.logger.warn({ err: err.message }, "could not publish notifications live"));
    }
  }

  /** A timer at the earliest known retry, so it goes out on time rather than at the next sweep. */
  private wakeAt(at: number): void {
    if (this.closed || (this.retryTimer && this.retryTimer.at <= at)) return;
    if (this.retryTimer) clearTimeout(this.retryTimer.handle);
    const handle = setTimeout(
      () => {
        this.retryTimer = null;
        this.wake();
      },
      Math.max(0, at - Date.now()),
    );
    handle.unref();
    this.retryTimer = { at, handle };
  }
}
