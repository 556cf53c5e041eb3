/**
 * The one error type the domain packages throw. Routes and tRPC map `code` to a status in one place
 * (`HTTP_STATUS_BY_CODE`), and every public error body is `{ error: { code, message, correlation_id } }`.
 */
export const HTTP_STATUS_BY_CODE = {
  bad_request: 400,
  unauthorized: 401,
  invalid_signature: 401,
  stale_timestamp: 401,
  forbidden: 403,
  tenant_mismatch: 403,
  destination_disabled: 403,
  not_found: 404,
  conflict: 409,
  callback_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_error: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof HTTP_STATUS_BY_CODE;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Where in the input the problem is, e.g. `params.conversation_id`. */
  readonly path?: string;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: { path?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.path = options.path;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

export interface ErrorBody {
  error: { code: string; message: string; correlation_id: string; path?: string };
}

export function errorBody(code: string, message: string, correlationId: string, path?: string): ErrorBody {
  return { error: { code, message, correlation_id: correlationId, ...(path ? { path } : {}) } };
}

/** Postgres unique-violation, used where a unique constraint carries an idempotency rule. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = (err as { code?: string; constraint?: string; cause?: unknown }) ?? {};
  if (e.code === "23505") return constraint === undefined || e.constraint === constraint;
  return e.cause !== undefined && e.cause !== err ? isUniqueViolation(e.cause, constraint) : false;
}
