import { randomBytes } from "node:crypto";
import { AppError } from "@alfred/core";
import { isStandardWebhooksSecret } from "./signing";

/** 32 random bytes: above the 24-byte floor of the Standard Webhooks spec, the size Svix issues. */
const GENERATED_SECRET_BYTES = 32;
const MIN_USER_SECRET_CHARS = 24;
/** A bound so a secret cannot be used to store arbitrary data; far above any real HMAC key. */
const MAX_USER_SECRET_CHARS = 512;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * A new destination secret in the Standard Webhooks format, `whsec_<base64 of 32 random bytes>`,
 * so off-the-shelf verifiers accept it as is.
 */
export function generateDestinationSecret(): string {
  return `whsec_${randomBytes(GENERATED_SECRET_BYTES).toString("base64")}`;
}

function invalid(message: string): AppError {
  return new AppError("validation_error", message, { path: "secret" });
}

/**
 * Checks a secret supplied by the user and returns it unchanged. Rules: at least 24 characters
 * (so it carries enough entropy to be worth signing with), no leading/trailing whitespace or
 * control characters (a copy-paste accident that would make every signature mismatch), and a
 * `whsec_` secret must be real Standard Webhooks base64, because receivers' libraries decode it.
 */
export function validateUserSecret(secret: unknown): string {
  if (typeof secret !== "string") throw invalid("Secret must be a string");
  const length = [...secret].length;
  if (length < MIN_USER_SECRET_CHARS) {
    throw invalid(`Secret must be at least ${MIN_USER_SECRET_CHARS} characters long`);
  }
  if (length > MAX_USER_SECRET_CHARS) {
    throw invalid(`Secret must be at most ${MAX_USER_SECRET_CHARS} characters long`);
  }
  if (secret.trim() !== secret) throw invalid("Secret must not start or end with whitespace");
  if (CONTROL_CHARS.test(secret)) throw invalid("Secret must not contain control characters");
  if (secret.startsWith("whsec_") && !isStandardWebhooksSecret(secret)) {
    throw invalid("A secret starting with whsec_ must continue with base64 (Standard Webhooks format)");
  }
  return secret;
}
