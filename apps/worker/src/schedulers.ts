import type { JobSchedulerDefinition } from "@alfred/automation";
import type { Logger } from "@alfred/core";
import type { Queue } from "bullmq";

/**
 * Upserts every scheduler (same id from every replica = one scheduler) and removes schedulers of
 * these queues that the definitions no longer name, so a renamed or dropped job stops running.
 */
export async function upsertJobSchedulers(
  queues: ReadonlyMap<string, Queue>,
  definitions: readonly JobSchedulerDefinition[],
  logger: Logger,
): Promise<void> {
  for (const def of definitions) {
    const queue = queues.get(def.queue);
    if (!queue) throw new Error(`job scheduler ${def.id}: no queue "${def.queue}"`);
    const repeat = def.schedule.pattern !== undefined ? { pattern: def.schedule.pattern, tz: "UTC" } : { every: def.schedule.every };
    await queue.upsertJobScheduler(def.id, repeat, {
      name: def.job.name,
      data: def.job.data,
      opts: { removeOnComplete: { count: def.keep.completed }, removeOnFail: { count: def.keep.failed } },
    });
    logger.info({ queue: def.queue, scheduler_id: def.id, ...repeat, job_name: def.job.name }, "job scheduler upserted");
  }

  const wanted = new Set(definitions.map((def) => `${def.queue}/${def.id}`));
  for (const [name, queue] of queues) {
    for (const existing of await queue.getJobSchedulers()) {
      // BullMQ reports a scheduler's id as its `key`.
      const id = existing.key;
      if (wanted.has(`${name}/${id}`)) continue;
      await queue.removeJobScheduler(id);
      logger.info({ queue: name, scheduler_id: id }, "stale job scheduler removed");
    }
  }
}
