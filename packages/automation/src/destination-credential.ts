import { randomBytes } from "node:crypto";
import { AppError } from "@alfred/core";

/**
 * A destination's optional static credential, sent with every delivery next to the signatures, for
 * receivers that can only compare a fixed value: Activepieces' Catch Webhook releases without an HMAC
 * mode offer Basic Auth and Header Auth only. It authenticates Alfred to the receiver; it does not
 * protect the body (the signatures do). The password / header value is a secret like the signing
 * secret: encrypted at rest, shown once, masked everywhere else (attempt log included).
 */

export type CredentialInput = { kind: "basic"; username: string; password?: string } | { kind: "header"; header_name: string; value?: string };

/** What is stored: the name in the clear (a username or a header name), the secret encrypted. */
export interface StoredCredential {
  kind: "basic" | "header";
  /** The username (basic) or the header name (header). */
  name: string;
  secret: string;
}

export type PublicCredential = { kind: "basic"; username: string; password_masked: string } | { kind: "header"; header_name: string; value_masked: string };

const GENERATED_BYTES = 32;
const MAX_SECRET_CHARS = 1024;
const MAX_USERNAME_CHARS = 200;
const MAX_HEADER_NAME_CHARS = 100;
/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII and spaces: a value every HTTP stack sends unchanged (no CR/LF, no controls, no UTF-8 games). */
const HEADER_VALUE = /^[\x20-\x7e]+$/;
/**
 * Headers a credential may not take over: the ones Alfred signs or describes a delivery with, and the
 * ones that frame the HTTP message itself.
 */
const RESERVED_HEADER = /^(x-alfred-.*|webhook-.*|x-correlation-id|user-agent|content-.*|host|connection|keep-alive|transfer-encoding|te|trailer|upgrade|expect|proxy-.*|cookie)$/i;

/** A fresh random value: base64url, so it is valid in a header and in Basic credentials as is. */
export function generateCredentialSecret(): string {
  return randomBytes(GENERATED_BYTES).toString("base64url");
}

function invalid(message: string, path: string): AppError {
  return new AppError("validation_error", message, { path });
}

function checkedSecret(value: string, path: string): string {
  if (value.length > MAX_SECRET_CHARS) throw invalid(`must be at most ${MAX_SECRET_CHARS} characters`, path);
  if (!HEADER_VALUE.test(value)) throw invalid("must be printable ASCII without line breaks or control characters", path);
  if (value.trim() !== value) throw invalid("must not start or end with whitespace", path);
  return value;
}

/**
 * Checks a credential and fills in a generated secret when none is given. `path` prefixes the
 * error paths (`credential.header_name` on create, `header_name` on the credential route).
 */
export function prepareCredential(input: CredentialInput, path = ""): StoredCredential {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (input.kind === "basic") {
    const username = input.username;
    if (username.length === 0 || username.length > MAX_USERNAME_CHARS) throw invalid(`must be 1 to ${MAX_USERNAME_CHARS} characters`, at("username"));
    // RFC 7617: the user-id of Basic credentials cannot contain a colon.
    if (username.includes(":")) throw invalid("must not contain a colon (Basic authentication splits on it)", at("username"));
    checkedSecret(username, at("username"));
    const secret = input.password === undefined ? generateCredentialSecret() : checkedSecret(input.password, at("password"));
    if (secret.length === 0) throw invalid("must not be empty", at("password"));
    return { kind: "basic", name: username, secret };
  }
  const name = input.header_name;
  if (name.length === 0 || name.length > MAX_HEADER_NAME_CHARS || !HEADER_NAME.test(name)) {
    throw invalid(`must be a header name: 1 to ${MAX_HEADER_NAME_CHARS} letters, digits or !#$%&'*+-.^_\`|~`, at("header_name"));
  }
  if (RESERVED_HEADER.test(name)) throw invalid(`${name} is set by Alfred or by HTTP itself; choose another header name`, at("header_name"));
  const secret = input.value === undefined ? generateCredentialSecret() : checkedSecret(input.value, at("value"));
  if (secret.length === 0) throw invalid("must not be empty", at("value"));
  return { kind: "header", name, secret };
}

/** Enough to recognise which value is configured, never enough to guess it. */
export function maskCredentialSecret(secret: string): string {
  return secret.length >= 20 ? `••••${secret.slice(-4)}` : "••••";
}

export function publicCredential(kind: "basic" | "header", name: string, masked: string): PublicCredential {
  return kind === "basic" ? { kind, username: name, password_masked: masked } : { kind, header_name: name, value_masked: masked };
}

/** The header a delivery carries for the credential, exactly as sent. */
export function credentialHeader(credential: StoredCredential): [string, string] {
  if (credential.kind === "basic") return ["Authorization", `Basic ${Buffer.from(`${credential.name}:${credential.secret}`, "utf8").toString("base64")}`];
  return [credential.name, credential.secret];
}

/** The value the attempt log keeps instead of the credential: it shows the header was sent, not what it was. */
export const MASKED_HEADER_VALUE = "[masked]";

export function maskedCredentialHeader(credential: Pick<StoredCredential, "kind" | "name">): [string, string] {
  return credential.kind === "basic" ? ["Authorization", `Basic ${MASKED_HEADER_VALUE}`] : [credential.name, MASKED_HEADER_VALUE];
}
