import type { Producer } from "@alfred/automation";
import { metrics, type Logger } from "@alfred/core";
import type { Database } from "@alfred/db";
import { DEFAULT_RECEIPT_SETTINGS, drainReceiptLane, type LaneDrain, type ReceiptProcessingSettings } from "./process";
import { dueReceiptLanes } from "./store";

export interface ReceiptEngineOptions extends ReceiptProcessingSettings {
  /** Lanes drained at once by this process (each holds one database connection while it runs). */
  drainers: number;
  /** How often due lanes are looked for without a wake-up (lost messages, retries coming due). */
  sweepMs: number;
  /** How long to wait before trying again a lane another worker holds. */
  busyRetryMs: number;
}

export const DEFAULT_RECEIPT_ENGINE_OPTIONS: ReceiptEngineOptions = { ...DEFAULT_RECEIPT_SETTINGS, drainers: 4, sweepMs: 1_000, busyRetryMs: 25 };

export interface ReceiptStats {
  processed: number;
  failed: number;
  parked: number;
  /** Ack -> stored latencies since the last `takeLatencies()` (ms). */
  latencies: number[];
}

/**
 * Turns webhook receipts into messages, statuses, events and live updates (@alfred/crm receipts), lane
 * by lane: a lane is drained by one worker at a time (an advisory lock in Postgres), in arrival order,
 * so each sender's messages land in order while lanes run in parallel across drainers and replicas.
 *
 * Wake-ups name the lanes that got receipts; a lane woken while another worker drains it is tried again
 * shortly (the other worker may have looked before this receipt committed), and the sweep finds
 * anything a lost wake-up or a retry delay left due.
 */
export class ReceiptEngine {
  private readonly options: ReceiptEngineOptions;
  private readonly dirty = new Set<number>();
  private readonly draining = new Set<number>();
  private readonly again = new Set<number>();
  private readonly running = new Set<Promise<void>>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly stats: ReceiptStats = { processed: 0, failed: 0, parked: 0, latencies: [] };

  constructor(
    private readonly deps: { db: Database; producer: Producer; logger: Logger },
    options: Partial<ReceiptEngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_RECEIPT_ENGINE_OPTIONS, ...options };
  }

  start(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.sweepTimer.unref();
    void this.sweep();
  }

  wake(lanes: readonly number[]): void {
    if (this.closed) return;
    for (const lane of lanes) {
      if (this.draining.has(lane)) this.again.add(lane);
      else this.dirty.add(lane);
    }
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const timer of this.timers) clearTimeout(timer);
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  takeLatencies(): number[] {
    return this.stats.latencies.splice(0);
  }

  private async sweep(): Promise<void> {
    try {
      this.wake(await dueReceiptLanes(this.deps.db));
    } catch (err) {
      this.deps.logger.error({ err }, "looking for due receipts failed; the next sweep tries again");
    }
  }

  private later(lane: number, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.wake([lane]);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.options.drainers && this.dirty.size) {
      const lane = this.dirty.values().next().value!;
      this.dirty.delete(lane);
      this.draining.add(lane);
      const run = this.drain(lane).finally(() => {
        this.running.delete(run);
        this.draining.delete(lane);
        if (this.again.delete(lane)) this.dirty.add(lane);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async drain(lane: number): Promise<void> {
    for (let more = true; more && !this.closed; ) {
      let drain: LaneDrain;
      try {
        drain = await drainReceiptLane({ db: this.deps.db }, lane, this.options);
      } catch (err) {
        this.deps.logger.error({ err, lane }, "draining a receipt lane failed; it is tried again by the sweep");
        return;
      }
      if (!drain.locked) {
        this.later(lane, this.options.busyRetryMs);
        return;
      }
      this.stats.processed += drain.processed;
      this.stats.failed += drain.failed;
      this.stats.parked += drain.parked;
      if (this.stats.latencies.length < 100_000) this.stats.latencies.push(...drain.latenciesMs);
      const m = metrics();
      if (drain.processed) m.receiptsDone.inc({ outcome: "processed" }, drain.processed);
      if (drain.failed) m.receiptsDone.inc({ outcome: "retry_scheduled" }, drain.failed);
      if (drain.parked) m.receiptsDone.inc({ outcome: "parked" }, drain.parked);
      for (const ms of drain.latenciesMs) m.receiptVisibleLatency.observe(ms / 1000);
      if (this.deps.logger.isLevelEnabled("debug")) {
        for (const receipt of drain.done) this.deps.logger.debug({ receipt_id: receipt.id, lane, correlation_id: receipt.correlationId ?? undefined, stored: receipt.result }, "receipt processed");
      }
      if (drain.parked) this.deps.logger.warn({ lane, parked: drain.parked }, "inbound receipts parked after their last retry; an admin can retry them");
      await this.deps.producer.flush(drain.effects);
      more = drain.more;
    }
  }
}
