import type { Logger } from "@alfred/core";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { LiveEvent, PostCommitEffects } from "./effects";
import { channelSendJobId, deliveryJobId, QUEUE_NAMES, type ChannelSendJob, type DeliveryJob, type DeliveryTrigger } from "./queues";

/** Redis pub/sub channel of a tenant's live inbox updates. */
export const liveChannel = (prefix: string, tenantId: string) => `${prefix}:live:${tenantId}`;

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms))]);

/**
 * Producer side of the queues and of live updates, used by web requests and the worker. It fails
 * fast: when Redis is unreachable the request still succeeds (its rows are committed) and the
 * reconciler enqueues the work later.
 */
export class Producer {
  readonly deliveries: Queue<DeliveryJob>;
  readonly channelSends: Queue<ChannelSendJob>;
  /** Only read here (job counts for the operations view); the worker owns its schedulers. */
  readonly maintenance: Queue;

  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.deliveries = new Queue(QUEUE_NAMES.deliveries, { connection: redis, prefix });
    this.channelSends = new Queue(QUEUE_NAMES.channelSends, { connection: redis, prefix });
    this.maintenance = new Queue(QUEUE_NAMES.maintenance, { connection: redis, prefix });
    // Without a listener an unreachable Redis would surface as an unhandled 'error' event.
    for (const queue of [this.deliveries, this.channelSends, this.maintenance]) queue.on("error", (err) => logger.warn({ err: err.message, queue: queue.name }, "queue connection error"));
  }

  /**
   * Enqueues attempt `attempt` of a delivery (see `deliveryJobId` for why the same attempt can be
   * enqueued from several places). `run` marks a lease recovery, manual retry or test send.
   */
  async enqueueDelivery(
    deliveryId: string,
    tenantId: string,
    attempt: number,
    options: { delayMs?: number; correlationId?: string; trigger?: DeliveryTrigger; run?: Parameters<typeof deliveryJobId>[2] } = {},
  ): Promise<void> {
    const data: DeliveryJob = { delivery_id: deliveryId, tenant_id: tenantId, attempt, trigger: options.trigger ?? "scheduled" };
    if (options.correlationId) data.correlation_id = options.correlationId;
    await this.deliveries.add("deliver", data, {
      jobId: deliveryJobId(deliveryId, attempt, options.run),
      delay: options.delayMs,
      removeOnComplete: 1000,
      removeOnFail: 5000,
      attempts: 1,
    });
  }

  async enqueueChannelSend(messageId: string, tenantId: string, correlationId?: string): Promise<void> {
    await this.channelSends.add(
      "send",
      { message_id: messageId, tenant_id: tenantId, correlation_id: correlationId },
      { jobId: channelSendJobId(messageId), attempts: 3, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    );
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
      ...effects.deliveries.map((d) => this.enqueueDelivery(d.deliveryId, d.tenantId, 1, { correlationId })),
      ...effects.channelSends.map((s) => this.enqueueChannelSend(s.messageId, s.tenantId, correlationId)),
      this.publishLive(effects.live),
    ];
    const results = await withTimeout(Promise.allSettled(work), 2_000, "post-commit flush").catch((err: Error) => [{ status: "rejected" as const, reason: err }]);
    const failures = results.filter((r) => r.status === "rejected");
    if (failures.length) {
      this.logger.warn(
        { failures: failures.length, err: String((failures[0] as PromiseRejectedResult).reason?.message ?? failures[0]), correlation_id: correlationId },
        "post-commit enqueue failed; the reconciler will pick the work up",
      );
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.deliveries.close(), this.channelSends.close(), this.maintenance.close()]);
  }
}
