import { correlationIdFrom, withCorrelationId, type Logger } from "@alfred/core";
import { DelayedError, type Job, type Processor } from "bullmq";

function didWork(result: unknown): boolean {
  if (result === null || typeof result !== "object") return true;
  return Object.values(result).some((value) => typeof value !== "number" || value > 0);
}

/**
 * Wraps a queue's handler so every job logs with its queue, id, name, attempt and correlation id
 * (taken from the job data when the producer set one, else a fresh one), and logs its outcome.
 */
export function withJobLogging<R>(
  queue: string,
  logger: Logger,
  handle: (job: Job, log: Logger) => Promise<R>,
): Processor<unknown, R> {
  return (job) => {
    const data = job.data as { correlation_id?: unknown } | null | undefined;
    const correlationId = correlationIdFrom(typeof data?.correlation_id === "string" ? data.correlation_id : undefined);
    // Current for the whole job: every line it logs, and every job or event it creates, carries it.
    return withCorrelationId(correlationId, () => run(job));
  };

  async function run(job: Job): Promise<R> {
    const log = logger.child({ queue, job_id: job.id, job_name: job.name, attempt: job.attemptsMade + 1 });
    const started = performance.now();
    try {
      const result = await handle(job, log);
      // Scheduled jobs mostly find nothing to do; only runs that did something are worth an info line.
      const level = didWork(result) ? "info" : "debug";
      log[level]({ result, duration_ms: Math.round(performance.now() - started) }, "job completed");
      return result;
    } catch (err) {
      // Moved back to delayed on purpose (e.g. a delivery not due yet): not a failure.
      if (err instanceof DelayedError) {
        log.debug("job moved back to delayed");
        throw err;
      }
      log.error({ err, duration_ms: Math.round(performance.now() - started) }, "job failed");
      throw err;
    }
  }
}
