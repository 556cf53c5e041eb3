import { AppError } from "@alfred/core";
import { and, desc, eq, lt, sql, type DbOrTx } from "@alfred/db";
import { inboundReceipts, type RECEIPT_STATUSES } from "@alfred/db/schema";

/**
 * Receipts as an admin sees them (Operations): what is waiting, what failed and was parked with its
 * error, and a way to send a parked one through again once the cause is fixed. Tenant-scoped.
 */

export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

export interface ReceiptView {
  id: string;
  channel_id: string;
  channel_type: string;
  status: ReceiptStatus;
  attempts: number;
  last_error: string | null;
  received_at: string;
  processed_at: string | null;
  next_attempt_at: string | null;
  size_bytes: number;
  /** The first 2 KiB of the body as text, for a parked receipt (what an admin needs to see why). */
  preview: string | null;
  result: { messages: number; duplicates: number; statuses: number; ignored: number } | null;
}

const PREVIEW_BYTES = 2048;

export async function listReceipts(
  db: DbOrTx,
  tenantId: string,
  input: { status?: ReceiptStatus; before?: number; limit?: number },
): Promise<{ items: ReceiptView[]; next_before: string | null }> {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
  const rows = await db
    .select({
      row: inboundReceipts,
      size: sql<number>`octet_length(${inboundReceipts.body})`,
      head: sql<Buffer>`substring(${inboundReceipts.body} from 1 for ${PREVIEW_BYTES})`,
    })
    .from(inboundReceipts)
    .where(and(eq(inboundReceipts.tenantId, tenantId), input.status ? eq(inboundReceipts.status, input.status) : undefined, input.before ? lt(inboundReceipts.id, input.before) : undefined))
    .orderBy(desc(inboundReceipts.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map(({ row, size, head }) => ({
      id: String(row.id),
      channel_id: row.channelId,
      channel_type: row.channelType,
      status: row.status,
      attempts: row.attempts,
      last_error: row.lastError,
      received_at: row.receivedAt.toISOString(),
      processed_at: row.processedAt?.toISOString() ?? null,
      next_attempt_at: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
      size_bytes: Number(size),
      // eslint-disable-next-line no-control-regex -- a preview must be storable and printable text.
      preview: row.status === "parked" ? new TextDecoder("utf-8", { fatal: false }).decode(head).replace(/\u0000/g, "") : null,
      result: row.result ?? null,
    })),
    next_before: rows.length > limit ? String(page[page.length - 1]!.row.id) : null,
  };
}

export async function receiptCounts(db: DbOrTx, tenantId: string): Promise<{ pending: number; parked: number; oldest_pending_at: string | null }> {
  const [row] = await db
    .select({
      pending: sql<number>`count(*) filter (where ${inboundReceipts.status} = 'pending')`,
      parked: sql<number>`count(*) filter (where ${inboundReceipts.status} = 'parked')`,
      oldest: sql<Date | null>`min(${inboundReceipts.receivedAt}) filter (where ${inboundReceipts.status} = 'pending')`,
    })
    .from(inboundReceipts)
    .where(and(eq(inboundReceipts.tenantId, tenantId), sql`${inboundReceipts.status} <> 'processed'`));
  return { pending: Number(row?.pending ?? 0), parked: Number(row?.parked ?? 0), oldest_pending_at: row?.oldest ? new Date(row.oldest).toISOString() : null };
}

/** Sends a parked receipt through again; returns its lane (to wake the worker). */
export async function retryParkedReceipt(db: DbOrTx, tenantId: string, id: number): Promise<{ lane: number }> {
  const [row] = await db
    .update(inboundReceipts)
    .set({ status: "pending", attempts: 0, nextAttemptAt: sql`now()` })
    .where(and(eq(inboundReceipts.tenantId, tenantId), eq(inboundReceipts.id, id), eq(inboundReceipts.status, "parked")))
    .returning({ lane: inboundReceipts.lane });
  if (row) return { lane: row.lane };
  const [exists] = await db.select({ status: inboundReceipts.status }).from(inboundReceipts).where(and(eq(inboundReceipts.tenantId, tenantId), eq(inboundReceipts.id, id)));
  if (!exists) throw new AppError("not_found", "receipt not found");
  throw new AppError("conflict", `only a parked receipt can be retried; this one is ${exists.status}`);
}

/**
 * Deletes processed receipts received before `olderThan`, a batch at a time (the messages keep their
 * provider payload; the raw bytes are kept for as long as a provider could re-deliver them and a
 * person might want to look).
 */
export async function pruneProcessedReceipts(db: DbOrTx, olderThan: Date, batch = 5_000): Promise<number> {
  const result = await db.execute(sql`
    delete from ${inboundReceipts} where id in (
      select id from ${inboundReceipts} where status = 'processed' and received_at < ${olderThan.toISOString()}::timestamptz limit ${batch})`);
  return result.rowCount ?? 0;
}
