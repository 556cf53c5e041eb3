import { createTRPCRouter, roleProcedure } from "../../trpc";
import { deliveryCountsHandler } from "./counts.handler";
import { destinationHealthHandler } from "./destination-health.handler";
import { deliveryCountsInput, deliveryCountsOutput, destinationHealthInput, destinationHealthOutput, queueHealthOutput, timelineInput, timelineOutput } from "./operations.schema";
import { queueHealthHandler } from "./queue-health.handler";
import { receiptProcedures } from "./receipts";
import { timelineHandler } from "./timeline.handler";
import { z } from "zod";

const manager = roleProcedure("manager");

/** The operator's view of the automation hub: counts, the causal timeline, pending work (and, single-company, queue and worker health). */
export const operationsRouter = createTRPCRouter({
  deliveryCounts: manager
    .meta({
      openapi: {
        method: "GET",
        path: "/automations/deliveries/counts",
        tags: ["automations"],
        summary: "Deliveries per status under the list's filters (404 for a destination_id the workspace does not have)",
        protect: true,
        errorResponses: [404],
      },
    })
    .input(deliveryCountsInput)
    .output(deliveryCountsOutput)
    .query(deliveryCountsHandler),
  destinationHealth: manager
    .meta({
      openapi: {
        method: "GET",
        path: "/automations/destinations/{id}/health",
        tags: ["automations"],
        summary: "One destination's deliveries per hour by outcome and latency percentiles, last 24 h or 7 d (404 for a destination the workspace does not have)",
        protect: true,
        errorResponses: [404],
      },
    })
    .input(destinationHealthInput)
    .output(destinationHealthOutput)
    .query(destinationHealthHandler),
  timeline: manager
    .meta({
      openapi: {
        method: "GET",
        path: "/automations/timeline",
        tags: ["automations"],
        summary: "Inbound message -> event -> deliveries and attempts -> callbacks -> results, in time order, by correlation id or event id (404 when nothing has it)",
        protect: true,
        errorResponses: [404],
      },
    })
    .input(timelineInput)
    .output(timelineOutput)
    .query(timelineHandler),
  queueHealth: manager
    .meta({ openapi: { method: "GET", path: "/operations/queues", tags: ["operations"], summary: "This workspace's pending and failed work; machine-wide queues and workers only on a single-company install", protect: true } })
    .input(z.void())
    .output(queueHealthOutput)
    .query(queueHealthHandler),
  ...receiptProcedures,
});
