import type { Principal } from "@alfred/auth";
import { bulkRetryDeliveries, cancelPendingDeliveries, getDelivery, listDeliveries, replayEvent, retryDelivery } from "@alfred/automation";
import type { z } from "zod";
import type { Context } from "../../context";
import type { bulkCancelInput, bulkRetryInput, deliveryIdInput, listDeliveriesInput, replayInput } from "./deliveries.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };

export const listHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof listDeliveriesInput> }) =>
  listDeliveries(ctx.db, ctx.tenantId, input ?? {});

export const getHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof deliveryIdInput> }) => getDelivery(ctx.db, ctx.tenantId, input.id);

export const retryHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof deliveryIdInput> }) =>
  retryDelivery(ctx, ctx.tenantId, input.id);

export const bulkRetryHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof bulkRetryInput> }) =>
  bulkRetryDeliveries(ctx, ctx.tenantId, input);

export const bulkCancelHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof bulkCancelInput> }) =>
  cancelPendingDeliveries(ctx.db, ctx.tenantId, input);

export const replayHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof replayInput> }) =>
  replayEvent(ctx, ctx.tenantId, input.id, { destination_id: input.destination_id });
