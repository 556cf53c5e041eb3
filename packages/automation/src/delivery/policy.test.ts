import { describe, expect, it } from "vitest";
import { SsrfBlockedError } from "@alfred/egress";
import { decideAfterAttempt } from "./policy";
import { classifySendError } from "./send";

const schedule = [60, 300, 900];
const mid = () => 0.5; // no jitter
const fail = (statusCode: number | null, errorClass: "http_status" | "timeout" | "connection" | "redirect" | "ssrf_blocked" | "invalid_event", retryAfter: string | null = null) => ({
  statusCode,
  errorClass,
  retryAfter,
});

describe("decideAfterAttempt", () => {
  it.each([
    ["2xx delivers", { statusCode: 204, errorClass: null, retryAfter: null }, 1, { kind: "delivered" }],
    ["500 retries on the schedule", fail(500, "http_status"), 1, { kind: "retry", delayMs: 60_000 }],
    ["timeout retries", fail(null, "timeout"), 2, { kind: "retry", delayMs: 300_000 }],
    ["3xx is a failed attempt, retried", fail(302, "redirect"), 1, { kind: "retry", delayMs: 60_000 }],
    ["ssrf refusal retried (DNS may change back), never sent", fail(null, "ssrf_blocked"), 1, { kind: "retry", delayMs: 60_000 }],
    ["after the last step the delivery fails", fail(500, "http_status"), 4, { kind: "failed", reason: "exhausted" }],
    ["410 Gone fails at once", fail(410, "http_status"), 1, { kind: "failed", reason: "gone" }],
    ["an unbuildable event is not retried", fail(null, "invalid_event"), 1, { kind: "failed", reason: "not_retried" }],
    ["429 with a later Retry-After waits longer", fail(429, "http_status", "120"), 1, { kind: "retry", delayMs: 120_000 }],
    ["503 Retry-After is capped at the last step", fail(503, "http_status", "999999"), 1, { kind: "retry", delayMs: 900_000 }],
    ["an earlier Retry-After never shortens the wait", fail(429, "http_status", "1"), 2, { kind: "retry", delayMs: 300_000 }],
    ["Retry-After on a plain 500 is ignored", fail(500, "http_status", "600"), 1, { kind: "retry", delayMs: 60_000 }],
    ["garbage Retry-After keeps the schedule", fail(429, "http_status", "soon"), 1, { kind: "retry", delayMs: 60_000 }],
  ] as const)("%s", (_name, result, attempt, expected) => {
    expect(decideAfterAttempt({ attempt, result, schedule, isTest: false, random: mid })).toEqual(expected);
  });

  it("a test send is tried once, except that 410 is still reported as gone", () => {
    expect(decideAfterAttempt({ attempt: 1, result: fail(500, "http_status"), schedule, isTest: true, random: mid })).toEqual({ kind: "failed", reason: "not_retried" });
    expect(decideAfterAttempt({ attempt: 1, result: { statusCode: 200, errorClass: null, retryAfter: null }, schedule, isTest: true })).toEqual({ kind: "delivered" });
  });

  it("jitters the delay within ±10%", () => {
    const low = decideAfterAttempt({ attempt: 1, result: fail(500, "http_status"), schedule, isTest: false, random: () => 0 });
    const high = decideAfterAttempt({ attempt: 1, result: fail(500, "http_status"), schedule, isTest: false, random: () => 0.999999 });
    expect(low).toEqual({ kind: "retry", delayMs: 54_000 });
    expect(high).toEqual({ kind: "retry", delayMs: 66_000 });
  });
});

describe("classifySendError", () => {
  it.each([
    ["an SSRF refusal wrapped by undici", Object.assign(new Error("fetch failed"), { cause: new SsrfBlockedError("refusing to connect to 127.0.0.1: loopback", "127.0.0.1") }), "ssrf_blocked"],
    ["the abort signal's timeout", Object.assign(new Error("This operation was aborted"), { name: "TimeoutError" }), "timeout"],
    ["undici headers timeout", Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" }), "timeout"],
    ["connect timeout deep in the cause chain", Object.assign(new Error("x"), { cause: Object.assign(new Error("y"), { code: "UND_ERR_CONNECT_TIMEOUT" }) }), "timeout"],
    ["refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), "connection"],
    ["a thrown string", "boom", "connection"],
  ])("%s -> %s", (_name, err, expected) => {
    expect(classifySendError(err).errorClass).toBe(expected);
  });

  it("survives a cause cycle", () => {
    const a: Error & { cause?: unknown } = new Error("a");
    const b: Error & { cause?: unknown } = new Error("b");
    a.cause = b;
    b.cause = a;
    expect(classifySendError(a)).toEqual({ errorClass: "connection", message: "a" });
  });
});
