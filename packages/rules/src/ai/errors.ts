/**
 * The one error the rules package throws: a provider call that did not produce a usable answer.
 * Messages never carry the API key, the prompt or the model's raw output.
 */
export type AiErrorKind = "timeout" | "http_status" | "invalid_json" | "invalid_shape" | "transport" | "misconfigured";

export class AiProviderError extends Error {
  override name = "AiProviderError";
  readonly kind: AiErrorKind;
  readonly status: number | null;
  readonly attempts: number;

  constructor(kind: AiErrorKind, message: string, options: { status?: number; attempts?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.status = options.status ?? null;
    this.attempts = options.attempts ?? 1;
  }
}

export const isAiProviderError = (err: unknown): err is AiProviderError => err instanceof AiProviderError;
