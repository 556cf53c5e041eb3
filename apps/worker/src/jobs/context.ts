import type { Logger } from "@alfred/core";
import type { Database } from "@alfred/db";

/** What a job handler gets: the database and a logger already carrying the job's correlation id. */
export interface JobContext {
  db: Database;
  logger: Logger;
}

/** Counts of work done, logged when the job completes and kept as the BullMQ job result. */
export type JobResult = Record<string, number>;
