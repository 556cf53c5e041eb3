import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

export const CORRELATION_HEADER = "x-correlation-id";

const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's correlation id when it is a sane token, else makes a new one. */
export function correlationIdFrom(headerValue: string | null | undefined): string {
  return headerValue && SAFE_CORRELATION_ID.test(headerValue) ? headerValue : randomUUID();
}

const current = new AsyncLocalStorage<{ correlationId: string }>();

/**
 * Runs `fn` with `correlationId` as the current one: every log line written inside it (the
 * logger's mixin reads it) carries it, however deep the call, without passing it along by hand.
 */
export function withCorrelationId<T>(correlationId: string, fn: () => T): T {
  return current.run({ correlationId }, fn);
}

/** The correlation id of the request or job being handled, if any. */
export function currentCorrelationId(): string | undefined {
  return current.getStore()?.correlationId;
}
