import { ALL_EVENT_TYPES, MAX_BULK_DELIVERIES, MAX_DELIVERY_PAGE } from "@alfred/automation";
import { DELIVERY_STATUSES } from "@alfred/db/schema";
import { z } from "zod";
import { instantInput as instant } from "../schemas";

export const deliveryIdInput = z.object({ id: z.uuid() });

const eventType = z.enum(ALL_EVENT_TYPES as [string, ...string[]]);

export const listDeliveriesInput = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    destination_id: z.uuid().optional(),
    event_type: eventType.optional(),
    since: instant.optional(),
    until: instant.optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_DELIVERY_PAGE).optional(),
  })
  .optional();

const bulkFilter = {
  ids: z.array(z.uuid()).min(1).max(MAX_BULK_DELIVERIES).optional(),
  destination_id: z.uuid().optional(),
  event_type: eventType.optional(),
  since: instant.optional(),
  until: instant.optional(),
};

const requireAFilter = (v: Record<string, unknown>) => Object.values(v).some((x) => x !== undefined);

export const bulkRetryInput = z
  .object({ ...bulkFilter, status: z.enum(["failed", "cancelled"]).optional() })
  .refine(requireAFilter, { message: "name the deliveries: ids, destination_id, event_type, since, until or status" });

export const bulkCancelInput = z.object(bulkFilter).refine(requireAFilter, { message: "name the deliveries: ids, destination_id, event_type, since or until" });

export const replayInput = z.object({ id: z.uuid(), destination_id: z.uuid().optional() });

export const deliverySummary = z.object({
  id: z.uuid(),
  event_id: z.uuid(),
  destination_id: z.uuid(),
  event_type: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  next_retry_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  created_at: z.string(),
});

export const deliveryPage = z.object({ items: z.array(deliverySummary), next_cursor: z.string().nullable() });

export const deliveryDetail = deliverySummary.extend({
  event: z.object({ event_id: z.uuid(), tenant_id: z.uuid(), occurred_at: z.string(), type: z.string(), payload: z.unknown() }),
  attempt_log: z.array(
    z.object({
      number: z.number().int(),
      trigger: z.enum(["scheduled", "manual", "test"]),
      started_at: z.string(),
      duration_ms: z.number().int(),
      status_code: z.number().int().nullable(),
      error_class: z.string().nullable(),
      error_message: z.string().nullable(),
      response_snippet: z.string().nullable(),
      request_headers: z.record(z.string(), z.string()),
      /** When the next attempt was scheduled for, when this one failed and another follows. */
      retry_at: z.string().nullable(),
    }),
  ),
});

export const countOutput = z.object({ count: z.number().int() });
export const replayOutput = z.object({ event_id: z.uuid(), delivery_ids: z.array(z.uuid()) });
