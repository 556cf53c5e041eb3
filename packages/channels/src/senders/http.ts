import { request } from "undici";
import { ProviderSendError } from "./errors";

export const DEFAULT_SEND_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface HttpResult {
  status: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The body as text, truncated to 1 MiB. */
  text: string;
}

/**
 * POSTs a JSON body with undici, bounded by `timeoutMs` for the whole exchange (connect, headers and
 * body). Redirects are not followed. Timeouts and connection errors become retryable
 * `ProviderSendError`s; any HTTP answer is returned for the caller to interpret.
 */
export async function postJson(
  url: string,
  options: { headers?: Record<string, string>; body: string; timeoutMs?: number; provider: string },
): Promise<HttpResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ProviderSendError(`${options.provider}: invalid URL ${url}`, { retryable: false, kind: "config", cause });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ProviderSendError(`${options.provider}: URL must be http(s): ${url}`, { retryable: false, kind: "config" });
  }
  try {
    const res = await request(parsed, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...options.headers },
      body: options.body,
      signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (size < MAX_RESPONSE_BYTES) chunks.push(buf.subarray(0, MAX_RESPONSE_BYTES - size));
      size += buf.length;
    }
    const text = Buffer.concat(chunks).toString("utf8");
    let json: unknown;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json, text };
  } catch (cause) {
    if (signal.aborted) {
      throw new ProviderSendError(`${options.provider}: no answer within ${timeoutMs} ms`, { retryable: true, kind: "timeout", cause });
    }
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ProviderSendError(`${options.provider}: connection failed (${detail})`, { retryable: true, kind: "network", cause });
  }
}
