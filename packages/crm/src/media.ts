import { isChannelType, MediaFetchError, openInboundMedia } from "@alfred/channels";
import { AppError, type SecretKeyProvider } from "@alfred/core";
import { eq, sql, type Database } from "@alfred/db";
import { channels, messageAttachments, messages } from "@alfred/db/schema";
import type { EgressClient } from "@alfred/egress";
import { blobKey, type BlobStorage } from "@alfred/storage";
import { decryptChannelSecrets } from "./channels";

/** Largest file kept per kind (Meta's own limits, rounded up: WhatsApp documents go to 100 MB). */
export const MEDIA_MAX_BYTES: Readonly<Record<string, number>> = {
  image: 25 * 1024 * 1024,
  sticker: 1024 * 1024,
  audio: 25 * 1024 * 1024,
  voice: 25 * 1024 * 1024,
  video: 25 * 1024 * 1024,
  document: 100 * 1024 * 1024,
};

/** Content types a kind may have: a photo must be an image, a voice note audio; documents anything but active web content. */
function typeProblem(kind: string, contentType: string | null): string | null {
  const type = contentType ?? "application/octet-stream";
  const family = { image: "image/", sticker: "image/", audio: "audio/", voice: "audio/", video: "video/" }[kind];
  if (family && !type.startsWith(family)) return `expected ${family.slice(0, -1)} content, the provider sent ${type}`;
  if (["text/html", "application/xhtml+xml", "image/svg+xml"].includes(type) && kind !== "document") return `${type} is not accepted`;
  return null;
}

export interface MediaFetchDeps {
  db: Database;
  keys: SecretKeyProvider;
  storage: BlobStorage;
  egress: EgressClient;
  /** Overrides of MEDIA_MAX_BYTES (tests). */
  maxBytes?: Partial<Record<string, number>>;
}

export interface MediaFetchResult {
  stored: number;
  failed: number;
}

/**
 * Fetches pending provider media (WhatsApp/Messenger/Instagram files of inbound messages) into blob
 * storage, one attachment at a time, each claimed with `for update skip locked` so replicas share the
 * work. Every outcome is final and on the row: `stored`, or `failed` with the reason the thread shows
 * (expired token, too large, wrong type, provider error).
 */
export async function fetchPendingMedia(deps: MediaFetchDeps, limit = 20): Promise<MediaFetchResult> {
  const result: MediaFetchResult = { stored: 0, failed: 0 };
  for (let i = 0; i < limit; i++) {
    const outcome = await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ attachment: messageAttachments, channel: channels })
        .from(messageAttachments)
        .innerJoin(messages, eq(messages.id, messageAttachments.messageId))
        .innerJoin(channels, eq(channels.id, messages.channelId))
        .where(sql`${messageAttachments.status} = 'pending' and ${messageAttachments.sourceRef} is not null`)
        .orderBy(messageAttachments.createdAt)
        .limit(1)
        .for("update", { of: messageAttachments, skipLocked: true });
      if (!row) return null;
      const { attachment, channel } = row;
      const key = blobKey("media", attachment.tenantId, attachment.id);
      try {
        if (!isChannelType(channel.type)) throw new MediaFetchError("unknown channel type");
        const opened = await openInboundMedia(deps.egress, channel.type, channel.config as { api_base_url?: string }, decryptChannelSecrets(deps.keys, channel), attachment.sourceRef!);
        const maxBytes = deps.maxBytes?.[attachment.kind] ?? MEDIA_MAX_BYTES[attachment.kind] ?? MEDIA_MAX_BYTES.document!;
        const contentType = opened.contentType ?? attachment.contentType?.split(";")[0]?.trim().toLowerCase() ?? null;
        const problem = opened.declaredSize !== null && opened.declaredSize > maxBytes ? `the file is larger than ${maxBytes} bytes` : typeProblem(attachment.kind, contentType);
        if (problem) {
          opened.body.on("error", () => undefined); // undici reports the abort we cause as an error
          opened.body.destroy();
          throw new MediaFetchError(problem);
        }
        const blob = await deps.storage.put(key, opened.body, { contentType: contentType ?? "application/octet-stream", maxBytes });
        await tx
          .update(messageAttachments)
          .set({ status: "stored", storageKey: blob.key, size: blob.size, sha256: blob.sha256, contentType: blob.contentType, error: null })
          .where(eq(messageAttachments.id, attachment.id));
        return "stored" as const;
      } catch (err) {
        const reason = err instanceof MediaFetchError || err instanceof AppError ? err.message : "the file could not be stored";
        await tx.update(messageAttachments).set({ status: "failed", error: reason }).where(eq(messageAttachments.id, attachment.id));
        return "failed" as const;
      }
    });
    if (outcome === null) break;
    result[outcome]++;
  }
  return result;
}
