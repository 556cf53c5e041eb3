import { createHash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import { AppError } from "@alfred/core";

/** What a stored blob is: enough to serve it and to check it was not altered. */
export interface StoredBlob {
  key: string;
  size: number;
  contentType: string;
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
}

export interface BlobHead {
  size: number;
  contentType: string;
}

export interface BlobStream extends BlobHead {
  body: Readable;
}

export interface PutOptions {
  contentType: string;
  /** A body longer than this is refused with `payload_too_large` and nothing is left stored. */
  maxBytes: number;
}

/**
 * Where attachments and media live. Keys are chosen by the caller (see `blobKey`); a put either
 * stores the whole body under its key or leaves nothing; delete is idempotent.
 */
export interface BlobStorage {
  readonly driver: "local" | "s3";
  put(key: string, body: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredBlob>;
  /** Null when there is no blob under the key. */
  get(key: string): Promise<BlobStream | null>;
  head(key: string): Promise<BlobHead | null>;
  delete(key: string): Promise<void>;
}

const KEY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Keys are `/`-separated segments of letters, digits, `.`, `_`, `-` (no `..`, no leading dot). */
export function assertValidKey(key: string): void {
  const segments = key.split("/");
  if (key.length > 512 || segments.length > 8 || !segments.every((s) => KEY_SEGMENT.test(s) && !s.includes(".."))) {
    throw new AppError("bad_request", "invalid storage key");
  }
}

/** A key from segments (each made safe: anything outside the key alphabet becomes `_`). */
export function blobKey(...segments: string[]): string {
  const key = segments.map((s) => s.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._-]+/, "").replace(/\.\.+/g, ".").slice(0, 128) || "_").join("/");
  assertValidKey(key);
  return key;
}

/** A content type as stored: `type/subtype` lowercased, parameters dropped; unknown -> octet-stream. */
export function normalizeContentType(value: string | null | undefined): string {
  const type = (value ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type) ? type : "application/octet-stream";
}

export const tooLarge = (maxBytes: number) => new AppError("payload_too_large", `the file is larger than ${maxBytes} bytes`);

/**
 * Counts and hashes what flows through; fails the stream with `payload_too_large` at the first byte
 * over the limit (so a too-large upload is refused while it streams, not after).
 */
export class MeteredStream extends Transform {
  size = 0;
  private readonly hash = createHash("sha256");

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return callback(tooLarge(this.maxBytes));
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}
