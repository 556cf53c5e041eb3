import { itemsOf, parseWebhook, type ChannelType } from "@alfred/channels";
import { PostCommitEffects } from "@alfred/automation";
import { AppError, contextFromTraceparent, inSpan, normalizeText, type SecretKeyProvider } from "@alfred/core";
import { arrayParam, inArray, sql, type Database, type Tx } from "@alfred/db";
import { channels, inboundReceipts } from "@alfred/db/schema";
import { applyStatusUpdate, storeInboundMessage } from "../ingest";
import type { Scope } from "../scope";
import { RECEIPT_LANE_LOCK } from "./lanes";

type ReceiptRow = typeof inboundReceipts.$inferSelect;
type ChannelRow = typeof channels.$inferSelect;
export type ReceiptResult = NonNullable<ReceiptRow["result"]>;

export interface ReceiptProcessingSettings {
  /** Receipts taken per transaction. */
  batchSize: number;
  /** Delay before each retry of a failed receipt; after the last one it is parked. */
  retryDelaysMs: readonly number[];
}

export const DEFAULT_RECEIPT_SETTINGS: ReceiptProcessingSettings = { batchSize: 50, retryDelaysMs: [1_000, 5_000, 30_000, 120_000] };

export interface LaneDrain {
  /** False when another worker holds the lane right now (nothing was done). */
  locked: boolean;
  processed: number;
  /** Failed this time and scheduled for a retry. */
  failed: number;
  parked: number;
  /** A full batch was taken: there may be more due right now. */
  more: boolean;
  /** Post-commit work of everything stored (deliveries to wake, live inbox updates). */
  effects: PostCommitEffects;
  /** Ack -> stored, per processed receipt (ms). */
  latenciesMs: number[];
  /** The processed receipts, with the correlation id of the webhook request that stored each. */
  done: { id: number; correlationId: string | null; result: ReceiptResult }[];
  /** What the processed receipts stored, summed. */
  stored: ReceiptResult;
}

/** The provider account id a channel's webhooks name (the API channel is addressed by its own id). */
const accountIdOf = (channel: ChannelRow) => (channel.type === "api" ? channel.id : (channel.externalId ?? ""));

/** Turns one receipt into messages and statuses, in the caller's transaction. */
async function processReceipt(tx: Tx, receipt: ReceiptRow, channel: ChannelRow, effects: PostCommitEffects): Promise<ReceiptResult> {
  const parsed = await parseWebhook(receipt.channelType as ChannelType, receipt.body, receipt.contentType, receipt.receivedAt);
  const items = itemsOf(parsed, accountIdOf(channel), receipt.orderingKey);
  const scope: Scope = { tenantId: channel.tenantId, actor: { type: "system", id: null }, correlationId: receipt.correlationId, effects };
  const result: ReceiptResult = { messages: 0, duplicates: 0, statuses: 0, ignored: 0 };
  for (const message of items.messages) {
    const stored = await storeInboundMessage(tx, scope, channel, message, { receiptId: receipt.id, receivedAt: receipt.receivedAt });
    if (stored.duplicate) result.duplicates++;
    else result.messages++;
  }
  for (const status of items.statuses) {
    if ((await applyStatusUpdate(tx, scope, channel, status)).applied) result.statuses++;
    else result.ignored++;
  }
  return result;
}

/**
 * The next due receipts of a lane in arrival order. A sender whose earlier receipt failed and waits
 * for its retry is held back (order per sender), while the lane's other senders go on.
 */
async function nextReceipts(tx: Tx, lane: number, limit: number): Promise<ReceiptRow[]> {
  return tx
    .select()
    .from(inboundReceipts)
    .where(
      sql`${inboundReceipts.lane} = ${lane} and ${inboundReceipts.status} = 'pending' and ${inboundReceipts.nextAttemptAt} <= now()
        and not exists (
          select 1 from ${inboundReceipts} held
          where held.lane = ${lane} and held.status = 'pending' and held.ordering_key = ${inboundReceipts.orderingKey}
            and held.id < ${inboundReceipts.id} and held.next_attempt_at > now())`,
    )
    .orderBy(inboundReceipts.id)
    .limit(limit)
    .for("update");
}

async function channelsOf(tx: Tx, receipts: ReceiptRow[]): Promise<Map<string, ChannelRow>> {
  const ids = [...new Set(receipts.map((r) => r.channelId))];
  const rows = ids.length ? await tx.select().from(channels).where(inArray(channels.id, ids)) : [];
  return new Map(rows.map((c) => [c.id, c]));
}

async function markProcessed(tx: Tx, done: { id: number; result: ReceiptResult }[]): Promise<void> {
  if (done.length === 0) return;
  await tx.execute(sql`
    update ${inboundReceipts} r set status = 'processed', processed_at = now(), attempts = r.attempts + 1, last_error = null, result = d.result
    from (select unnest(${arrayParam(done.map((d) => d.id))}::bigint[]) as id, unnest(${arrayParam(done.map((d) => JSON.stringify(d.result)))}::jsonb[]) as result) d
    where r.id = d.id`);
}

/**
 * Why a receipt failed, for an admin: the innermost cause (a query error wraps the database's own
 * message in the SQL and its parameters, which would copy customer data into the log of failures).
 */
function errorText(err: unknown): string {
  let inner: unknown = err;
  for (let depth = 0; depth < 8 && inner instanceof Error && inner.cause instanceof Error && !(inner instanceof AppError); depth++) inner = inner.cause;
  const text = inner instanceof AppError ? `${inner.code}: ${inner.message}` : inner instanceof Error ? inner.message : String(inner);
  return normalizeText(text).slice(0, 1000);
}

/** Processing a receipt is a span of the webhook request's trace; the events it records join it. */
function traced<T>(receipt: ReceiptRow, run: () => Promise<T>): Promise<T> {
  if (!receipt.traceparent) return run();
  return inSpan("receipt process", { parent: contextFromTraceparent(receipt.traceparent), attributes: { "alfred.receipt_id": receipt.id, "alfred.channel_type": receipt.channelType } }, run);
}

/**
 * Drains one batch of a lane in one transaction, holding the lane's advisory lock so no other worker
 * drains it at the same time. Each receipt is stored exactly once in effect: its messages and its
 * `processed` mark commit together, and a crash rolls both back for another worker to redo.
 *
 * Fast path: the whole batch without savepoints. If any receipt fails, the batch is rolled back and
 * redone with a savepoint per receipt, so the failing one is retried later (then parked) while the
 * others are stored.
 */
export async function drainReceiptLane(
  deps: { db: Database; keys?: SecretKeyProvider },
  lane: number,
  settings: ReceiptProcessingSettings = DEFAULT_RECEIPT_SETTINGS,
): Promise<LaneDrain> {
  const run = (careful: boolean) =>
    deps.db.transaction(async (tx): Promise<LaneDrain> => {
      const effects = new PostCommitEffects();
      const drain: LaneDrain = { locked: true, processed: 0, failed: 0, parked: 0, more: false, effects, latenciesMs: [], done: [], stored: { messages: 0, duplicates: 0, statuses: 0, ignored: 0 } };
      const [{ locked } = { locked: false }] = (await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${RECEIPT_LANE_LOCK}, ${lane}) as locked`)).rows;
      if (!locked) return { ...drain, locked: false };
      const receipts = await nextReceipts(tx, lane, settings.batchSize);
      drain.more = receipts.length === settings.batchSize;
      const byId = await channelsOf(tx, receipts);
      const done: { id: number; result: ReceiptResult }[] = [];
      const failedSenders = new Set<string>();
      for (const receipt of receipts) {
        if (failedSenders.has(receipt.orderingKey)) continue; // order: nothing after a sender's failure
        const channel = byId.get(receipt.channelId)!;
        if (!careful) {
          done.push({ id: receipt.id, result: await traced(receipt, () => processReceipt(tx, receipt, channel, effects)) });
          continue;
        }
        const own = new PostCommitEffects();
        try {
          const result = await traced(receipt, () => tx.transaction((sp) => processReceipt(sp, receipt, channel, own)));
          done.push({ id: receipt.id, result });
          effects.absorb(own);
        } catch (err) {
          failedSenders.add(receipt.orderingKey);
          const delay = settings.retryDelaysMs[receipt.attempts];
          if (delay === undefined) drain.parked++;
          else drain.failed++;
          await tx
            .update(inboundReceipts)
            .set({
              attempts: sql`${inboundReceipts.attempts} + 1`,
              lastError: errorText(err),
              ...(delay === undefined ? { status: "parked" as const } : { nextAttemptAt: sql`now() + ${delay} * interval '1 millisecond'` }),
            })
            .where(sql`${inboundReceipts.id} = ${receipt.id}`);
        }
      }
      await markProcessed(tx, done);
      drain.processed = done.length;
      for (const { result } of done) for (const key of ["messages", "duplicates", "statuses", "ignored"] as const) drain.stored[key] += result[key];
      const now = Date.now();
      const doneIds = new Set(done.map((d) => d.id));
      const processed = receipts.filter((r) => doneIds.has(r.id));
      drain.latenciesMs = processed.map((r) => now - r.receivedAt.getTime());
      const resultById = new Map(done.map((d) => [d.id, d.result]));
      drain.done = processed.map((r) => ({ id: r.id, correlationId: r.correlationId, result: resultById.get(r.id)! }));
      return drain;
    });
  try {
    return await run(false);
  } catch {
    return run(true);
  }
}
