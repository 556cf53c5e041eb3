import { channelSendJobId, type Producer } from "@alfred/automation";
import { metrics } from "@alfred/core";
import { staleOutboundMessages } from "@alfred/crm";
import type { JobContext } from "./context";

/** A reply still queued this long has lost its job (Redis lost it, or the producer failed fast). */
export const STALE_OUTBOUND_MS = 60_000;

/**
 * Outbound replies whose send job is gone (Redis lost it, a producer failed fast) are enqueued again:
 * one job id per message, re-added when the old job is gone or finished without finishing the
 * message. Deliveries and receipts need no such job: their engines sweep Postgres themselves.
 */
export async function reconcileReplies(ctx: JobContext & { producer: Producer }): Promise<{ replies: number }> {
  let replies = 0;
  for (const message of await staleOutboundMessages(ctx.db, STALE_OUTBOUND_MS)) {
    const existing = await ctx.producer.channelSends.getJob(channelSendJobId(message.id));
    if (existing && !(await existing.isCompleted()) && !(await existing.isFailed())) continue;
    await existing?.remove();
    await ctx.producer.enqueueChannelSend(message.id, message.tenantId);
    replies++;
  }
  if (replies) metrics().reconcilerReenqueues.inc({ kind: "channel_send" }, replies);
  return { replies };
}
