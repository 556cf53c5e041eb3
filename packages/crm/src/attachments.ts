import type { InboundAttachment } from "@alfred/channels";
import { AppError, normalizeText } from "@alfred/core";
import { and, asc, eq, inArray, type DbOrTx } from "@alfred/db";
import { messageAttachments, messages } from "@alfred/db/schema";

type AttachmentRow = typeof messageAttachments.$inferSelect;

/** What agents and API clients see of an attachment (never the storage key). */
export interface AttachmentSummary {
  id: string;
  message_id: string;
  kind: string;
  filename: string | null;
  content_type: string | null;
  size: number | null;
  sha256: string | null;
  caption: string | null;
  status: "pending" | "stored" | "failed";
  error: string | null;
  /** Same-origin download path; null until the bytes are stored. */
  download_url: string | null;
  created_at: string;
}

export const attachmentDownloadPath = (id: string) => `/api/v1/attachments/${id}/content`;

export function toAttachmentSummary(row: AttachmentRow): AttachmentSummary {
  return {
    id: row.id,
    message_id: row.messageId,
    kind: row.kind,
    filename: row.filename,
    content_type: row.contentType,
    size: row.size,
    sha256: row.sha256,
    caption: row.caption,
    status: row.status,
    error: row.error,
    download_url: row.status === "stored" ? attachmentDownloadPath(row.id) : null,
    created_at: row.createdAt.toISOString(),
  };
}

/**
 * Records a new inbound message's files in its transaction: stored ones (e-mail) as `stored`,
 * provider media as `pending` for the worker to fetch. Returns the pending ones' ids.
 */
export async function recordInboundAttachments(tx: DbOrTx, tenantId: string, messageId: string, attachments: readonly InboundAttachment[]): Promise<string[]> {
  if (attachments.length === 0) return [];
  const text = (v: string | null | undefined) => (v == null ? null : normalizeText(v).slice(0, 1000));
  const rows = await tx
    .insert(messageAttachments)
    .values(
      attachments.map((a, position) => ({
        tenantId,
        messageId,
        position,
        kind: a.kind,
        filename: text(a.filename),
        contentType: a.contentType,
        caption: text(a.caption),
        ...(a.stored
          ? { status: "stored" as const, storageKey: a.stored.storageKey, size: a.stored.size, sha256: a.stored.sha256 }
          : { status: "pending" as const, sourceRef: a.sourceRef ?? null }),
      })),
    )
    .returning({ id: messageAttachments.id, status: messageAttachments.status });
  return rows.filter((r) => r.status === "pending").map((r) => r.id);
}

/** Attachments of the given messages of a tenant, by message, in position order. */
export async function attachmentsOfMessages(db: DbOrTx, tenantId: string, messageIds: readonly string[]): Promise<Map<string, AttachmentSummary[]>> {
  const byMessage = new Map<string, AttachmentSummary[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .select()
    .from(messageAttachments)
    .where(and(eq(messageAttachments.tenantId, tenantId), inArray(messageAttachments.messageId, [...messageIds])))
    .orderBy(asc(messageAttachments.messageId), asc(messageAttachments.position));
  for (const row of rows) {
    const list = byMessage.get(row.messageId) ?? [];
    list.push(toAttachmentSummary(row));
    byMessage.set(row.messageId, list);
  }
  return byMessage;
}

/** The attachments of one message of the tenant; `not_found` for another tenant's message. */
export async function listMessageAttachments(db: DbOrTx, tenantId: string, messageId: string): Promise<AttachmentSummary[]> {
  const [message] = await db.select({ id: messages.id }).from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, messageId)));
  if (!message) throw new AppError("not_found", "message not found");
  return (await attachmentsOfMessages(db, tenantId, [messageId])).get(messageId) ?? [];
}

/** A stored attachment of the tenant, with its storage key, for serving; `not_found` otherwise. */
export async function attachmentForDownload(db: DbOrTx, tenantId: string, attachmentId: string): Promise<{ storageKey: string; filename: string | null; contentType: string; size: number | null }> {
  const [row] = await db
    .select()
    .from(messageAttachments)
    .where(and(eq(messageAttachments.tenantId, tenantId), eq(messageAttachments.id, attachmentId)));
  if (!row) throw new AppError("not_found", "attachment not found");
  if (row.status !== "stored" || !row.storageKey) throw new AppError("not_found", row.status === "failed" ? `attachment could not be fetched: ${row.error ?? "unknown reason"}` : "attachment is not stored yet");
  return { storageKey: row.storageKey, filename: row.filename, contentType: row.contentType ?? "application/octet-stream", size: row.size };
}
