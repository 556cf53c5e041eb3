import { correlationIdFrom } from "@alfred/core";
import { assertUrlAllowedAtSend, createGuardedDispatcher, guardedRequest as request, SsrfBlockedError, type GuardedDispatcher as Dispatcher } from "@alfred/egress";
import { buildEnvelope, isCatalogEventType } from "../events/catalog";
import type { AutomationSettings } from "../settings";
import { buildDeliveryHeaders } from "../signing";
import { credentialHeader, maskedCredentialHeader } from "../destination-credential";
import type { SigningSecrets } from "../destinations";
import type { ClaimedDelivery } from "./claim";

/**
 * The send stage: one signed POST through the SSRF-guarded dispatcher (the address checked is the
 * address connected to; redirects are never followed), bounded by AUTOMATION_DELIVERY_TIMEOUT_MS,
 * 4 KiB of the answer kept. It never throws: every outcome becomes an AttemptResult.
 */

/** Version in `User-Agent: Alfred-Webhooks/<version>`: the webhook format, not the app build. */
export const WEBHOOK_FORMAT_VERSION = "1.0";
export const RESPONSE_SNIPPET_BYTES = 4096;
const ERROR_MESSAGE_MAX = 1000;

export type AttemptErrorClass = "timeout" | "connection" | "ssrf_blocked" | "redirect" | "http_status" | "invalid_event";

export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  errorClass: AttemptErrorClass | null;
  errorMessage: string | null;
  responseSnippet: string | null;
  retryAfter: string | null;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
// Postgres text cannot hold NUL; a hostile or binary response must still be recordable.
// eslint-disable-next-line no-control-regex -- stripping NUL is the point.
const storable = (text: string) => text.replace(/\u0000/g, "");

/** Reads at most `limit` bytes of a body, then drops the rest of the stream. */
async function readSnippet(body: Dispatcher.ResponseData["body"], limit = RESPONSE_SNIPPET_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) break;
  }
  if (size >= limit) body.destroy();
  return storable(new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks).subarray(0, limit)));
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** Maps what undici, the abort signal and the SSRF guard throw to an attempt's error class. */
export function classifySendError(err: unknown): { errorClass: AttemptErrorClass; message: string } {
  const chain = causes(err);
  const ssrf = chain.find((e) => e instanceof SsrfBlockedError) as SsrfBlockedError | undefined;
  if (ssrf) return { errorClass: "ssrf_blocked", message: ssrf.message };
  const timeout = chain.find((e) => {
    const { name, code } = (e ?? {}) as { name?: string; code?: string };
    return name === "TimeoutError" || name === "AbortError" || (typeof code === "string" && /TIMEOUT/.test(code));
  });
  if (timeout) return { errorClass: "timeout", message: "no complete response within the delivery timeout" };
  const coded = chain.find((e) => typeof (e as { code?: unknown })?.code === "string") as { code: string; message?: string } | undefined;
  const message = coded ? `${coded.code}: ${coded.message ?? ""}` : err instanceof Error ? err.message : String(err);
  return { errorClass: "connection", message: message.trim() };
}

/** One POST, never throwing: every outcome becomes an AttemptResult. */
export async function sendAttempt(input: {
  url: string;
  headers: Record<string, string>;
  body: string;
  dispatcher: Dispatcher;
  settings: Pick<AutomationSettings, "deliveryTimeoutMs" | "ssrfAllowlist">;
}): Promise<AttemptResult> {
  const startedAt = new Date();
  const began = performance.now();
  const finish = (rest: Omit<AttemptResult, "startedAt" | "durationMs">): AttemptResult => ({
    startedAt,
    durationMs: Math.max(0, Math.round(performance.now() - began)),
    ...rest,
    errorMessage: rest.errorMessage === null ? null : clip(storable(rest.errorMessage), ERROR_MESSAGE_MAX),
  });
  try {
    // IP-literal hosts never reach the dispatcher's lookup; check them (and the scheme) up front.
    assertUrlAllowedAtSend(input.url, input.settings.ssrfAllowlist);
    const signal = AbortSignal.timeout(input.settings.deliveryTimeoutMs);
    const response = await request(input.url, { method: "POST", headers: input.headers, body: input.body, dispatcher: input.dispatcher, signal });
    const snippet = await readSnippet(response.body);
    const statusCode = response.statusCode;
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    };
    if (statusCode >= 200 && statusCode < 300) {
      return finish({ statusCode, errorClass: null, errorMessage: null, responseSnippet: snippet, retryAfter: null });
    }
    if (statusCode >= 300 && statusCode < 400) {
      const location = header("location");
      return finish({
        statusCode,
        errorClass: "redirect",
        errorMessage: `HTTP ${statusCode}: redirects are not followed${location ? ` (Location: ${clip(location, 300)})` : ""}`,
        responseSnippet: snippet,
        retryAfter: null,
      });
    }
    return finish({ statusCode, errorClass: "http_status", errorMessage: `HTTP ${statusCode}`, responseSnippet: snippet, retryAfter: header("retry-after") });
  } catch (err) {
    const { errorClass, message } = classifySendError(err);
    return finish({ statusCode: null, errorClass, errorMessage: message, responseSnippet: null, retryAfter: null });
  }
}


/** Builds the guarded dispatcher deliveries are sent with (shared, so connections are reused). */
export function createDeliveryDispatcher(settings: AutomationSettings): Dispatcher {
  return createGuardedDispatcher({ allowlist: settings.ssrfAllowlist, lookup: settings.resolve, timeoutMs: settings.deliveryTimeoutMs });
}

/** The envelope and signed headers of one attempt. */
export interface SignedRequest {
  body: string;
  /** Exactly as they go out: signatures and, if the destination has one, its static credential. */
  headers: Record<string, string>;
  /** What the attempt log keeps: the same, with the static credential's value masked. */
  recordedHeaders: Record<string, string>;
}

/**
 * Signs one attempt. `bodies` caches the envelope per event, since a fan-out sends the same event to
 * many destinations. Throws only for a stored event that no longer matches its schema or a secret
 * the key ring cannot decrypt: retrying will not help (`invalid_event`).
 */
export function signDelivery(claimed: ClaimedDelivery, secrets: SigningSecrets, bodies: Map<string, string>, now = Date.now()): SignedRequest {
  const { event } = claimed;
  let body = bodies.get(event.id);
  if (body === undefined) {
    if (!isCatalogEventType(event.type)) throw new Error(`event type "${event.type}" is not in the catalog`);
    body = JSON.stringify(buildEnvelope({ type: event.type, tenantId: event.tenantId, payload: event.payload as never, eventId: event.id, occurredAt: event.occurredAt }));
    bodies.set(event.id, body);
  }
  const headers = buildDeliveryHeaders({
    secrets: secrets.all,
    bodySecret: secrets.body,
    eventId: event.id,
    tenantId: event.tenantId,
    destinationId: claimed.destination.id,
    timestamp: Math.floor(now / 1000),
    rawBody: body,
    correlationId: correlationIdFrom(claimed.correlationId),
    version: WEBHOOK_FORMAT_VERSION,
  });
  if (!secrets.credential) return { body, headers, recordedHeaders: headers };
  const [name, value] = credentialHeader(secrets.credential);
  const [, masked] = maskedCredentialHeader(secrets.credential);
  return { body, headers: { ...headers, [name]: value }, recordedHeaders: { ...headers, [name]: masked } };
}

/** An attempt that could not even be built (see `signDelivery`). */
export function invalidEventResult(err: unknown): AttemptResult {
  const message = err instanceof Error ? err.message : String(err);
  return { startedAt: new Date(), durationMs: 0, statusCode: null, errorClass: "invalid_event", errorMessage: clip(message, ERROR_MESSAGE_MAX), responseSnippet: null, retryAfter: null };
}
