import { flowStepJobSchema, QUEUE_NAMES, type Producer } from "@alfred/automation";
import type { Logger } from "@alfred/core";
import { runFlowStep } from "@alfred/crm";
import type { Database } from "@alfred/db";
import { UnrecoverableError } from "bullmq";
import { withJobLogging } from "./job-logging";

/**
 * The `flow-steps` queue: one delayed job per flow step, due its offset after the trigger event.
 * A repeat (a retry after the step committed, a second worker) finds the step's execution row and
 * does nothing.
 */
export function createFlowStepProcessor(deps: { db: Database; logger: Logger; producer: Producer }) {
  return withJobLogging(QUEUE_NAMES.flowSteps, deps.logger, async (job) => {
    const parsed = flowStepJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid flow-step payload: ${parsed.error.message}`);
    const result = await runFlowStep(deps.db, parsed.data);
    await deps.producer.flush(result.effects, parsed.data.correlation_id);
    return { ran: result.outcome === "ran" ? 1 : 0, repeated: result.outcome === "already_ran" ? 1 : 0, gone: result.outcome === "gone" ? 1 : 0 };
  });
}
