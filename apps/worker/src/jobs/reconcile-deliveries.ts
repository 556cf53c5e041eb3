import type { JobContext } from "./context";

/**
 * Placeholder with a real schedule: the outbound automation issue (#4) fills this in, enqueueing
 * pending `automation_deliveries` that have no live job (`deliveryJobId` makes that idempotent).
 */
export async function reconcileDeliveries(ctx: JobContext): Promise<{ enqueued: number }> {
  ctx.logger.debug("delivery reconciler: nothing to reconcile yet (#4)");
  return { enqueued: 0 };
}
