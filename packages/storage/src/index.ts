export {
  assertValidKey,
  blobKey,
  MeteredStream,
  normalizeContentType,
  type BlobHead,
  type BlobStorage,
  type BlobStream,
  type PutOptions,
  type StoredBlob,
} from "./blob-storage";
export { LocalDiskStorage } from "./local";
export { S3Storage, type S3StorageConfig } from "./s3";
export { storageFromEnv, type StorageEnv } from "./env";
