import type { Principal } from "@alfred/auth";
import { AppError } from "@alfred/core";
import { and, count, eq, gte, lt, type SQL } from "@alfred/db";
import { automationDeliveries, automationDestinations, DELIVERY_STATUSES } from "@alfred/db/schema";
import type { z } from "zod";
import type { Context } from "../../context";
import type { deliveryCountsInput, deliveryCountsOutput } from "./operations.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };

/**
 * Deliveries per status under the same filters as `automation.deliveries.list` (minus status and
 * cursor): one GROUP BY on `automation_deliveries_tenant_status_idx`. Every status is present.
 * A destination_id the tenant does not have is NOT_FOUND (not a row of zeros).
 */
export async function deliveryCountsHandler({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof deliveryCountsInput> }): Promise<z.infer<typeof deliveryCountsOutput>> {
  if (input.since && input.until && input.since >= input.until) {
    throw new AppError("validation_error", "since must be earlier than until", { path: "since" });
  }
  if (input.destination_id) {
    const [destination] = await ctx.db
      .select({ id: automationDestinations.id })
      .from(automationDestinations)
      .where(and(eq(automationDestinations.tenantId, ctx.tenantId), eq(automationDestinations.id, input.destination_id)));
    if (!destination) throw new AppError("not_found", "destination not found");
  }
  const where: SQL[] = [eq(automationDeliveries.tenantId, ctx.tenantId)];
  if (input.destination_id) where.push(eq(automationDeliveries.destinationId, input.destination_id));
  if (input.event_type) where.push(eq(automationDeliveries.eventType, input.event_type));
  if (input.since) where.push(gte(automationDeliveries.createdAt, input.since));
  if (input.until) where.push(lt(automationDeliveries.createdAt, input.until));
  const rows = await ctx.db
    .select({ status: automationDeliveries.status, n: count() })
    .from(automationDeliveries)
    .where(and(...where))
    .groupBy(automationDeliveries.status);
  const counts = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as z.infer<typeof deliveryCountsOutput>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}
