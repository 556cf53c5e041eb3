import { verifySha256Header } from "../util/crypto";

/** Header Meta signs every webhook POST with. */
export const META_SIGNATURE_HEADER = "x-hub-signature-256";

/**
 * Verifies Meta's `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>` on the RAW
 * request bytes (never re-serialised JSON), timing-safe. Returns false (never throws) for a missing,
 * repeated or malformed header, a `sha1=` header, uppercase / odd-length / truncated hex, or an empty
 * app secret.
 */
export function verifyMetaSignature(rawBody: Buffer | Uint8Array, header: string | string[] | null | undefined, appSecret: string | null | undefined): boolean {
  return verifySha256Header(rawBody, header, appSecret);
}

export interface HubChallenge {
  mode: "subscribe";
  verifyToken: string;
  challenge: string;
}

type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

function param(params: SearchParamsLike, name: string): string | null {
  if (params instanceof URLSearchParams) {
    const all = params.getAll(name);
    return all.length === 1 ? (all[0] ?? null) : null;
  }
  const v = params[name];
  return typeof v === "string" ? v : null;
}

/**
 * Reads Meta's verification handshake `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`.
 * Null when a parameter is missing, repeated or empty, when the mode is not `subscribe`, or when the
 * challenge is not 1-256 URL-safe characters `[A-Za-z0-9._~-]` (Meta sends a number; the route
 * echoes it as `text/plain`, and nothing markup-like is ever reflected). The route answers 200 with `challenge` when a channel
 * of that type has that verify token (compare with `timingSafeStringEqual`), else 403.
 */
export function parseHubChallenge(searchParams: SearchParamsLike): HubChallenge | null {
  const mode = param(searchParams, "hub.mode");
  const verifyToken = param(searchParams, "hub.verify_token");
  const challenge = param(searchParams, "hub.challenge");
  if (mode !== "subscribe" || !verifyToken || !challenge) return null;
  if (!/^[A-Za-z0-9._~-]{1,256}$/.test(challenge)) return null;
  return { mode, verifyToken, challenge };
}
