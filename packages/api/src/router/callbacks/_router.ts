import { getCallbackEvent, listCallbackEvents } from "@alfred/automation";
import { z } from "zod";
import { CALLBACK_ACTION_NAMES } from "../../callbacks/actions";
import { createTRPCRouter, roleProcedure } from "../../trpc";
import { cursorInput, idInput, limitInput, pageOf } from "../schemas";

const callbackEventView = z.object({
  id: z.uuid(),
  destination_id: z.uuid(),
  event_id: z.string(),
  correlation_id: z.string().nullable(),
  linked_event_id: z.uuid().nullable(),
  action: z.string(),
  status: z.enum(["processing", "succeeded", "failed"]),
  response_status: z.number().int().nullable(),
  response_body: z.unknown(),
  result: z.object({ type: z.string(), id: z.uuid() }).nullable(),
  request_body: z.unknown(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});

const tags = ["automations"];

/** Inbound callbacks as operators see them: outcome, linked outbound event, resulting object. */
export const callbacksRouter = createTRPCRouter({
  list: roleProcedure("manager")
    .meta({ openapi: { method: "GET", path: "/automations/callbacks", tags, summary: "Callbacks received from automation destinations", protect: true } })
    .input(
      z
        .object({
          destination_id: z.uuid().optional(),
          action: z.enum(CALLBACK_ACTION_NAMES as [string, ...string[]]).optional(),
          status: z.enum(["processing", "succeeded", "failed"]).optional(),
          linked_event_id: z.uuid().optional(),
          cursor: cursorInput,
          limit: limitInput,
        })
        .optional()
        .default({}),
    )
    .output(pageOf(callbackEventView))
    .query(({ ctx, input }) =>
      listCallbackEvents(ctx.db, ctx.tenantId, { destinationId: input.destination_id, action: input.action, status: input.status, linkedEventId: input.linked_event_id, cursor: input.cursor, limit: input.limit }),
    ),
  get: roleProcedure("manager")
    .meta({ openapi: { method: "GET", path: "/automations/callbacks/{id}", tags, summary: "One callback with its request and stored response", protect: true } })
    .input(idInput)
    .output(callbackEventView)
    .query(({ ctx, input }) => getCallbackEvent(ctx.db, ctx.tenantId, input.id)),
});
