import { RECEIPT_STATUSES } from "@alfred/db/schema";
import { listReceipts, receiptCounts, retryParkedReceipt } from "@alfred/crm";
import { z } from "zod";
import { roleProcedure } from "../../trpc";

/** Inbound webhook receipts: what waits, what was parked with its error, and sending a parked one again. */

const manager = roleProcedure("manager");
const tags = ["operations"];
const receiptId = z.string().regex(/^[1-9]\d{0,17}$/, "must be a receipt id");

const receiptView = z.object({
  id: z.string(),
  channel_id: z.uuid(),
  channel_type: z.string(),
  status: z.enum(RECEIPT_STATUSES),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  received_at: z.string(),
  processed_at: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  size_bytes: z.number().int(),
  preview: z.string().nullable(),
  result: z.object({ messages: z.number().int(), duplicates: z.number().int(), statuses: z.number().int(), ignored: z.number().int() }).nullable(),
});

export const receiptProcedures = {
  receipts: manager
    .meta({ openapi: { method: "GET", path: "/operations/receipts", tags, summary: "Inbound webhook receipts, newest first (parked ones carry their error and the start of the body)", protect: true } })
    .input(z.object({ status: z.enum(RECEIPT_STATUSES).optional(), before: receiptId.optional(), limit: z.coerce.number().int().min(1).max(100).optional() }).optional().default({}))
    .output(z.object({ items: z.array(receiptView), next_before: z.string().nullable() }))
    .query(({ ctx, input }) => listReceipts(ctx.db, ctx.tenantId, { status: input.status, before: input.before ? Number(input.before) : undefined, limit: input.limit })),
  receiptCounts: manager
    .meta({ openapi: { method: "GET", path: "/operations/receipts/counts", tags, summary: "Inbound receipts waiting and parked, and the oldest waiting one", protect: true } })
    .input(z.void())
    .output(z.object({ pending: z.number().int(), parked: z.number().int(), oldest_pending_at: z.string().nullable() }))
    .query(({ ctx }) => receiptCounts(ctx.db, ctx.tenantId)),
  retryReceipt: manager
    .meta({ openapi: { method: "POST", path: "/operations/receipts/{id}/retry", tags, summary: "Process a parked receipt again (after the cause was fixed)", protect: true, errorResponses: [409] }, rest: { status: 202 } })
    .input(z.object({ id: receiptId }))
    .output(z.object({ id: z.string(), status: z.literal("pending") }))
    .mutation(async ({ ctx, input }) => {
      const { lane } = await retryParkedReceipt(ctx.db, ctx.tenantId, Number(input.id));
      await ctx.producer.wakeReceipts([lane]);
      return { id: input.id, status: "pending" as const };
    }),
};
