/** Why a send failed, for the UI and for metrics. */
export type SendFailureKind =
  | "window_closed" // outside the provider's customer-service / messaging window
  | "auth" // token invalid, expired or lacking permission
  | "rate_limited"
  | "timeout"
  | "network" // connection refused / reset, DNS
  | "provider" // the provider answered with an error
  | "bad_response" // 2xx without the message id we need
  | "config" // the channel cannot send (missing smtp_url, send_url, ids, tokens)
  | "address_not_allowed"; // the channel's URL reaches an address the egress guard refuses

/**
 * A failed outbound send. `retryable` tells the worker whether another attempt can succeed
 * (5xx, 429, throttling codes, timeouts, connection errors) or not (other 4xx, window closed, bad
 * config). `message` is meant to be shown to agents.
 */
export class ProviderSendError extends Error {
  readonly retryable: boolean;
  readonly kind: SendFailureKind;
  /** HTTP status, or the SMTP reply code for e-mail. */
  readonly status?: number;
  /** The provider's own error code (Meta `error.code`, SMTP enhanced code, ...). */
  readonly providerCode?: number | string;
  readonly providerSubcode?: number;
  /** Meta's `fbtrace_id`, for support tickets. */
  readonly traceId?: string;

  constructor(
    message: string,
    options: {
      retryable: boolean;
      kind: SendFailureKind;
      status?: number;
      providerCode?: number | string;
      providerSubcode?: number;
      traceId?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = "ProviderSendError";
    this.retryable = options.retryable;
    this.kind = options.kind;
    this.status = options.status;
    this.providerCode = options.providerCode;
    this.providerSubcode = options.providerSubcode;
    this.traceId = options.traceId;
  }

  toJSON(): Record<string, unknown> {
    return {
      message: this.message,
      retryable: this.retryable,
      kind: this.kind,
      status: this.status,
      provider_code: this.providerCode,
      provider_subcode: this.providerSubcode,
      trace_id: this.traceId,
    };
  }
}

export const isProviderSendError = (err: unknown): err is ProviderSendError => err instanceof ProviderSendError;

/** A non-empty string from channel config, else a non-retryable `config` failure. */
export function requireString(value: unknown, name: string, provider: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ProviderSendError(`${provider}: channel config is missing ${name}`, { retryable: false, kind: "config" });
  }
  return value;
}
