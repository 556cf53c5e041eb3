import type { JobContext } from "./context";

/**
 * Placeholder with a real schedule: what makes a lead stalled (lead_tasks, pipeline stage, last
 * activity) arrives with the tasks and lead-tasks work of the inbox issue (#3), which fills this in.
 */
export async function checkStalledLeads(ctx: JobContext): Promise<{ flagged: number }> {
  ctx.logger.debug("stalled leads check: no rule defined yet (#3)");
  return { flagged: 0 };
}
