import { randomUUID } from "node:crypto";

export const CORRELATION_HEADER = "x-correlation-id";

const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's correlation id when it is a sane token, else makes a new one. */
export function correlationIdFrom(headerValue: string | null | undefined): string {
  return headerValue && SAFE_CORRELATION_ID.test(headerValue) ? headerValue : randomUUID();
}
