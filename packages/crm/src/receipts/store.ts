import type { ChannelType } from "@alfred/channels";
import { normalizeText } from "@alfred/core";
import { inArray, sql, type DbOrTx } from "@alfred/db";
import { inboundReceipts } from "@alfred/db/schema";
import { sha256Hex } from "../channels";
import { receiptLane } from "./lanes";

/** A verified request, ready to be stored: one per (channel, sender) it carries. */
export interface ReceiptDraft {
  tenantId: string;
  channelId: string;
  channelType: ChannelType;
  orderingKey: string;
  body: Buffer;
  bodySha256: string;
  contentType: string | null;
  correlationId: string | null;
  /** The webhook request's trace context (`traceparent`), when tracing is on. */
  traceparent?: string | null;
  /** Defaults to the digest of body, channel and sender: a byte-identical re-delivery is a duplicate. */
  dedupeKey?: string;
  /** A receipt whose body can never be processed as it is (e.g. a provider shape we do not know) is parked at once, with this reason. */
  parkedBecause?: string;
}

export interface StoredReceipts {
  /** Lanes that got new pending receipts (to wake their workers). */
  lanes: number[];
  stored: number;
  duplicates: number;
  parked: number;
  /** Receipts already stored under a draft's dedupe key whose body differs (a replayed one-time token). */
  conflicting: string[];
}

export function defaultDedupeKey(draft: Pick<ReceiptDraft, "channelId" | "orderingKey" | "bodySha256">): string {
  return sha256Hex(`${draft.bodySha256}\n${draft.channelId}\n${draft.orderingKey}`);
}

function normalizeDraft(d: ReceiptDraft): ReceiptDraft {
  return {
    ...d,
    orderingKey: normalizeText(d.orderingKey),
    contentType: d.contentType === null ? null : normalizeText(d.contentType),
    ...(d.parkedBecause ? { parkedBecause: normalizeText(d.parkedBecause) } : {}),
  };
}

/**
 * Stores a request's receipts in ONE statement (so they commit together, or not at all, before the
 * provider is answered). A dedupe key seen before stores nothing: the request was already received.
 */
export async function storeReceipts(db: DbOrTx, drafts: readonly ReceiptDraft[]): Promise<StoredReceipts> {
  // The ordering key is the provider's sender id and the content type a request header: text a
  // signed body may fill with NUL or lone surrogates, which Postgres refuses. Normalised (the raw
  // body is kept byte for byte), so such a webhook is stored rather than refused on every retry.
  const rows = drafts.map((d) => normalizeDraft(d)).map((d) => ({
    tenantId: d.tenantId,
    channelId: d.channelId,
    channelType: d.channelType,
    dedupeKey: d.dedupeKey ?? defaultDedupeKey(d),
    bodySha256: d.bodySha256,
    orderingKey: d.orderingKey,
    lane: receiptLane(d.channelId, d.orderingKey),
    contentType: d.contentType,
    body: d.body,
    correlationId: d.correlationId,
    traceparent: d.traceparent ?? null,
    ...(d.parkedBecause ? { status: "parked" as const, lastError: d.parkedBecause } : {}),
  }));
  if (rows.length === 0) return { lanes: [], stored: 0, duplicates: 0, parked: 0, conflicting: [] };
  // Plain SQL: this is the webhook request's one statement, run hundreds of times a second.
  const values = rows.map(
    (r) =>
      sql`(${r.tenantId}, ${r.channelId}, ${r.channelType}::channel_type, ${r.dedupeKey}, ${r.bodySha256}, ${r.orderingKey}, ${r.lane}, ${r.contentType}, ${r.body}, ${r.correlationId}, ${r.traceparent}, ${r.status ?? "pending"}::inbound_receipt_status, ${r.lastError ?? null})`,
  );
  const { rows: inserted } = await db.execute<{ dedupe_key: string; lane: number; status: string }>(sql`
    insert into ${inboundReceipts} (tenant_id, channel_id, channel_type, dedupe_key, body_sha256, ordering_key, lane, content_type, body, correlation_id, traceparent, status, last_error)
    values ${sql.join(values, sql`, `)}
    on conflict (dedupe_key) do nothing
    returning dedupe_key, lane, status`);
  const insertedKeys = new Set(inserted.map((r) => r.dedupe_key));
  const missed = rows.filter((r) => !insertedKeys.has(r.dedupeKey));
  let conflicting: string[] = [];
  if (missed.length) {
    const existing = await db
      .select({ dedupeKey: inboundReceipts.dedupeKey, bodySha256: inboundReceipts.bodySha256 })
      .from(inboundReceipts)
      .where(inArray(inboundReceipts.dedupeKey, missed.map((r) => r.dedupeKey)));
    const digestOf = new Map(existing.map((e) => [e.dedupeKey, e.bodySha256]));
    conflicting = missed.filter((r) => digestOf.has(r.dedupeKey) && digestOf.get(r.dedupeKey) !== r.bodySha256).map((r) => r.dedupeKey);
  }
  const pending = inserted.filter((r) => r.status === "pending");
  return {
    lanes: [...new Set(pending.map((r) => r.lane))],
    stored: inserted.length,
    duplicates: missed.length - conflicting.length,
    parked: inserted.length - pending.length,
    conflicting,
  };
}

/** Lanes with receipts due now (the worker's sweep, after a missed wake-up or a retry delay). */
export async function dueReceiptLanes(db: DbOrTx): Promise<number[]> {
  const result = await db.execute<{ lane: number }>(
    sql`select distinct lane from ${inboundReceipts} where status = 'pending' and next_attempt_at <= now()`,
  );
  return result.rows.map((r) => Number(r.lane));
}
