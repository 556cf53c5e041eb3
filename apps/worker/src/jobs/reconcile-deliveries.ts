import { channelSendJobId, reconcileDeliveries as reconcile, type Producer } from "@alfred/automation";
import { staleOutboundMessages } from "@alfred/crm";
import type { JobContext } from "./context";

/** A reply still queued this long has lost its job (Redis lost it, or the producer failed fast). */
export const STALE_OUTBOUND_MS = 60_000;

/**
 * Every 5 s: enqueues due pending deliveries that have no live job (Redis was down, a producer
 * failed fast, a job was lost) and recovers deliveries whose worker died mid-attempt (lease
 * expired). Safe with several replicas: rows are taken `FOR UPDATE SKIP LOCKED` and job ids are
 * idempotent (see `deliveryJobId` and `reconcileDeliveries` in @alfred/automation).
 * Outbound replies get the same safety net: one job id per message, re-added when the old job is
 * gone or finished without finishing the message.
 */
export async function reconcileDeliveries(ctx: JobContext & { producer: Producer }): Promise<{ enqueued: number; recovered: number; replies: number }> {
  const deliveries = await reconcile({ db: ctx.db, producer: ctx.producer, logger: ctx.logger });
  let replies = 0;
  for (const message of await staleOutboundMessages(ctx.db, STALE_OUTBOUND_MS)) {
    const existing = await ctx.producer.channelSends.getJob(channelSendJobId(message.id));
    if (existing && !(await existing.isCompleted()) && !(await existing.isFailed())) continue;
    await existing?.remove();
    await ctx.producer.enqueueChannelSend(message.id, message.tenantId);
    replies++;
  }
  return { ...deliveries, replies };
}
