import { createHmac, timingSafeEqual } from "node:crypto";

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Lowercase hex HMAC-SHA256. */
export function hmacSha256Hex(key: string | Buffer, data: string | Buffer): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

/**
 * Timing-safe comparison of a presented signature with the expected HMAC-SHA256 of `data`.
 * The presented value must be exactly 64 lowercase hex digits (the form Meta, Mailgun and Alfred
 * emit); anything else (uppercase, odd length, non-hex, truncated) is rejected before comparing, so
 * `Buffer.from(x, "hex")`'s silent truncation can never make a partial signature match.
 * An empty key never verifies (a missing secret is a configuration error, not "no signature needed").
 */
export function verifyHmacSha256Hex(key: string | Buffer, data: string | Buffer, presentedHex: unknown): boolean {
  if (typeof presentedHex !== "string" || !HEX_SHA256.test(presentedHex)) return false;
  if (key.length === 0) return false;
  const expected = createHmac("sha256", key).update(data).digest();
  const presented = Buffer.from(presentedHex, "hex");
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * Verifies a `sha256=<hex>` header (Meta's X-Hub-Signature-256, Alfred's X-Alfred-Signature) over the
 * raw body bytes. Never throws: a missing, repeated (array) or malformed header is simply `false`.
 */
export function verifySha256Header(rawBody: Buffer | Uint8Array | string, header: unknown, secret: string | Buffer | null | undefined): boolean {
  if (typeof header !== "string" || !header.startsWith("sha256=")) return false;
  if (secret === null || secret === undefined) return false;
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  return verifyHmacSha256Hex(secret, body, header.slice("sha256=".length));
}

/** Builds a `sha256=<hex>` header value for `rawBody`. */
export function signSha256Header(rawBody: Buffer | string, secret: string | Buffer): string {
  return `sha256=${hmacSha256Hex(secret, rawBody)}`;
}

/** Constant-time string equality (for verify tokens and similar shared secrets); compares keyed digests so lengths leak nothing. */
export function timingSafeStringEqual(a: string, b: string): boolean {
  const ha = createHmac("sha256", "alfred-compare").update(a).digest();
  const hb = createHmac("sha256", "alfred-compare").update(b).digest();
  return timingSafeEqual(ha, hb);
}
