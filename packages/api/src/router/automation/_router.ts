import { z } from "zod";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../../trpc";
import * as deliveries from "./deliveries.handler";
import {
  bulkCancelInput,
  bulkRetryInput,
  countOutput,
  deliveryDetail,
  deliveryIdInput,
  deliveryPage,
  deliverySummary,
  listDeliveriesInput,
  replayInput,
  replayOutput,
} from "./deliveries.schema";
import * as destinations from "./destinations.handler";
import {
  createDestinationInput,
  destinationIdInput,
  destinationWithCredentialSecret,
  destinationWithHealth,
  destinationWithSecret,
  eventTypeSampleInput,
  eventTypeSampleOutput,
  eventTypesOutput,
  publicDestination,
  rotateSecretInput,
  setCredentialInput,
  testSendOutput,
  updateDestinationInput,
} from "./destinations.schema";

const tags = ["automations"];
const admin = roleProcedure("admin");
const manager = roleProcedure("manager");

/** Destinations and API keys are admin-only; deliveries (inspection, retry, replay) manager and up. */
export const automationRouter = createTRPCRouter({
  eventTypes: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/automations/event-types", tags, summary: "The outbound event catalog with a sample payload per type", protect: true } })
    .input(z.void())
    .output(eventTypesOutput)
    .query(destinations.eventTypesHandler),

  eventTypeSample: tenantProcedure
    .meta({
      openapi: { method: "GET", path: "/automations/event-types/{type}/sample", tags, summary: "The full body a delivery of this event type carries (sample payload, sample event id)", protect: true, errorResponses: [404] },
    })
    .input(eventTypeSampleInput)
    .output(eventTypeSampleOutput)
    .query(destinations.eventTypeSampleHandler),

  destinations: createTRPCRouter({
    list: admin
      .meta({ openapi: { method: "GET", path: "/automations/destinations", tags, summary: "Destinations of the tenant (secrets masked) with 24 h health", protect: true } })
      .input(z.void())
      .output(z.object({ items: z.array(destinationWithHealth) }))
      .query(destinations.listHandler),
    names: manager
      .meta({ openapi: { method: "GET", path: "/automations/destinations/names", tags, summary: "Destination ids and names, for filters and labels (manager+; no URLs or secrets)", protect: true } })
      .input(z.void())
      .output(z.object({ items: z.array(z.object({ id: z.uuid(), name: z.string(), enabled: z.boolean() })) }))
      .query(destinations.namesHandler),
    get: admin
      .meta({ openapi: { method: "GET", path: "/automations/destinations/{id}", tags, summary: "One destination (secret masked)", protect: true } })
      .input(destinationIdInput)
      .output(publicDestination)
      .query(destinations.getHandler),
    create: admin
      .meta({
        openapi: { method: "POST", path: "/automations/destinations", tags, summary: "Create a destination; the secret is returned this once", protect: true },
        rest: { status: 201 },
      })
      .input(createDestinationInput)
      .output(destinationWithSecret)
      .mutation(destinations.createHandler),
    update: admin
      .meta({ openapi: { method: "PATCH", path: "/automations/destinations/{id}", tags, summary: "Change name, URL, event types or enabled", protect: true } })
      .input(updateDestinationInput)
      .output(publicDestination)
      .mutation(destinations.updateHandler),
    delete: admin
      .meta({ openapi: { method: "DELETE", path: "/automations/destinations/{id}", tags, summary: "Delete a destination", protect: true }, rest: { status: 204 } })
      .input(destinationIdInput)
      .output(z.void())
      .mutation(destinations.deleteHandler),
    rotateSecret: admin
      .meta({
        openapi: { method: "POST", path: "/automations/destinations/{id}/rotate-secret", tags, summary: "New secret (returned once); the previous one keeps signing for the grace period", protect: true },
      })
      .input(rotateSecretInput)
      .output(destinationWithSecret)
      .mutation(destinations.rotateSecretHandler),
    confirmNewSecret: admin
      .meta({
        openapi: {
          method: "POST",
          path: "/automations/destinations/{id}/confirm-new-secret",
          tags,
          summary: "The receiver checks the new secret now: X-Alfred-Body-Signature switches to it before the overlap ends (409 when no rotation is pending)",
          protect: true,
          errorResponses: [409],
        },
      })
      .input(destinationIdInput)
      .output(publicDestination)
      .mutation(destinations.confirmNewSecretHandler),
    setCredential: admin
      .meta({
        openapi: {
          method: "PUT",
          path: "/automations/destinations/{id}/credential",
          tags,
          summary: "Set or replace the static credential sent with every delivery (Basic or a named header); its value is returned this once",
          protect: true,
        },
      })
      .input(setCredentialInput)
      .output(destinationWithCredentialSecret)
      .mutation(destinations.setCredentialHandler),
    removeCredential: admin
      .meta({ openapi: { method: "DELETE", path: "/automations/destinations/{id}/credential", tags, summary: "Stop sending a static credential (the signatures stay)", protect: true } })
      .input(destinationIdInput)
      .output(publicDestination)
      .mutation(destinations.removeCredentialHandler),
    test: admin
      .meta({ openapi: { method: "POST", path: "/automations/destinations/{id}/test", tags, summary: "Send a signed alfred.test event now", protect: true }, rest: { status: 202 } })
      .input(destinationIdInput)
      .output(testSendOutput)
      .mutation(destinations.testHandler),
  }),

  deliveries: createTRPCRouter({
    list: manager
      .meta({ openapi: { method: "GET", path: "/automations/deliveries", tags, summary: "Deliveries, newest first, keyset-paginated and filterable", protect: true } })
      .input(listDeliveriesInput)
      .output(deliveryPage)
      .query(deliveries.listHandler),
    get: manager
      .meta({ openapi: { method: "GET", path: "/automations/deliveries/{id}", tags, summary: "One delivery with its event and every attempt (headers as sent)", protect: true } })
      .input(deliveryIdInput)
      .output(deliveryDetail)
      .query(deliveries.getHandler),
    retry: manager
      .meta({ openapi: { method: "POST", path: "/automations/deliveries/{id}/retry", tags, summary: "A manual attempt now (409 when it is being sent or its destination is disabled)", protect: true, errorResponses: [409] }, rest: { status: 202 } })
      .input(deliveryIdInput)
      .output(deliverySummary)
      .mutation(deliveries.retryHandler),
    bulkRetry: manager
      .meta({ openapi: { method: "POST", path: "/automations/deliveries/bulk-retry", tags, summary: "Retry failed or cancelled deliveries matching a filter", protect: true }, rest: { status: 202 } })
      .input(bulkRetryInput)
      .output(countOutput)
      .mutation(deliveries.bulkRetryHandler),
    cancel: manager
      .meta({ openapi: { method: "POST", path: "/automations/deliveries/cancel", tags, summary: "Cancel waiting retries matching a filter", protect: true } })
      .input(bulkCancelInput)
      .output(countOutput)
      .mutation(deliveries.bulkCancelHandler),
  }),

  events: createTRPCRouter({
    replay: manager
      .meta({ openapi: { method: "POST", path: "/automations/events/{id}/replay", tags, summary: "New deliveries of an old event (409 for an event whose type is no longer in the catalog)", protect: true, errorResponses: [409] }, rest: { status: 202 } })
      .input(replayInput)
      .output(replayOutput)
      .mutation(deliveries.replayHandler),
  }),
});
