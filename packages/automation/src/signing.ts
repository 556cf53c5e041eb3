import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signing, shared by outbound deliveries (Alfred -> receiver) and inbound callbacks
 * (Activepieces -> Alfred): one scheme, one implementation, so the two can never drift apart.
 *
 * Three signatures go out with every delivery:
 * - `X-Alfred-Signature`: `sha256=<hex HMAC-SHA256("{timestamp}.{event_id}.{tenant_id}.{raw_body}")>`,
 *   one value per valid secret (comma-separated during a rotation). Binding the timestamp, event id
 *   and tenant id into the MAC stops replays across events and tenants, not only body tampering.
 * - `X-Alfred-Body-Signature`: `sha256=<hex HMAC-SHA256(raw_body)>` with ONE secret, the shape
 *   Activepieces' Catch Webhook "HMAC" authentication verifies without code. That check knows one
 *   secret, so during a rotation this header keeps the previous secret until the overlap ends or an
 *   admin confirms the receiver was updated (`signingSecrets` in destinations.ts decides).
 * - Standard Webhooks `webhook-signature`: `v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`,
 *   space-separated per secret, verifiable by the `standardwebhooks` libraries.
 *
 * The `X-Alfred-*` HMACs are keyed by the secret string exactly as shown to the user (its UTF-8
 * bytes, `whsec_` prefix included), so a receiver can paste it into any HMAC tool.
 */

export type RawBody = string | Uint8Array;

const ALFRED_SIGNATURE_PREFIX = "sha256=";
const STANDARD_WEBHOOKS_PREFIX = "whsec_";
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** More values than this in one header is not a rotation, it is an attempt to make us work. */
const MAX_SIGNATURES_PER_HEADER = 16;

function hmac(key: string | Uint8Array, ...parts: RawBody[]) {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** The text the `X-Alfred-Signature` HMAC covers, minus the body (streamed after it). */
function alfredSignedPrefix(timestamp: number | string, eventId: string, tenantId: string): string {
  return `${timestamp}.${eventId}.${tenantId}.`;
}

/**
 * Lowercase hex HMAC-SHA256 of `"{timestamp}.{event_id}.{tenant_id}.{raw_body}"`, keyed by the
 * UTF-8 bytes of the secret as shown to the user. `timestamp` is signed exactly as it appears in
 * the `X-Alfred-Timestamp` header, so verifiers must pass the header text, not a re-formatted number.
 */
export function alfredSignature(
  secret: string,
  timestamp: number | string,
  eventId: string,
  tenantId: string,
  rawBody: RawBody,
): string {
  return hmac(secret, alfredSignedPrefix(timestamp, eventId, tenantId), rawBody).toString("hex");
}

/** Lowercase hex HMAC-SHA256 of the raw body alone (the `X-Alfred-Body-Signature` value). */
export function bodySignature(secret: string, rawBody: RawBody): string {
  return hmac(secret, rawBody).toString("hex");
}

/**
 * The HMAC key Standard Webhooks libraries derive from a secret: for `whsec_<base64>` it is the
 * base64-decoded part after the prefix. Any other secret (a user-supplied one without the prefix,
 * or a `whsec_` one whose remainder is not strict base64) is keyed by its raw UTF-8 bytes; a
 * receiver verifies those with `new Webhook(Buffer.from(secret, "utf8"), { format: "raw" })`.
 */
export function standardWebhooksKey(secret: string): Buffer {
  return isStandardWebhooksSecret(secret)
    ? Buffer.from(secret.slice(STANDARD_WEBHOOKS_PREFIX.length), "base64")
    : Buffer.from(secret, "utf8");
}

/** `whsec_` followed by non-empty strict (padded, standard alphabet) base64. */
export function isStandardWebhooksSecret(secret: string): boolean {
  if (!secret.startsWith(STANDARD_WEBHOOKS_PREFIX)) return false;
  const encoded = secret.slice(STANDARD_WEBHOOKS_PREFIX.length);
  return encoded.length > 0 && STRICT_BASE64.test(encoded);
}

/** Base64 HMAC-SHA256 of `"{id}.{timestamp}.{body}"` per the Standard Webhooks spec (no `v1,`). */
export function standardWebhooksSignature(secret: string, id: string, timestamp: number | string, rawBody: RawBody): string {
  return hmac(standardWebhooksKey(secret), `${id}.${timestamp}.`, rawBody).toString("base64");
}

export interface DeliveryHeaderInput {
  /** Every secret that is valid right now: the current one first, then the previous during rotation. */
  secrets: readonly string[];
  /** The secret of `X-Alfred-Body-Signature`; the current one (`secrets[0]`) when omitted. */
  bodySecret?: string;
  eventId: string;
  tenantId: string;
  /**
   * The destination the delivery goes to: not secret, sent so a flow can put it in its callbacks'
   * `X-Alfred-Destination-Id` instead of having it hard-coded.
   */
  destinationId: string;
  /** Unix seconds. */
  timestamp: number;
  rawBody: RawBody;
  correlationId: string;
  /** Alfred's version, for `User-Agent: Alfred-Webhooks/<version>`. */
  version: string;
}

export type DeliveryHeaders = Record<string, string>;

/** Headers of one signed delivery attempt. Secrets never appear in them, only MACs. */
export function buildDeliveryHeaders(input: DeliveryHeaderInput): DeliveryHeaders {
  const { secrets, eventId, tenantId, destinationId, timestamp, rawBody, correlationId, version } = input;
  const current = secrets[0];
  if (current === undefined) throw new Error("buildDeliveryHeaders: at least one secret is required");
  const bodySecret = input.bodySecret ?? current;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new Error("buildDeliveryHeaders: timestamp must be whole unix seconds");
  }

  return {
    "Content-Type": "application/json",
    "User-Agent": `Alfred-Webhooks/${version}`,
    "X-Alfred-Event-Id": eventId,
    "X-Alfred-Tenant-Id": tenantId,
    "X-Alfred-Destination-Id": destinationId,
    "X-Alfred-Timestamp": String(timestamp),
    "X-Alfred-Signature": secrets
      .map((s) => ALFRED_SIGNATURE_PREFIX + alfredSignature(s, timestamp, eventId, tenantId, rawBody))
      .join(","),
    "X-Alfred-Body-Signature": ALFRED_SIGNATURE_PREFIX + bodySignature(bodySecret, rawBody),
    "webhook-id": eventId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((s) => `v1,${standardWebhooksSignature(s, eventId, timestamp, rawBody)}`).join(" "),
    "X-Correlation-Id": correlationId,
  };
}

export interface VerifyAlfredSignatureInput {
  /** The `X-Alfred-Signature` header as received (may be missing). */
  header: string | null | undefined;
  /** Every currently valid secret of the destination. */
  secrets: readonly string[];
  /** The `X-Alfred-Timestamp` header text as received (a number is signed as `String(n)`). */
  timestamp: string | number;
  eventId: string;
  tenantId: string;
  rawBody: RawBody;
}

/** The 32-byte MACs a header offers, ignoring anything that is not a well-formed `sha256=` value. */
function offeredMacs(header: string): Buffer[] {
  const macs: Buffer[] = [];
  for (const part of header.split(",").slice(0, MAX_SIGNATURES_PER_HEADER)) {
    const value = part.trim();
    if (!value.startsWith(ALFRED_SIGNATURE_PREFIX)) continue;
    const hex = value.slice(ALFRED_SIGNATURE_PREFIX.length);
    if (HEX_SHA256.test(hex)) macs.push(Buffer.from(hex, "hex"));
  }
  return macs;
}

/**
 * True when any `sha256=` value of the header matches the MAC of any valid secret. Never throws:
 * a malformed or missing header is simply not a valid signature. Comparisons are constant-time
 * (`timingSafeEqual` on equal 32-byte buffers) and every pair is compared, so timing reveals
 * neither which secret nor which header value matched.
 */
export function verifyAlfredSignature(input: VerifyAlfredSignatureInput): boolean {
  const { header, secrets, timestamp, eventId, tenantId, rawBody } = input;
  if (typeof header !== "string" || header.length === 0) return false;
  const offered = offeredMacs(header);
  if (offered.length === 0) return false;

  const prefix = alfredSignedPrefix(timestamp, eventId, tenantId);
  let matched = false;
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length === 0) continue;
    const expected = hmac(secret, prefix, rawBody);
    for (const mac of offered) {
      // Both are 32 bytes by construction (64 hex chars); timingSafeEqual requires equal lengths.
      if (timingSafeEqual(mac, expected)) matched = true;
    }
  }
  return matched;
}

export type TimestampCheck = "ok" | "malformed" | "stale";

/** Whole unix seconds, digits only: no sign, no fraction, no exponent, no whitespace games. */
const UNIX_SECONDS = /^[0-9]{1,12}$/;

/**
 * Replay window check for `X-Alfred-Timestamp`. Symmetric: a timestamp more than `windowSeconds`
 * in the past or in the future is stale (a future one could otherwise be replayed for longer than
 * the window); exactly `windowSeconds` away is still ok.
 */
export function checkTimestamp(
  timestampHeader: string | null | undefined,
  nowSeconds: number,
  windowSeconds: number,
): TimestampCheck {
  if (typeof timestampHeader !== "string" || !UNIX_SECONDS.test(timestampHeader)) return "malformed";
  const timestamp = Number(timestampHeader);
  return Math.abs(nowSeconds - timestamp) <= windowSeconds ? "ok" : "stale";
}
