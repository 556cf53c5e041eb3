import { metrics } from "@alfred/core";
import { sql, type Database } from "@alfred/db";
import type { Queue } from "bullmq";

/**
 * Fills the queue gauges just before a scrape: jobs per state and the oldest waiting job's age for
 * each BullMQ queue, and the same for the two queues that live in Postgres (deliveries due, receipts
 * pending). A queue that cannot be read keeps its last values; the scrape still answers.
 */
export function createQueueGauges(deps: { queues: readonly Queue[]; db: Database }) {
  return async (): Promise<void> => {
    const { queueDepth, queueOldestAge } = metrics();
    const now = Date.now();
    const bull = deps.queues.map(async (queue) => {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
      for (const [state, count] of Object.entries(counts)) queueDepth.set({ queue: queue.name, state }, count);
      const [oldest] = await queue.getJobs(["waiting", "prioritized"], 0, 0, true);
      queueOldestAge.set({ queue: queue.name }, oldest ? Math.max(0, now - oldest.timestamp) / 1000 : 0);
    });
    const postgres = (async () => {
      const result = await deps.db.execute<{ queue: string; waiting: number; oldest_seconds: number | null }>(sql`
        select 'deliveries' as queue, count(*)::int as waiting, extract(epoch from now() - min(next_retry_at))::float8 as oldest_seconds
        from automation_deliveries where status = 'pending' and next_retry_at <= now()
        union all
        select 'receipts', count(*)::int, extract(epoch from now() - min(received_at))::float8
        from inbound_receipts where status = 'pending'`);
      for (const row of result.rows) {
        queueDepth.set({ queue: row.queue, state: "waiting" }, row.waiting);
        queueOldestAge.set({ queue: row.queue }, Math.max(0, row.oldest_seconds ?? 0));
      }
    })();
    await Promise.allSettled([...bull, postgres]);
  };
}
