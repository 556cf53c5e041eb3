import { sql } from "drizzle-orm";
import { bigint, customType, index, integer, jsonb, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { channels, channelTypeEnum } from "./crm";
import { tenants } from "./identity";

/** Raw request bytes, kept exactly as the provider sent them (text and jsonb cannot hold every byte). */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

export const receiptStatusEnum = pgEnum("inbound_receipt_status", ["pending", "processed", "parked"]);
export const RECEIPT_STATUSES = receiptStatusEnum.enumValues;

/**
 * One verified provider webhook, stored durably before it is acknowledged; the worker turns it into
 * messages and statuses. A request naming several senders is split into one receipt per sender so
 * each sender's receipts are processed in order (`lane` = hash of channel and sender, drained by one
 * worker at a time) while different senders run in parallel.
 *
 * `dedupe_key` is the provider's idempotency key (body digest + sender for Meta and the API channel,
 * the one-time token for Mailgun): a re-delivered webhook is acknowledged and stored once.
 */
export const inboundReceipts = pgTable(
  "inbound_receipts",
  {
    /** Arrival order: receipts of one sender are processed by ascending id. */
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    channelId: uuid().notNull().references(() => channels.id, { onDelete: "cascade" }),
    channelType: channelTypeEnum().notNull(),
    dedupeKey: text().notNull(),
    /** sha256 of `body`: a Mailgun token replayed with another body is told apart from a genuine retry. */
    bodySha256: text().notNull(),
    /** Whose items this receipt carries (sender id, or `status:<recipient>` for status notifications). */
    orderingKey: text().notNull(),
    lane: smallint().notNull(),
    contentType: text(),
    body: bytea().notNull(),
    correlationId: text(),
    /** W3C trace context of the webhook request, so processing joins its trace. */
    traceparent: text(),
    status: receiptStatusEnum().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    /** What processing stored: counts of messages, duplicates, statuses. */
    result: jsonb().$type<{ messages: number; duplicates: number; statuses: number; ignored: number }>(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("inbound_receipts_dedupe_key").on(t.dedupeKey),
    // The worker's hot path: the next pending receipts of a lane, and whether a sender is blocked.
    index("inbound_receipts_pending_lane_idx").on(t.lane, t.id).where(sql`${t.status} = 'pending'`),
    index("inbound_receipts_pending_sender_idx").on(t.lane, t.orderingKey, t.id).where(sql`${t.status} = 'pending'`),
    // Admins list their parked (and pending) receipts; pruning walks by age.
    index("inbound_receipts_tenant_status_idx").on(t.tenantId, t.status, t.id.desc()),
    index("inbound_receipts_received_idx").on(t.receivedAt),
  ],
);
