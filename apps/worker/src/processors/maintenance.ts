import { QUEUE_NAMES, isMaintenanceJobName, maintenanceJobSchemas, type MaintenanceJobName, type Producer } from "@alfred/automation";
import type { Logger } from "@alfred/core";
import type { Database } from "@alfred/db";
import { UnrecoverableError } from "bullmq";
import { checkOverdueTasks } from "../jobs/check-overdue-tasks";
import { checkStalledLeads } from "../jobs/check-stalled-leads";
import type { JobContext, JobResult } from "../jobs/context";
import { pruneReceipts } from "../jobs/prune-receipts";
import { reconcileClassifications } from "../jobs/reconcile-classifications";
import { reconcileReplies } from "../jobs/reconcile-replies";
import { withJobLogging } from "./job-logging";

/** The `maintenance` queue: cross-tenant housekeeping, dispatched on the job name. */
export function createMaintenanceProcessor(deps: { db: Database; logger: Logger; producer: Producer; receiptRetentionDays: number }) {
  const handlers: Record<MaintenanceJobName, (ctx: JobContext) => Promise<JobResult>> = {
    reconcile_replies: (ctx) => reconcileReplies({ ...ctx, producer: deps.producer }),
    prune_receipts: (ctx) => pruneReceipts({ ...ctx, retentionDays: deps.receiptRetentionDays }),
    check_overdue_tasks: (ctx) => checkOverdueTasks({ ...ctx, producer: deps.producer }),
    check_stalled_leads: (ctx) => checkStalledLeads({ ...ctx, producer: deps.producer }),
    reconcile_classifications: (ctx) => reconcileClassifications({ ...ctx, producer: deps.producer }),
  };
  return withJobLogging(QUEUE_NAMES.maintenance, deps.logger, async (job, logger) => {
    // A name or payload this version does not understand will not improve on retry.
    if (!isMaintenanceJobName(job.name)) throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    const parsed = maintenanceJobSchemas[job.name].safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} payload: ${parsed.error.message}`);
    return handlers[job.name]({ db: deps.db, logger });
  });
}
