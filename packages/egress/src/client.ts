import { request, type Dispatcher } from "undici";
import type { Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { toEgressError } from "./errors";
import { assertUrlAllowedAtSend, createGuardedDispatcher, type GuardedDispatcher } from "./guard";
import type { EgressPolicy } from "./policy";
import { createGuardedSmtpTransport, type GuardedSmtpOptions } from "./smtp";

type RequestOptions = Omit<NonNullable<Parameters<typeof request>[1]>, "dispatcher"> & { dispatcher: GuardedDispatcher };

/** undici's `request`, through a guarded dispatcher only (never the global one). */
export function guardedRequest(url: string | URL, options: RequestOptions): Promise<Dispatcher.ResponseData<unknown>> {
  return request(url, options);
}

export interface EgressRequest {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Whole exchange: connect, headers and body. */
  timeoutMs?: number;
  /** Bytes of the answer kept; the rest is not read. */
  maxResponseBytes?: number;
}

export interface EgressResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, at most `maxResponseBytes`. */
  text: string;
  /** The body parsed as JSON, or undefined when it is not (or was cut short). */
  json: unknown;
  truncated: boolean;
}

export const DEFAULT_EGRESS_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

async function readBounded(body: Dispatcher.ResponseData["body"], maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buf.subarray(0, Math.max(0, maxBytes - size)));
    size += buf.length;
    if (size > maxBytes) {
      body.destroy();
      return { text: Buffer.concat(chunks).toString("utf8"), truncated: true };
    }
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated: false };
}

export interface EgressDownload {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData["body"];
}

export interface EgressClient {
  /**
   * One request to a tenant-chosen URL through the guard. Any HTTP answer resolves (a 3xx too:
   * redirects are not followed); no answer rejects with an EgressError.
   */
  request(url: string, init: EgressRequest): Promise<EgressResponse>;
  /** POST a JSON body (already serialised, so callers can sign the exact bytes) and read JSON. */
  postJson(url: string, body: string, init?: Omit<EgressRequest, "method" | "body">): Promise<EgressResponse>;
  getJson(url: string, init?: Omit<EgressRequest, "method" | "body">): Promise<EgressResponse>;
  /**
   * A GET whose body is streamed to the caller (files): the caller reads it to the end or destroys
   * it, and bounds its size itself. The timeout covers the whole exchange, body included.
   */
  download(url: string, init?: { headers?: Record<string, string>; timeoutMs?: number }): Promise<EgressDownload>;
  /** A nodemailer transport to a tenant's SMTP URL through the guard (see createGuardedSmtpTransport). */
  smtpTransport(url: string, options: GuardedSmtpOptions): Transporter<SMTPTransport.SentMessageInfo>;
  close(): Promise<void>;
}

/**
 * The guarded client: one per process (its dispatcher pools connections to checked addresses).
 * Every call to a URL a tenant chose goes through one: HTTP here, SMTP through `smtpTransport`.
 */
export function createEgressClient(policy: EgressPolicy, options: { timeoutMs?: number } = {}): EgressClient {
  const defaultTimeoutMs = options.timeoutMs ?? DEFAULT_EGRESS_TIMEOUT_MS;
  const dispatcher = createGuardedDispatcher({ allowlist: policy.ssrfAllowlist, lookup: policy.resolve, timeoutMs: defaultTimeoutMs });

  async function send(url: string, init: EgressRequest): Promise<EgressResponse> {
    const timeoutMs = init.timeoutMs ?? defaultTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      assertUrlAllowedAtSend(url, policy.ssrfAllowlist);
      const response = await guardedRequest(url, { method: init.method, headers: init.headers, body: init.body, dispatcher, signal });
      const { text, truncated } = await readBounded(response.body, init.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      let json: unknown;
      try {
        json = text && !truncated ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, headers: response.headers, text, json, truncated };
    } catch (err) {
      throw toEgressError(err, signal.aborted, timeoutMs);
    }
  }

  async function download(url: string, init: { headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<EgressDownload> {
    const timeoutMs = init.timeoutMs ?? defaultTimeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      assertUrlAllowedAtSend(url, policy.ssrfAllowlist);
      const response = await guardedRequest(url, { method: "GET", headers: init.headers, dispatcher, signal });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (err) {
      throw toEgressError(err, signal.aborted, timeoutMs);
    }
  }

  const jsonHeaders = (headers: Record<string, string> = {}) => ({ accept: "application/json", ...headers });
  return {
    request: send,
    download,
    postJson: (url, body, init = {}) => send(url, { ...init, method: "POST", body, headers: { "content-type": "application/json", ...jsonHeaders(init.headers) } }),
    getJson: (url, init = {}) => send(url, { ...init, method: "GET", headers: jsonHeaders(init.headers) }),
    smtpTransport: (url, smtpOptions) => createGuardedSmtpTransport(url, policy, smtpOptions),
    close: () => dispatcher.close(),
  };
}
