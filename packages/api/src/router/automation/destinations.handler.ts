import type { Principal } from "@alfred/auth";
import { AppError } from "@alfred/core";
import {
  confirmNewSecret,
  createDestination,
  createTestDelivery,
  deleteDestination,
  describeCatalog,
  isCatalogEventType,
  sampleEnvelope,
  getDestination,
  listDestinations,
  listDestinationsWithHealth,
  removeDestinationCredential,
  rotateDestinationSecret,
  setDestinationCredential,
  updateDestination,
  type DestinationServiceDeps,
} from "@alfred/automation";
import type { z } from "zod";
import type { Context } from "../../context";
import type { createDestinationInput, destinationIdInput, eventTypeSampleInput, rotateSecretInput, setCredentialInput, updateDestinationInput } from "./destinations.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };

const service = (ctx: TenantCtx): DestinationServiceDeps => ({ db: ctx.db, keys: ctx.keys, settings: ctx.automation });

export const eventTypesHandler = () => ({ items: describeCatalog() });

/** The body a delivery of that type would carry to this tenant, with the catalog's sample payload. */
export const eventTypeSampleHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof eventTypeSampleInput> }) => {
  if (!isCatalogEventType(input.type)) throw new AppError("not_found", "no such event type; GET /api/v1/automations/event-types lists them");
  return sampleEnvelope(input.type, ctx.tenantId);
};

export const listHandler = async ({ ctx }: { ctx: TenantCtx }) => ({ items: await listDestinationsWithHealth(ctx, ctx.tenantId) });

export const namesHandler = async ({ ctx }: { ctx: TenantCtx }) => ({
  items: (await listDestinations(ctx, ctx.tenantId)).map((d) => ({ id: d.id, name: d.name, enabled: d.enabled })),
});

export const getHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof destinationIdInput> }) => getDestination(ctx, ctx.tenantId, input.id);

export const createHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof createDestinationInput> }) =>
  createDestination(service(ctx), ctx.tenantId, input);

export const updateHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof updateDestinationInput> }) => {
  const { id, ...changes } = input;
  return updateDestination(service(ctx), ctx.tenantId, id, changes);
};

export const deleteHandler = async ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof destinationIdInput> }): Promise<void> => {
  await deleteDestination(ctx, ctx.tenantId, input.id);
};

export const rotateSecretHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof rotateSecretInput> }) =>
  rotateDestinationSecret(service(ctx), ctx.tenantId, input.id, { secret: input.secret });

export const confirmNewSecretHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof destinationIdInput> }) =>
  confirmNewSecret(ctx, ctx.tenantId, input.id);

export const setCredentialHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof setCredentialInput> }) =>
  setDestinationCredential(service(ctx), ctx.tenantId, input.id, input.credential);

export const removeCredentialHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof destinationIdInput> }) =>
  removeDestinationCredential(service(ctx), ctx.tenantId, input.id);

/** Creates the test delivery, then wakes the delivery engines after commit; a worker sends it at once. */
export async function testHandler({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof destinationIdInput> }) {
  const sent = await createTestDelivery(ctx, ctx.tenantId, input.id, ctx.correlationId);
  await ctx.producer
    .wakeDeliveries()
    .catch((err: Error) => ctx.logger.warn({ err: err.message, correlation_id: ctx.correlationId }, "test delivery not announced; the engines' sweep sends it"));
  return sent;
}
