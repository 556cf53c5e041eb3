import { classificationJobSchema, QUEUE_NAMES, type Producer } from "@alfred/automation";
import type { Logger } from "@alfred/core";
import { classifyMessage } from "@alfred/crm";
import type { Database } from "@alfred/db";
import type { AiProvider } from "@alfred/rules";
import { UnrecoverableError } from "bullmq";
import { withJobLogging } from "./job-logging";

export interface ClassificationDeps {
  db: Database;
  logger: Logger;
  producer: Producer;
  /** The deployment's provider (AI_BASE_URL...), the local heuristic by default. */
  ai: AiProvider;
}

/**
 * The `classifications` queue: one job per inbound text message, enqueued after its receipt
 * committed. A provider failure is recorded in ai_events and thrown so BullMQ retries later (3
 * attempts, set by the producer); the message itself stays stored and visible, unclassified.
 */
export function createClassificationProcessor(deps: ClassificationDeps) {
  return withJobLogging(QUEUE_NAMES.classifications, deps.logger, async (job) => {
    const parsed = classificationJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid classification payload: ${parsed.error.message}`);
    const { message_id: messageId, tenant_id: tenantId, correlation_id: correlationId } = parsed.data;
    const { outcome, scope } = await classifyMessage({ db: deps.db, provider: deps.ai }, { tenantId, messageId, correlationId });
    await deps.producer.flush(scope.effects, correlationId);
    return {
      classified: outcome.status === "classified" ? 1 : 0,
      skipped: outcome.status === "skipped" ? 1 : 0,
      score_changed: outcome.status === "classified" && outcome.lead_score.changed ? 1 : 0,
    };
  });
}
