import { randomUUID } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import Busboy from "@fastify/busboy";
import {
  MAX_EMAIL_ATTACHMENT_BYTES,
  MAX_EMAIL_ATTACHMENTS,
  MAX_EMAIL_POST_BYTES,
  MAX_EMAIL_TEXT_BYTES,
  STORED_ATTACHMENTS_FIELD,
  type MailgunFields,
  type StoredEmailAttachment,
} from "@alfred/channels";
import { AppError } from "@alfred/core";
import { sha256Hex } from "@alfred/crm";
import { blobKey, MeteredStream, type BlobStorage } from "@alfred/storage";

/**
 * A Mailgun post read as a stream: text fields kept in memory (bounded), each attachment streamed
 * into blob storage as it arrives. Nothing here is trusted yet: the signature is inside the fields,
 * so it can only be checked once the whole post is read. Until the caller commits the receipt, the
 * staged attachments are provisional and `discard()` removes them (an unsigned post leaves no blob).
 */
export interface StagedMailgunPost {
  fields: MailgunFields;
  attachments: StoredEmailAttachment[];
  /** Removes every staged attachment; idempotent, never throws. */
  discard(): Promise<void>;
}

export interface MailgunIntakeLimits {
  postBytes: number;
  attachmentBytes: number;
  textBytes: number;
  attachments: number;
}

export const MAILGUN_INTAKE_LIMITS: MailgunIntakeLimits = {
  postBytes: MAX_EMAIL_POST_BYTES,
  attachmentBytes: MAX_EMAIL_ATTACHMENT_BYTES,
  textBytes: MAX_EMAIL_TEXT_BYTES,
  attachments: MAX_EMAIL_ATTACHMENTS,
};

const tooLarge = (message: string) => new AppError("payload_too_large", message);

export async function stageMailgunPost(request: Request, storage: BlobStorage, limits: MailgunIntakeLimits = MAILGUN_INTAKE_LIMITS): Promise<StagedMailgunPost> {
  const contentType = request.headers.get("content-type") ?? "";
  if (Number(request.headers.get("content-length") ?? 0) > limits.postBytes) throw tooLarge(`e-mail posts are limited to ${limits.postBytes} bytes`);
  // Each post's attachments under a folder of their own, so a discard never touches another post's.
  const folder = blobKey("mail", new Date().toISOString().slice(0, 10), randomUUID());
  const staged: Array<StoredEmailAttachment | undefined> = [];
  const puts: Promise<unknown>[] = [];
  const fields: MailgunFields = {};
  let textBytes = 0;
  let failure: unknown;

  const discard = async () => {
    await Promise.allSettled(puts);
    await Promise.allSettled(staged.map((a) => (a ? storage.delete(a.storage_key) : undefined)));
    staged.length = 0;
  };

  let parser: ReturnType<typeof Busboy>;
  try {
    parser = Busboy({
      headers: { "content-type": contentType },
      limits: { fieldSize: limits.textBytes, files: limits.attachments, fields: 500, parts: 500 + limits.attachments },
    });
  } catch (cause) {
    throw new AppError("bad_request", "request body is not valid multipart/form-data or urlencoded", { cause });
  }
  const source = request.body ? Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>) : Readable.from([]);
  // Files still streaming: a failure errors them too, so their puts settle (and are then removed).
  const open = new Set<PassThrough>();
  const fail = (err: unknown) => {
    failure ??= err;
    const error = err instanceof Error ? err : new Error(String(err));
    source.destroy();
    for (const stream of open) stream.destroy(error);
  };

  parser.on("field", (name, value, _nameTruncated, valueTruncated) => {
    textBytes += Buffer.byteLength(value) + Buffer.byteLength(name);
    if (valueTruncated || textBytes > limits.textBytes) return fail(tooLarge(`the text fields of an e-mail post are limited to ${limits.textBytes} bytes`));
    if (name === STORED_ATTACHMENTS_FIELD) return; // only Alfred writes this field
    if (!Object.hasOwn(fields, name)) fields[name] = value; // the first value wins, as for urlencoded bodies
  });
  parser.on("file", (name, stream, filename, _encoding, mimeType) => {
    if (failure) return void stream.resume();
    const index = staged.length;
    staged.push(undefined);
    const key = `${folder}/${index}`;
    // Our own stream between the parser and storage, so a failure can always end the put.
    const file = new PassThrough();
    file.on("error", () => undefined); // the put reports it
    stream.on("error", (err) => file.destroy(err));
    stream.pipe(file);
    open.add(file);
    file.once("close", () => open.delete(file));
    puts.push(
      storage.put(key, file, { contentType: mimeType, maxBytes: limits.attachmentBytes }).then(
        (blob) => {
          staged[index] = { field: name, storage_key: blob.key, filename: filename || null, content_type: blob.contentType, size: blob.size, sha256: blob.sha256 };
        },
        (err: unknown) => {
          stream.resume();
          fail(err);
        },
      ),
    );
  });
  parser.on("filesLimit", () => fail(tooLarge(`an e-mail may carry at most ${limits.attachments} attachments`)));
  parser.on("partsLimit", () => fail(tooLarge("the e-mail post has too many parts")));

  try {
    await pipeline(source, new MeteredStream(limits.postBytes), parser);
  } catch (err) {
    fail((err as { code?: string }).code === "payload_too_large" ? tooLarge(`e-mail posts are limited to ${limits.postBytes} bytes`) : new AppError("bad_request", "request body is not valid multipart/form-data or urlencoded", { cause: err }));
  }
  await Promise.allSettled(puts);
  if (failure) {
    await discard();
    throw failure;
  }
  return { fields, attachments: staged.filter((a): a is StoredEmailAttachment => a !== undefined), discard };
}

/**
 * What the receipt stores for a staged post: the text fields urlencoded plus the stored attachments
 * (Alfred's own field), and a digest that leaves out the storage keys, so Mailgun re-posting the same
 * e-mail is a duplicate rather than a replay.
 */
export function mailgunReceiptBody(staged: Pick<StagedMailgunPost, "fields" | "attachments">): { body: Buffer; bodySha256: string } {
  const form = new URLSearchParams(staged.fields);
  const digestForm = new URLSearchParams(form);
  if (staged.attachments.length) {
    form.set(STORED_ATTACHMENTS_FIELD, JSON.stringify(staged.attachments));
    digestForm.set(STORED_ATTACHMENTS_FIELD, JSON.stringify(staged.attachments.map((a) => [a.field, a.filename, a.content_type, a.size, a.sha256])));
  }
  return { body: Buffer.from(form.toString()), bodySha256: sha256Hex(digestForm.toString()) };
}
