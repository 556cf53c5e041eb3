import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Encrypts secrets at rest. The env key ring is the default; a KMS or Vault implementation only has
 * to provide these two methods (envelopes carry the key id, so old ciphertexts stay readable).
 */
export interface SecretKeyProvider {
  /** Returns `v1:<kid>:<iv b64url>:<tag b64url>:<ciphertext b64url>`. */
  encrypt(plaintext: string): string;
  decrypt(envelope: string): string;
  /** The key id new envelopes are written with. */
  readonly currentKeyId: string;
  /** Key id an envelope was written with, to find envelopes that need re-encryption. */
  keyIdOf(envelope: string): string;
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;

export class KeyRingError extends Error {
  override name = "KeyRingError";
}

/** Parses `kid:base64key,kid2:base64key2` (first one encrypts). Each key must decode to 32 bytes. */
export function parseKeyRing(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const sep = part.indexOf(":");
    if (sep < 1) throw new KeyRingError(`key ring entry must be "kid:base64key" (got an entry without a kid)`);
    const kid = part.slice(0, sep);
    if (!KID.test(kid)) throw new KeyRingError(`key ring kid "${kid}" must be 1-32 letters, digits, _ or -`);
    const key = Buffer.from(part.slice(sep + 1), "base64");
    if (key.length !== 32) throw new KeyRingError(`key "${kid}" must be 32 bytes of base64 (got ${key.length} bytes)`);
    if (keys.has(kid)) throw new KeyRingError(`key ring kid "${kid}" appears twice`);
    keys.set(kid, key);
  }
  if (keys.size === 0) throw new KeyRingError("key ring is empty");
  return keys;
}

export class EnvKeyRing implements SecretKeyProvider {
  private readonly keys: Map<string, Buffer>;
  readonly currentKeyId: string;

  constructor(spec: string) {
    this.keys = parseKeyRing(spec);
    this.currentKeyId = this.keys.keys().next().value as string;
  }

  encrypt(plaintext: string): string {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    // The kid is authenticated too, so an envelope cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(this.currentKeyId));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ["v1", this.currentKeyId, iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(":");
  }

  decrypt(envelope: string): string {
    const [version, kid, iv, tag, ciphertext] = envelope.split(":");
    if (version !== "v1" || !kid || !iv || !tag || ciphertext === undefined) throw new KeyRingError("not a v1 secret envelope");
    const key = this.keys.get(kid);
    if (!key) throw new KeyRingError(`secret was encrypted with key "${kid}", which is not in the key ring`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  }

  keyIdOf(envelope: string): string {
    return envelope.split(":")[1] ?? "";
  }
}

/** A fresh ring entry, for dev start-up and tests: `kid:base64(32 random bytes)`. */
export function generateKeyRingEntry(kid = `k${Date.now().toString(36)}`): string {
  return `${kid}:${randomBytes(32).toString("base64")}`;
}

/** `whsec_abcd…wxyz`: enough to recognise a secret, never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 12) return "•".repeat(8);
  const prefixEnd = secret.startsWith("whsec_") ? 10 : 4;
  return `${secret.slice(0, prefixEnd)}…${secret.slice(-4)}`;
}
