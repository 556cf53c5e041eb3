import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { assertValidKey, MeteredStream, normalizeContentType, type BlobHead, type BlobStorage, type BlobStream, type PutOptions, type StoredBlob } from "./blob-storage";

export interface S3StorageConfig {
  /** Any S3 API: AWS, MinIO, R2, ... e.g. `https://s3.eu-west-1.amazonaws.com`. Unset: AWS for the region. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO and most self-hosted servers). */
  forcePathStyle: boolean;
  /** Key prefix inside the bucket, e.g. `alfred/`. */
  prefix?: string;
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404;
};

/**
 * Blobs in an S3-compatible bucket (requests signed with Signature V4 by the AWS SDK). A put first
 * spools the body to a temporary file, metering and hashing it, so an over-limit body is refused
 * before anything is sent and the upload has a known length (S3 needs one for a single PUT).
 */
export class S3Storage implements BlobStorage {
  readonly driver = "s3" as const;
  private readonly client: S3Client;

  constructor(private readonly config: S3StorageConfig) {
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      maxAttempts: 3,
      // Plain PUTs with a Content-Length: the SDK's default aws-chunked checksum trailers are not
      // understood by many S3-compatible servers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return `${this.config.prefix ?? ""}${key}`;
  }

  async put(key: string, body: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredBlob> {
    const objectKey = this.objectKey(key);
    const contentType = normalizeContentType(options.contentType);
    const dir = await mkdtemp(path.join(tmpdir(), "alfred-s3-"));
    const spool = path.join(dir, randomBytes(6).toString("hex"));
    try {
      const meter = new MeteredStream(options.maxBytes);
      await pipeline(body instanceof Readable ? body : Readable.from(body), meter, createWriteStream(spool));
      await this.client.send(
        new PutObjectCommand({ Bucket: this.config.bucket, Key: objectKey, Body: createReadStream(spool), ContentLength: meter.size, ContentType: contentType }),
      );
      return { key, size: meter.size, contentType, sha256: meter.digest() };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      return { size: out.ContentLength ?? 0, contentType: normalizeContentType(out.ContentType) };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async get(key: string): Promise<BlobStream | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
      return { size: out.ContentLength ?? 0, contentType: normalizeContentType(out.ContentType), body: out.Body as Readable };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
  }
}
