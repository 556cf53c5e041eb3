import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertValidKey, MeteredStream, normalizeContentType, type BlobHead, type BlobStorage, type BlobStream, type PutOptions, type StoredBlob } from "./blob-storage";

/**
 * Blobs as files under one folder: `<root>/<key>` holds the bytes and `<root>/<key>.meta.json` the
 * content type. A put writes a temporary file and renames it into place, so a reader never sees a
 * half-written blob and a failed put leaves nothing.
 */
export class LocalDiskStorage implements BlobStorage {
  readonly driver = "local" as const;

  constructor(private readonly root: string) {
    if (!path.isAbsolute(root)) throw new Error(`STORAGE_DIR must be an absolute path, got "${root}"`);
  }

  private file(key: string): string {
    assertValidKey(key);
    return path.join(this.root, ...key.split("/"));
  }

  async put(key: string, body: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredBlob> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString("hex")}.partial`;
    const meter = new MeteredStream(options.maxBytes);
    const contentType = normalizeContentType(options.contentType);
    try {
      await pipeline(body instanceof Readable ? body : Readable.from(body), meter, createWriteStream(temp, { flags: "wx" }));
      await writeFile(`${file}.meta.json`, JSON.stringify({ contentType }));
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return { key, size: meter.size, contentType, sha256: meter.digest() };
  }

  async head(key: string): Promise<BlobHead | null> {
    const file = this.file(key);
    try {
      const [info, meta] = await Promise.all([stat(file), readFile(`${file}.meta.json`, "utf8")]);
      return { size: info.size, contentType: normalizeContentType((JSON.parse(meta) as { contentType?: string }).contentType) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async get(key: string): Promise<BlobStream | null> {
    const head = await this.head(key);
    return head ? { ...head, body: createReadStream(this.file(key)) } : null;
  }

  async delete(key: string): Promise<void> {
    const file = this.file(key);
    await rm(file, { force: true });
    await rm(`${file}.meta.json`, { force: true });
  }
}
