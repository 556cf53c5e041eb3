import { AppError, HTTP_STATUS_BY_CODE, type ErrorCode } from "@alfred/core";
import { isDatabaseUnavailable } from "@alfred/db";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";

/** The one place where domain error codes meet tRPC codes and HTTP statuses. */
const TRPC_CODE_BY_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  503: "SERVICE_UNAVAILABLE",
};

const APP_CODE_BY_TRPC_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  BAD_REQUEST: "bad_request",
  PARSE_ERROR: "bad_request",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  CONFLICT: "conflict",
  PAYLOAD_TOO_LARGE: "payload_too_large",
  UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
  UNPROCESSABLE_CONTENT: "validation_error",
  TOO_MANY_REQUESTS: "rate_limited",
  SERVICE_UNAVAILABLE: "unavailable",
};

export function toTRPCError(err: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE_BY_STATUS[err.status] ?? "INTERNAL_SERVER_ERROR", message: err.message, cause: err });
}

/** First zod issue as `a.b.c: message`, the path separately for error bodies. */
export function describeZodError(err: ZodError): { message: string; path: string } {
  const issue = err.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  return { message: path ? `${path}: ${issue?.message}` : (issue?.message ?? "invalid input"), path };
}

export interface PublicError {
  status: number;
  code: string;
  message: string;
  path?: string;
  retryAfterSeconds?: number;
  /** True for real faults (5xx) that must be logged with the correlation id. */
  fault: boolean;
}

/**
 * While Postgres is down or restarting, every request that needs it fails with a driver error: that
 * is a 503 a client may retry (nothing was written: each write is one transaction), not a 500.
 */
export const DATABASE_UNAVAILABLE_RETRY_SECONDS = 5;
export function databaseUnavailable(cause: unknown): AppError {
  return new AppError("unavailable", "the database is unavailable right now; nothing was changed, retry shortly", { retryAfterSeconds: DATABASE_UNAVAILABLE_RETRY_SECONDS, cause });
}

/** Turns anything a procedure threw into what a public route answers. Input errors are 422. */
export function toPublicError(err: unknown): PublicError {
  const thrown = err instanceof TRPCError ? err.cause : err;
  const cause = !(thrown instanceof AppError) && isDatabaseUnavailable(thrown) ? databaseUnavailable(thrown) : thrown;
  if (cause instanceof AppError) {
    return { status: cause.status, code: cause.code, message: cause.message, path: cause.path, retryAfterSeconds: cause.retryAfterSeconds, fault: cause.status >= 500 };
  }
  if (cause instanceof ZodError) {
    const { message, path } = describeZodError(cause);
    return { status: 422, code: "validation_error", message, path, fault: false };
  }
  if (err instanceof TRPCError) {
    const code = APP_CODE_BY_TRPC_CODE[err.code];
    if (code) return { status: HTTP_STATUS_BY_CODE[code], code, message: err.message, fault: false };
  }
  return { status: 500, code: "internal_error", message: "internal error", fault: true };
}
