import { CORRELATION_HEADER, currentCorrelationId } from "@alfred/core";
import { EgressError, type EgressClient, type EgressResponse } from "@alfred/egress";
import { ProviderSendError } from "./errors";

export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

/**
 * POSTs a JSON body to a provider through the guarded client (the URL may be tenant-chosen:
 * `api_base_url`, `send_url`), bounded by `timeoutMs` for the whole exchange; redirects are not
 * followed. Any HTTP answer is returned for the caller to interpret. No answer becomes a
 * `ProviderSendError`: a refused address is final and says only "address not allowed"; timeouts and
 * connection errors are retryable.
 */
export async function postJson(
  egress: EgressClient,
  url: string,
  options: { headers?: Record<string, string>; body: string; timeoutMs?: number; provider: string },
): Promise<EgressResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  // The send job's correlation id goes along, so a provider-side or API-channel log can be matched.
  const correlationId = currentCorrelationId();
  const headers = correlationId ? { [CORRELATION_HEADER]: correlationId, ...options.headers } : options.headers;
  try {
    return await egress.postJson(url, options.body, { headers, timeoutMs });
  } catch (cause) {
    throw cause instanceof EgressError ? providerErrorFromEgress(cause, options.provider) : cause;
  }
}

/** How a call that got no answer fails a send. */
export function providerErrorFromEgress(cause: EgressError, provider: string): ProviderSendError {
  switch (cause.kind) {
    case "address_not_allowed":
      return new ProviderSendError(cause.message, { retryable: false, kind: "address_not_allowed", cause });
    case "invalid_url":
      return new ProviderSendError(`${provider}: ${cause.message}`, { retryable: false, kind: "config", cause });
    case "timeout":
      return new ProviderSendError(`${provider}: ${cause.message}`, { retryable: true, kind: "timeout", cause });
    case "network":
      return new ProviderSendError(`${provider}: ${cause.message}`, { retryable: true, kind: "network", cause });
  }
}
