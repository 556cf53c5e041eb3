import { pruneProcessedReceipts } from "@alfred/crm";
import type { JobContext } from "./context";

/** Deletes processed webhook receipts older than the retention, in batches (parked ones stay until handled). */
export async function pruneReceipts(ctx: JobContext & { retentionDays: number }): Promise<{ pruned: number }> {
  const olderThan = new Date(Date.now() - ctx.retentionDays * 86_400_000);
  let pruned = 0;
  for (let batch = await pruneProcessedReceipts(ctx.db, olderThan); batch > 0; batch = await pruneProcessedReceipts(ctx.db, olderThan)) pruned += batch;
  return { pruned };
}
