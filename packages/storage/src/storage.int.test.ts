import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalS3, type LocalS3 } from "./testing/s3-server";
import { LocalDiskStorage, S3Storage, storageFromEnv, type BlobStorage } from "./index";

// The same contract for both drivers: local disk, and a real S3-compatible server (s3rver) on
// loopback that checks every request's Signature V4.
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "alfred-storage-test-"));
  dirs.push(dir);
  return dir;
};

let s3: LocalS3;
let endpoint = "";
beforeAll(async () => {
  s3 = await startLocalS3(await tempDir());
  endpoint = s3.endpoint;
});
afterAll(async () => {
  await s3?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const s3Config = (secret = "S3RVER") => ({ endpoint, region: "us-east-1", bucket: "alfred-test", accessKeyId: "S3RVER", secretAccessKey: secret, forcePathStyle: true, prefix: "t/" });

const drivers: Array<[string, () => Promise<BlobStorage>]> = [
  ["local disk", async () => new LocalDiskStorage(await tempDir())],
  ["S3 (s3rver)", async () => new S3Storage(s3Config())],
];

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function chunked(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })());
}

describe.each(drivers)("BlobStorage on %s", (_name, make) => {
  it("puts a stream, then heads, gets and deletes it", async () => {
    const storage = await make();
    const bytes = randomBytes(300_000);
    const stored = await storage.put("tenant-a/mail/one.pdf", chunked(bytes), { contentType: "Application/PDF; name=x", maxBytes: 1_000_000 });
    expect(stored).toEqual({ key: "tenant-a/mail/one.pdf", size: bytes.length, contentType: "application/pdf", sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(await storage.head("tenant-a/mail/one.pdf")).toEqual({ size: bytes.length, contentType: "application/pdf" });
    const got = await storage.get("tenant-a/mail/one.pdf");
    expect(got?.contentType).toBe("application/pdf");
    expect((await readAll(got!.body)).equals(bytes)).toBe(true);
    await storage.delete("tenant-a/mail/one.pdf");
    expect(await storage.head("tenant-a/mail/one.pdf")).toBeNull();
    expect(await storage.get("tenant-a/mail/one.pdf")).toBeNull();
    await storage.delete("tenant-a/mail/one.pdf"); // idempotent
  });

  it("refuses a body over the limit while streaming and leaves nothing", async () => {
    const storage = await make();
    await expect(storage.put("big/file.bin", chunked(randomBytes(200_000)), { contentType: "application/octet-stream", maxBytes: 100_000 })).rejects.toMatchObject({ code: "payload_too_large" });
    expect(await storage.head("big/file.bin")).toBeNull();
  });

  it("refuses keys that could leave the storage root", async () => {
    const storage = await make();
    for (const key of ["../etc/passwd", "a/../../b", "/abs", ".hidden", "a//b", ""]) {
      await expect(storage.put(key, Readable.from([Buffer.from("x")]), { contentType: "text/plain", maxBytes: 10 }), key).rejects.toMatchObject({ code: "bad_request" });
    }
  });
});

describe("S3 driver", () => {
  it("sends requests whose Signature V4 the server checks", async () => {
    const before = s3.refused.length;
    await new S3Storage(s3Config()).put("x/ok.txt", Readable.from([Buffer.from("signed")]), { contentType: "text/plain", maxBytes: 10 });
    expect(s3.refused.length).toBe(before);
  });

  it("signs with Signature V4: a wrong secret is refused by the server", async () => {
    const storage = new S3Storage(s3Config("not-the-secret"));
    await expect(storage.put("x/y.txt", Readable.from([Buffer.from("hello")]), { contentType: "text/plain", maxBytes: 10 })).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
    expect(s3.refused).toContain("signature does not match");
    expect(await new S3Storage(s3Config()).head("x/y.txt")).toBeNull();
  });

  it("is selected by env", async () => {
    const storage = storageFromEnv({ STORAGE_DRIVER: "s3", S3_ENDPOINT: endpoint, S3_BUCKET: "alfred-test", S3_ACCESS_KEY_ID: "S3RVER", S3_SECRET_ACCESS_KEY: "S3RVER", S3_FORCE_PATH_STYLE: "true" });
    expect(storage.driver).toBe("s3");
    await storage.put("env/ok.txt", Readable.from([Buffer.from("hi")]), { contentType: "text/plain", maxBytes: 10 });
    expect(await storage.head("env/ok.txt")).toEqual({ size: 2, contentType: "text/plain" });
  });

  it("names each missing variable", () => {
    expect(() => storageFromEnv({ STORAGE_DRIVER: "s3" })).toThrow(/S3_BUCKET: is required[\s\S]*S3_ACCESS_KEY_ID[\s\S]*S3_SECRET_ACCESS_KEY/);
    expect(() => storageFromEnv({})).toThrow(/STORAGE_DIR: is required/);
  });
});

describe("local driver", () => {
  it("leaves no partial file after a refused put", async () => {
    const dir = await tempDir();
    const storage = new LocalDiskStorage(dir);
    await expect(storage.put("a/b.bin", chunked(randomBytes(50_000)), { contentType: "application/octet-stream", maxBytes: 1000 })).rejects.toThrow();
    expect(await readdir(path.join(dir, "a"))).toEqual([]);
  });
});
