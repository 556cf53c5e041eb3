import type { TimelineItem } from "./types";
import { WarningIcon } from "./icons";

type Attachment = TimelineItem["attachments"][number];

const KIND_LABEL: Record<string, string> = { image: "Photo", sticker: "Sticker", audio: "Audio", voice: "Voice message", video: "Video", document: "Document", file: "File" };

/** `1.2 MB`, `340 KB`, `12 bytes`. */
function fileSize(bytes: number | null): string {
  if (bytes === null) return "";
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The files of a message: photos and stickers inline (a thumbnail that opens the full image), audio
 * and video with the browser's player, anything else as a download link; captions under the file.
 * A file still being fetched says so; one that could not be fetched says why.
 */
export function MessageAttachments({ attachments, body, outbound }: { attachments: Attachment[]; body: string | null; outbound: boolean }) {
  if (attachments.length === 0) return null;
  const muted = outbound ? "text-white/80" : "text-slate-500";
  return (
    <ul className="mb-1 flex flex-col gap-2" aria-label="Attachments">
      {attachments.map((a) => {
        const label = a.filename ?? KIND_LABEL[a.kind] ?? "File";
        return (
          <li key={a.id} data-attachment-kind={a.kind} data-attachment-status={a.status}>
            {a.status === "pending" && <p className={`italic ${muted}`}>{KIND_LABEL[a.kind] ?? "File"}: downloading…</p>}
            {a.status === "failed" && (
              <p className="flex items-start gap-1 rounded bg-red-50 px-2 py-1 text-xs text-red-800">
                <WarningIcon width={14} height={14} className="mt-px shrink-0" />
                <span>
                  {KIND_LABEL[a.kind] ?? "File"} could not be downloaded{a.error ? `: ${a.error}` : ""}
                </span>
              </p>
            )}
            {a.status === "stored" && a.download_url && <StoredAttachment attachment={a} label={label} outbound={outbound} url={a.download_url} />}
            {a.caption && a.caption !== body && <p className="mt-1 whitespace-pre-wrap break-words">{a.caption}</p>}
          </li>
        );
      })}
    </ul>
  );
}

function StoredAttachment({ attachment: a, label, outbound, url }: { attachment: Attachment; label: string; outbound: boolean; url: string }) {
  const type = a.content_type ?? "";
  if ((a.kind === "image" || a.kind === "sticker" || a.kind === "file") && /^image\/(png|jpeg|gif|webp|avif)$/.test(type)) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" title={`Open ${label}`} className="block">
        {/* A plain <img>: the bytes come from our own session-checked route, not an optimisable public URL. */}
        <img src={url} alt={a.caption ?? label} loading="lazy" className={`max-h-64 max-w-full rounded-lg object-contain ${a.kind === "sticker" ? "h-32 w-32" : ""}`} />
      </a>
    );
  }
  if (type.startsWith("audio/")) {
    return (
      <audio controls preload="none" src={url} aria-label={label} className="max-w-full">
        <a href={url}>{label}</a>
      </audio>
    );
  }
  if (type.startsWith("video/")) {
    return (
      <video controls preload="metadata" src={url} aria-label={label} className="max-h-72 max-w-full rounded-lg">
        <a href={url}>{label}</a>
      </video>
    );
  }
  return (
    <a href={url} download={a.filename ?? undefined} className={`inline-flex items-center gap-2 rounded-lg border px-3 py-2 underline-offset-2 hover:underline ${outbound ? "border-white/40" : "border-slate-200 bg-slate-50"}`}>
      <span aria-hidden="true">📎</span>
      <span className="break-all">{label}</span>
      <span className={outbound ? "text-white/75" : "text-slate-500"}>{fileSize(a.size)}</span>
    </a>
  );
}
