import type { Producer } from "@alfred/automation";
import type { Logger } from "@alfred/core";
import type { Database } from "@alfred/db";
import { claimEventsForRules, markEventsEvaluated, runRulesOnEvent } from "./run";

export interface RuleEngineOptions {
  /** Events claimed per batch. */
  batchSize: number;
  /** How long a claim holds before another worker may take the events (a dead worker's). */
  leaseMs: number;
  /** How often committed events are looked for without a wake-up. */
  sweepMs: number;
}

export const DEFAULT_RULE_ENGINE_OPTIONS: RuleEngineOptions = { batchSize: 50, leaseMs: 60_000, sweepMs: 1_000 };

/**
 * Runs the tenants' rules and flows on committed outbox events, in the worker: the same events the
 * delivery engine sends to destinations, never in the request that caused them. The events table is
 * the queue (`rules_done_at`): batches are claimed with `FOR UPDATE SKIP LOCKED` and a lease, so
 * replicas share the work, and a dead worker's events are taken again once its lease runs out (the
 * unique execution rows make that repeat do nothing for rules that already ran). Actions' own events
 * are evaluated in the next batches, in the chain of the rule that caused them.
 */
export class RuleEngine {
  private readonly options: RuleEngineOptions;
  private running: Promise<void> | null = null;
  private again = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly idle = new Set<() => void>();
  readonly stats = { events: 0, executions: 0, failures: 0 };

  constructor(
    private readonly deps: { db: Database; producer: Producer; logger: Logger },
    options: Partial<RuleEngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_RULE_ENGINE_OPTIONS, ...options };
  }

  start(): void {
    this.sweepTimer = setInterval(() => this.wake(), this.options.sweepMs);
    this.sweepTimer.unref();
    this.wake();
  }

  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again && !this.closed) {
        this.again = false;
        this.wake();
      } else {
        for (const resolve of this.idle) resolve();
        this.idle.clear();
      }
    });
  }

  /** Resolves when nothing is being evaluated (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  /** Evaluates everything due now, then resolves (tests drive the engine with this). */
  async drainNow(): Promise<void> {
    await this.whenIdle();
    await this.drain();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      let events;
      try {
        events = await claimEventsForRules(this.deps.db, { limit: this.options.batchSize, leaseMs: this.options.leaseMs });
      } catch (err) {
        this.deps.logger.error({ err }, "claiming events for rules failed; the sweep tries again");
        return;
      }
      if (events.length === 0) return;
      const done: string[] = [];
      for (const event of events) {
        try {
          const run = await runRulesOnEvent(this.deps.db, event);
          this.stats.executions += run.executions;
          await this.deps.producer.flush(run.effects, event.correlationId ?? undefined);
          for (const step of run.flowSteps) {
            await this.deps.producer.enqueueFlowStep(step.job, step.runAt.getTime() - Date.now()).catch((err: unknown) =>
              this.deps.logger.error({ err, flow_id: step.job.flow_id, event_id: event.id, step: step.job.step }, "could not schedule a flow step; it will not run"),
            );
          }
          done.push(event.id);
        } catch (err) {
          // Left claimed: once the lease runs out the event is evaluated again (rules that ran are not repeated).
          this.stats.failures++;
          this.deps.logger.error({ err, event_id: event.id, tenant_id: event.tenantId }, "evaluating rules on an event failed");
        }
      }
      this.stats.events += done.length;
      await markEventsEvaluated(this.deps.db, done).catch((err: unknown) => this.deps.logger.error({ err }, "marking events evaluated failed; they are evaluated again after the lease"));
      if (events.length < this.options.batchSize || this.closed) return;
    }
  }
}
