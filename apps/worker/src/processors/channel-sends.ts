import { channelSendJobSchema, QUEUE_NAMES, type Producer } from "@alfred/automation";
import type { Logger, SecretKeyProvider } from "@alfred/core";
import { deliverOutboundMessage, newScope } from "@alfred/crm";
import type { Database } from "@alfred/db";
import type { EgressClient } from "@alfred/egress";
import { UnrecoverableError } from "bullmq";
import { withJobLogging } from "./job-logging";

export interface ChannelSendDeps {
  db: Database;
  logger: Logger;
  keys: SecretKeyProvider;
  producer: Producer;
  /** The guarded client: a channel's URLs are the tenant's choice. */
  egress: EgressClient;
}

/**
 * The `channel-sends` queue: one job per outbound message (3 attempts, exponential backoff, set by
 * the producer). A retryable provider failure throws so BullMQ retries; on the last attempt the
 * message is marked failed with the provider's error.
 */
export function createChannelSendProcessor(deps: ChannelSendDeps) {
  return withJobLogging(QUEUE_NAMES.channelSends, deps.logger, async (job, log) => {
    const parsed = channelSendJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid channel-send payload: ${parsed.error.message}`);
    const { message_id: messageId, tenant_id: tenantId, correlation_id: correlationId } = parsed.data;
    const scope = newScope(tenantId, { type: "system", id: null }, correlationId ?? null);
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await deliverOutboundMessage(deps.db, deps.keys, scope, messageId, { finalAttempt, egress: deps.egress });
    // The agent reads "address not allowed"; the operator gets the address and the rule.
    if (result.refusal) log.warn({ message_id: messageId, tenant_id: tenantId, refusal: result.refusal }, "outbound message refused by the egress guard");
    await deps.producer.flush(scope.effects, correlationId);
    if (result.outcome === "retry") throw new Error(`provider refused for now, will retry: ${result.error}`);
    return { sent: result.outcome === "sent" ? 1 : 0, failed: result.outcome === "failed" ? 1 : 0, skipped: result.outcome === "skipped" ? 1 : 0 };
  });
}
