import { delayHonouringRetryAfter, nextRetryDelayMs, retryAfterMs } from "../backoff";
import type { AttemptResult } from "./send";

/** What happens after an attempt: a pure decision, tested on its own. */
export type AttemptDecision =
  | { kind: "delivered" }
  | { kind: "retry"; delayMs: number }
  | { kind: "failed"; reason: "exhausted" | "gone" | "not_retried" };

/**
 * 2xx delivered; 410 Gone fails for good (and disables the destination); a test send is tried once;
 * otherwise the schedule decides, with Retry-After honoured for 429 and 503 within the schedule.
 */
export function decideAfterAttempt(input: {
  attempt: number;
  result: Pick<AttemptResult, "statusCode" | "errorClass" | "retryAfter">;
  schedule: readonly number[];
  isTest: boolean;
  now?: number;
  random?: () => number;
}): AttemptDecision {
  const { result } = input;
  if (result.errorClass === null) return { kind: "delivered" };
  if (result.statusCode === 410) return { kind: "failed", reason: "gone" };
  if (input.isTest || result.errorClass === "invalid_event") return { kind: "failed", reason: "not_retried" };
  const scheduled = nextRetryDelayMs(input.attempt, input.schedule, input.random);
  if (scheduled === null) return { kind: "failed", reason: "exhausted" };
  const honoured =
    result.statusCode === 429 || result.statusCode === 503 ? delayHonouringRetryAfter(scheduled, retryAfterMs(result.retryAfter, input.now), input.schedule) : scheduled;
  return { kind: "retry", delayMs: honoured };
}
