import { Readable } from "node:stream";
import { loadPrincipal } from "@alfred/auth";
import { AppError, CORRELATION_HEADER } from "@alfred/core";
import { attachmentForDownload } from "@alfred/crm";
import type { ApiDeps, RequestAuth } from "../context";

/** Raster images a browser may show in the page; everything else (SVG, HTML, PDF, ...) is a download. */
const INLINE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `filename="ascii"; filename*=UTF-8''utf8` (RFC 6266), quotes and controls removed. */
export function contentDisposition(type: "inline" | "attachment", filename: string | null): string {
  const name = [...(filename ?? "file")].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || '"\\/'.includes(c) ? "_" : c)).join("").slice(0, 200) || "file";
  const ascii = name.replace(/[^\x20-\x7e]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * `GET /api/v1/attachments/{id}/content`: the bytes of a stored attachment, to a signed-in member of
 * the message's tenant (browser session, bearer token or API key); any other tenant's id is 404.
 * Raster images are served inline (the thread shows them), everything else as a download; never
 * sniffed, never run (nosniff and a sandboxing CSP).
 */
export async function serveAttachment(deps: ApiDeps, auth: RequestAuth | null, attachmentId: string, correlationId: string, head = false): Promise<Response> {
  if (!auth) throw new AppError("unauthorized", "sign in first");
  const principal = await loadPrincipal(deps.db, auth.userId, auth.tenantId);
  if (!principal) throw new AppError("unauthorized", "this account is deactivated or no longer has access");
  if (!UUID.test(attachmentId)) throw new AppError("not_found", "attachment not found");
  const attachment = await attachmentForDownload(deps.db, principal.tenantId, attachmentId);
  const blob = head ? null : await deps.storage.get(attachment.storageKey);
  const meta = head ? await deps.storage.head(attachment.storageKey) : blob;
  if (!meta) {
    deps.logger.error({ attachment_id: attachmentId, correlation_id: correlationId }, "attachment bytes missing from storage");
    throw new AppError("not_found", "the attachment's file is missing from storage");
  }
  const inline = INLINE_TYPES.has(attachment.contentType);
  const headers = new Headers({
    "content-type": inline ? attachment.contentType : attachment.contentType.startsWith("text/") ? "text/plain; charset=utf-8" : attachment.contentType,
    "content-length": String(meta.size),
    "content-disposition": contentDisposition(inline ? "inline" : "attachment", attachment.filename),
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "private, max-age=300",
    [CORRELATION_HEADER]: correlationId,
  });
  if (!blob) return new Response(null, { status: 200, headers });
  return new Response(Readable.toWeb(blob.body as Readable) as ReadableStream<Uint8Array>, { status: 200, headers });
}
