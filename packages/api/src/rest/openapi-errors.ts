import { CORRELATION_HEADER } from "@alfred/core";
import type { OpenAPIObject } from "trpc-to-openapi";
import { z } from "zod";

/**
 * The one error body of every route (REST, callbacks, webhooks), as `errorBody` in @alfred/core
 * writes it. Strict: a client generated from it is told every field there is.
 */
export const errorEnvelope = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: "Machine-readable reason, e.g. `validation_error`, `not_found`, `invalid_signature`.", examples: ["validation_error"] }),
      message: z.string().meta({ description: "What went wrong, for a developer; never contains secrets." }),
      correlation_id: z.string().meta({ description: "Also in the X-Correlation-Id header; quote it when asking for help." }),
      path: z.string().optional().meta({ description: "Where in the input the problem is, e.g. `params.conversation_id`." }),
    }),
  })
  .meta({ id: "Error", description: "Every error answer: `{\"error\":{\"code\",\"message\",\"correlation_id\",\"path\"?}}`." });

export const HEADER_REFS = {
  correlationId: { $ref: "#/components/headers/CorrelationId" },
  retryAfter: { $ref: "#/components/headers/RetryAfter" },
  wwwAuthenticate: { $ref: "#/components/headers/WwwAuthenticate" },
} as const;

export const headerComponents: NonNullable<OpenAPIObject["components"]>["headers"] = {
  CorrelationId: {
    description: `\`${CORRELATION_HEADER}\`: the request's correlation id (the one sent, when it was a valid one; otherwise a new one). It is in every log line and audit row of the request.`,
    required: true,
    schema: { type: "string" },
  },
  RetryAfter: { description: "Seconds to wait before trying again.", required: true, schema: { type: "string", pattern: "^[0-9]+$" } },
  WwwAuthenticate: { description: "`Bearer`: the scheme to authenticate with.", required: true, schema: { type: "string" } },
};

/** A JSON error answer with the correlation header (and any others) for `components.responses`. */
export function errorResponse(description: string, headers: Record<string, { $ref: string }> = {}) {
  return {
    description,
    headers: { "X-Correlation-Id": HEADER_REFS.correlationId, ...headers },
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
}

/** The REST errors (see `answersOf` in responses.ts for which route answers which), by status. */
export const REST_ERROR_RESPONSES: Record<number, { name: string; response: ReturnType<typeof errorResponse> }> = {
  400: { name: "BadRequest", response: errorResponse("`bad_request`: the body is not valid JSON, or a path segment is not valid percent-encoded UTF-8.") },
  401: {
    name: "Unauthorized",
    response: errorResponse("`unauthorized`: no bearer token where one is needed, or one that is expired, malformed or revoked (an Authorization header is checked on every route).", {
      "WWW-Authenticate": HEADER_REFS.wwwAuthenticate,
    }),
  },
  403: { name: "Forbidden", response: errorResponse("`forbidden`: the caller's role (or the API key's role, its ceiling) is below what this operation needs.") },
  404: { name: "NotFound", response: errorResponse("`not_found`: nothing with this id in the caller's workspace.") },
  409: { name: "Conflict", response: errorResponse("`conflict`: the change conflicts with the current state; the message says which.") },
  413: { name: "PayloadTooLarge", response: errorResponse("`payload_too_large`: the body is larger than 1 MiB.") },
  415: { name: "UnsupportedMediaType", response: errorResponse("`unsupported_media_type`: send the body as `application/json`.") },
  422: { name: "ValidationError", response: errorResponse("`validation_error`: the input fails validation; `error.path` names the field.") },
  429: { name: "TooManyRequests", response: errorResponse("`rate_limited`: too many attempts; wait `Retry-After` seconds.", { "Retry-After": HEADER_REFS.retryAfter }) },
  503: { name: "ServiceUnavailable", response: errorResponse("`unavailable`: too busy right now (e.g. every password-hashing slot is taken); wait `Retry-After` seconds.", { "Retry-After": HEADER_REFS.retryAfter }) },
};
