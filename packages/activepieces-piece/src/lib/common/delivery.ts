import type { EventEnvelope } from "@alfred/automation/catalog";
import { checkTimestamp, verifyAlfredSignature, type RawBody } from "@alfred/automation/signing";

/** What Activepieces hands a webhook trigger: parsed body, headers and (since ~0.5x) the raw body. */
export interface WebhookPayload {
  body: unknown;
  rawBody?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Alfred's own default replay window for callbacks; deliveries are held to the same. */
export const DELIVERY_MAX_AGE_SECONDS = 300;

export interface DeliveryExpectation {
  secret: string;
  tenantId: string;
  eventType: string;
  nowSeconds: number;
}

export type DeliveryVerdict = { ok: true; envelope: EventEnvelope } | { ok: false; reason: string };

/**
 * The bytes Alfred signed. Activepieces passes them as `rawBody` (a UTF-8 string from its
 * raw-body plugin, or a Buffer, which a job queue may have turned into `{ type: "Buffer", data }`).
 * Releases that pass no raw body hand over the parsed JSON only; Alfred's body is
 * `JSON.stringify` output, which `JSON.parse` then `JSON.stringify` reproduces byte for byte.
 */
export function signedBytes(payload: WebhookPayload): RawBody | null {
  const raw = payload.rawBody;
  if (typeof raw === "string") return raw;
  if (raw instanceof Uint8Array) return raw;
  if (isSerializedBuffer(raw)) return Uint8Array.from(raw.data);
  if (raw !== undefined && raw !== null) return null;
  if (typeof payload.body === "string") return payload.body;
  if (typeof payload.body === "object" && payload.body !== null) return JSON.stringify(payload.body);
  return null;
}

function isSerializedBuffer(value: unknown): value is { type: "Buffer"; data: number[] } {
  const candidate = value as { type?: unknown; data?: unknown } | null;
  return typeof candidate === "object" && candidate !== null && candidate.type === "Buffer" && Array.isArray(candidate.data);
}

function header(headers: WebhookPayload["headers"], name: string): string | null {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name) continue;
    return typeof value === "string" ? value : null;
  }
  return null;
}

/**
 * Accepts a delivery only when `X-Alfred-Signature` verifies with the trigger's secret over
 * timestamp, event id, tenant id and the signed bytes, the timestamp is fresh, and the body is an
 * envelope of this tenant and event type whose id is the signed one. The envelope is parsed from
 * the verified bytes, so what the flow gets is exactly what was signed.
 */
export function verifyDelivery(payload: WebhookPayload, expected: DeliveryExpectation): DeliveryVerdict {
  const signature = header(payload.headers, "x-alfred-signature");
  const timestamp = header(payload.headers, "x-alfred-timestamp");
  const eventId = header(payload.headers, "x-alfred-event-id");
  const tenantId = header(payload.headers, "x-alfred-tenant-id");
  if (!signature || !timestamp || !eventId || !tenantId) return { ok: false, reason: "unsigned: an X-Alfred-* header is missing" };
  const rawBody = signedBytes(payload);
  if (rawBody === null) return { ok: false, reason: "no body to verify" };
  if (!verifyAlfredSignature({ header: signature, secrets: [expected.secret], timestamp, eventId, tenantId, rawBody })) {
    return { ok: false, reason: "X-Alfred-Signature does not verify" };
  }
  const age = checkTimestamp(timestamp, expected.nowSeconds, DELIVERY_MAX_AGE_SECONDS);
  if (age !== "ok") return { ok: false, reason: `X-Alfred-Timestamp is ${age}` };

  let envelope: EventEnvelope;
  try {
    envelope = JSON.parse(typeof rawBody === "string" ? rawBody : Buffer.from(rawBody).toString("utf8")) as EventEnvelope;
  } catch {
    return { ok: false, reason: "the body is not JSON" };
  }
  if (envelope?.event_id !== eventId || envelope.tenant_id !== tenantId) return { ok: false, reason: "the body's event or tenant differs from the signed headers" };
  if (tenantId !== expected.tenantId) return { ok: false, reason: "the delivery is for another Alfred workspace" };
  if (envelope.type !== expected.eventType) return { ok: false, reason: `a ${String(envelope.type)} event, not ${expected.eventType}` };
  return { ok: true, envelope };
}
