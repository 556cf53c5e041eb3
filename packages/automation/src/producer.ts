import { currentCorrelationId, type Logger } from "@alfred/core";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { LiveEvent, PostCommitEffects } from "./effects";
import {
  channelChangesChannel,
  channelSendJobId,
  classificationJobId,
  deliveriesWakeChannel,
  flowStepJobId,
  QUEUE_NAMES,
  receiptsWakeChannel,
  rulesWakeChannel,
  type ChannelSendJob,
  type ClassificationJob,
  type FlowStepJob,
} from "./queues";

/** Redis pub/sub channel of a tenant's live inbox updates. */
export const liveChannel = (prefix: string, tenantId: string) => `${prefix}:live:${tenantId}`;

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms))]);

/**
 * Producer side of the queues, wake-ups and live updates, used by web requests and the worker. It
 * fails fast: when Redis is unreachable the request still succeeds (its rows are committed) and the
 * workers' sweeps (deliveries, receipts) or the reply reconciler pick the work up later.
 */
export class Producer {
  readonly channelSends: Queue<ChannelSendJob>;
  readonly classifications: Queue<ClassificationJob>;
  /** Only read here (job counts for the operations view); the worker owns its schedulers. */
  readonly maintenance: Queue;
  readonly flowSteps: Queue<FlowStepJob>;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.channelSends = new Queue(QUEUE_NAMES.channelSends, { connection: redis, prefix });
    this.maintenance = new Queue(QUEUE_NAMES.maintenance, { connection: redis, prefix });
    this.classifications = new Queue(QUEUE_NAMES.classifications, { connection: redis, prefix });
    this.flowSteps = new Queue(QUEUE_NAMES.flowSteps, { connection: redis, prefix });
    // Without a listener an unreachable Redis would surface as an unhandled 'error' event.
    for (const queue of [this.channelSends, this.maintenance, this.classifications, this.flowSteps]) queue.on("error", (err) => logger.warn({ err: err.message, queue: queue.name }, "queue connection error"));
  }

  /** Wakes the delivery engines: due deliveries exist (their rows are the queue; this only makes it fast). */
  async wakeDeliveries(): Promise<void> {
    await this.redis.publish(deliveriesWakeChannel(this.prefix), "1");
  }

  /** Wakes the receipt workers for these lanes. Never throws: the workers' sweep finds them anyway. */
  async wakeReceipts(lanes: readonly number[]): Promise<void> {
    if (lanes.length === 0) return;
    await this.redis.publish(receiptsWakeChannel(this.prefix), lanes.join(",")).catch((err: Error) => this.logger.warn({ err: err.message }, "receipt wake-up not sent; the worker sweep picks them up"));
  }

  /** Tells every process that a channel changed (webhook intake forgets its cached channels). */
  async announceChannelChange(): Promise<void> {
    await this.redis.publish(channelChangesChannel(this.prefix), "1").catch((err: Error) => this.logger.warn({ err: err.message }, "channel change not announced; cached channels expire on their own"));
  }

  async enqueueChannelSend(messageId: string, tenantId: string, correlationId?: string): Promise<void> {
    await this.channelSends.add(
      "send",
      { message_id: messageId, tenant_id: tenantId, correlation_id: correlationId ?? currentCorrelationId() },
      { jobId: channelSendJobId(messageId), attempts: 3, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    );
  }

  /** The provider call retries itself (chat-completions); the job's own attempts ride out a longer outage. */
  async enqueueClassification(messageId: string, tenantId: string, correlationId?: string): Promise<void> {
    await this.classifications.add(
      "classify",
      { message_id: messageId, tenant_id: tenantId, correlation_id: correlationId },
      { jobId: classificationJobId(messageId), attempts: 3, backoff: { type: "exponential", delay: 10_000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    );
  }

  /** A flow step, delayed until it is due (never negative: a late start runs its due steps at once). */
  async enqueueFlowStep(job: FlowStepJob, delayMs: number): Promise<void> {
    await this.flowSteps.add("step", job, { jobId: flowStepJobId(job), delay: Math.max(0, Math.round(delayMs)), attempts: 3, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 });
  }

  /** Wakes the rule engines: events committed (their rows are the queue; this only makes it fast). */
  async wakeRules(): Promise<void> {
    await this.redis.publish(rulesWakeChannel(this.prefix), "1");
  }

  async publishLive(events: LiveEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const event of events) pipeline.publish(liveChannel(this.prefix, event.tenantId), JSON.stringify(event));
    await pipeline.exec();
  }

  /** Runs the post-commit work; never throws (the outbox rows are the safety net). */
  async flush(effects: PostCommitEffects, correlationId?: string): Promise<void> {
    if (effects.isEmpty) return;
    const work = [
      ...(effects.deliveries.length ? [this.wakeDeliveries()] : []),
      ...(effects.events ? [this.wakeRules()] : []),
      ...effects.channelSends.map((s) => this.enqueueChannelSend(s.messageId, s.tenantId, correlationId)),
      ...effects.classifications.map((c) => this.enqueueClassification(c.messageId, c.tenantId, correlationId)),
      this.publishLive(effects.live),
    ];
    const results = await withTimeout(Promise.allSettled(work), 2_000, "post-commit flush").catch((err: Error) => [{ status: "rejected" as const, reason: err }]);
    const failures = results.filter((r) => r.status === "rejected");
    if (failures.length) {
      this.logger.warn(
        { failures: failures.length, err: String((failures[0] as PromiseRejectedResult).reason?.message ?? failures[0]), correlation_id: correlationId },
        "post-commit wake-up or enqueue failed; the workers' sweeps pick the work up",
      );
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.channelSends.close(), this.maintenance.close(), this.classifications.close(), this.flowSteps.close()]);
  }
}
