import type { Readable } from "node:stream";
import { EgressError, type EgressClient } from "@alfred/egress";
import { DEFAULT_GRAPH_API_BASE_URL, joinUrl } from "./senders/types";
import type { ChannelType } from "./types";

/** Why a provider's file could not be fetched, in words an agent can act on. */
export class MediaFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MediaFetchError";
  }
}

export interface OpenedMedia {
  /** The answer's Content-Type, lowercased without parameters; null when absent. */
  contentType: string | null;
  /** The size the provider declares (Content-Length, or WhatsApp's `file_size`), when it does. */
  declaredSize: number | null;
  /** Read it to the end or destroy it. */
  body: Readable;
}

const MEDIA_TIMEOUT_MS = 60_000;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name];
  return typeof v === "string" ? v : Array.isArray(v) ? (v[0] ?? null) : null;
}

/** Meta's error body `{error:{code,error_subcode,message}}` as a sentence; 190 is the token. */
function graphFailure(status: number, json: unknown): MediaFetchError {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error?.code === 190) return new MediaFetchError(`the channel's access token is invalid or expired (Meta error 190): reconnect the channel, then ask the customer to send the file again`);
  const detail = typeof error?.message === "string" ? `: ${error.message.slice(0, 200)}` : "";
  return new MediaFetchError(`Meta answered HTTP ${status}${error?.code !== undefined ? ` (error ${String(error.code)})` : ""}${detail}`);
}

function egressFailure(err: unknown): never {
  if (err instanceof EgressError) throw new MediaFetchError(err.kind === "address_not_allowed" ? "the file's address is not allowed" : `could not download the file: ${err.message}`);
  throw err;
}

/**
 * Opens the bytes of an inbound file through the guarded client (the Graph API base URL may be a
 * tenant's setting, and Messenger/Instagram URLs come in the webhook payload):
 * - WhatsApp: `GET {api_base_url}/{media-id}` with the channel's token gives `{url, mime_type,
 *   file_size}`; then `GET url` with the same token gives the bytes (the URL expires in minutes).
 * - Messenger / Instagram: `GET` the attachment URL from the payload.
 */
export async function openInboundMedia(
  egress: EgressClient,
  channelType: ChannelType,
  config: { api_base_url?: string },
  secrets: Record<string, string>,
  sourceRef: string,
): Promise<OpenedMedia> {
  let url = sourceRef;
  let headers: Record<string, string> = {};
  let declaredSize: number | null = null;
  if (channelType === "whatsapp") {
    const token = secrets.access_token;
    if (!token) throw new MediaFetchError("the channel has no access token");
    headers = { authorization: `Bearer ${token}` };
    const meta = await egress.getJson(joinUrl(config.api_base_url || DEFAULT_GRAPH_API_BASE_URL, sourceRef), { headers, timeoutMs: MEDIA_TIMEOUT_MS }).catch(egressFailure);
    if (meta.status < 200 || meta.status >= 300) throw graphFailure(meta.status, meta.json);
    const info = meta.json as { url?: unknown; file_size?: unknown } | undefined;
    if (typeof info?.url !== "string" || !/^https?:\/\//i.test(info.url)) throw new MediaFetchError("Meta's media answer has no download URL");
    url = info.url;
    declaredSize = typeof info.file_size === "number" ? info.file_size : null;
  } else if (channelType !== "messenger" && channelType !== "instagram") {
    throw new MediaFetchError(`${channelType} channels have no provider media`);
  }
  const answer = await egress.download(url, { headers, timeoutMs: MEDIA_TIMEOUT_MS }).catch(egressFailure);
  if (answer.status < 200 || answer.status >= 300) {
    let text = "";
    for await (const chunk of answer.body) if ((text += String(chunk)).length > 4096) break;
    answer.body.on("error", () => undefined); // undici reports the abort we cause as an error
    answer.body.destroy();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    throw graphFailure(answer.status, json);
  }
  const length = Number(header(answer.headers, "content-length"));
  const type = header(answer.headers, "content-type")?.split(";")[0]?.trim().toLowerCase() || null;
  return { contentType: type, declaredSize: Number.isFinite(length) && length >= 0 && header(answer.headers, "content-length") !== null ? length : declaredSize, body: answer.body as unknown as Readable };
}
