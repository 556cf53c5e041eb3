import { AppError } from "@alfred/core";
import type { z } from "zod";

/** Dotted path of a zod issue (`entry.0.changes.0.value.messages.0.id`); the root is `(root)`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "(root)" : path.map((p) => String(p)).join(".");
}

/**
 * Parses `value` with `schema`, turning a failure into `AppError('validation_error')` (HTTP 422) naming
 * the first offending path, prefixed with `prefix` when the value sits inside a larger document.
 */
export function parseWithSchema<T extends z.ZodType>(schema: T, value: unknown, what: string, prefix = ""): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const inner = issue ? issue.path : [];
  const path = prefix ? (inner.length ? `${prefix}.${issuePath(inner)}` : prefix) : issuePath(inner);
  const message = `${what}: ${issue?.message ?? "invalid payload"} at ${path}`;
  throw new AppError("validation_error", message, { path, cause: result.error });
}

/** Largest webhook body the adapters accept (1 MiB); the route should refuse bigger bodies earlier. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Decodes a raw body as strict UTF-8, `bad_request` when it is not. */
export function decodeUtf8(rawBody: Buffer | Uint8Array): string {
  try {
    return utf8.decode(rawBody);
  } catch (cause) {
    throw new AppError("bad_request", "request body is not valid UTF-8", { cause });
  }
}

/** Parses a raw JSON body: `bad_request` for empty, non-UTF-8 or malformed JSON. */
export function parseJsonBody(rawBody: Buffer | Uint8Array): unknown {
  if (rawBody.byteLength > MAX_WEBHOOK_BYTES) throw new AppError("payload_too_large", `request body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
  const text = decodeUtf8(rawBody);
  if (text.trim() === "") throw new AppError("bad_request", "request body is empty");
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new AppError("bad_request", "request body is not valid JSON", { cause });
  }
}

/** Unix seconds or milliseconds (number or digit string) -> Date. */
export function dateFromUnix(value: string | number, unit: "s" | "ms"): Date {
  const n = typeof value === "number" ? value : Number(value);
  return new Date(unit === "s" ? n * 1000 : n);
}
