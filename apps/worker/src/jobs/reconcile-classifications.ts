import { classificationJobId, type Producer } from "@alfred/automation";
import { unclassifiedMessages } from "@alfred/crm";
import type { JobContext } from "./context";

/**
 * Inbound messages whose classification job was lost (Redis down when their receipt committed, a
 * producer that failed fast) are enqueued again, one job id per message. A message whose job is
 * still there (waiting, retrying) is left to it.
 */
export async function reconcileClassifications(ctx: JobContext & { producer: Producer }): Promise<{ classifications: number }> {
  let classifications = 0;
  for (const message of await unclassifiedMessages(ctx.db)) {
    if (await ctx.producer.classifications.getJob(classificationJobId(message.messageId))) continue;
    await ctx.producer.enqueueClassification(message.messageId, message.tenantId);
    classifications++;
  }
  return { classifications };
}
