import pino, { type DestinationStream, type Logger } from "pino";
import { currentCorrelationId } from "./correlation";

export type { Logger };

const MAX_CAUSE_DEPTH = 5;

/**
 * Database errors carry the values of the failed query (drizzle puts `params` on the error and
 * into its message; a failed user insert would log the password hash). Logs keep the query text
 * and the cause chain, never the values.
 */
export function scrubError(serialized: unknown, depth = 0): unknown {
  if (!serialized || typeof serialized !== "object" || depth > MAX_CAUSE_DEPTH) return serialized;
  const out = { ...(serialized as Record<string, unknown>) };
  if ("params" in out) out.params = "[redacted]";
  if ("parameters" in out) out.parameters = "[redacted]";
  for (const key of ["message", "stack"]) {
    if (typeof out[key] === "string") out[key] = (out[key] as string).replace(/\nparams: [^\n]*/g, "\nparams: [redacted]");
  }
  if (out.cause) out.cause = scrubError(out.cause, depth + 1);
  return out;
}

/** Keys whose values are credentials wherever they appear (headers, bodies, channel secrets). */
const SECRET_KEY = /password|passwd|secret|token|authorization|cookie|signature|api[-_]?key|signing[-_]?key|private[-_]?key|credential/i;
const MAX_REDACT_DEPTH = 8;

/**
 * Replaces the value of every credential-named key, at any depth, in plain objects and arrays
 * (errors go through `scrubError`). Copies only what it changes.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_REDACT_DEPTH || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redactSecrets(item, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  if (value instanceof Headers) return redactSecrets(Object.fromEntries(value), depth);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const next = SECRET_KEY.test(key) && item !== null && item !== undefined ? REDACTED : redactSecrets(item, depth + 1);
    if (next !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return out ?? value;
}

const REDACTED = "[redacted]";

/**
 * JSON logs to stdout. Any value under a credential-like key (password, token, authorization,
 * cookie, signature, secret, api key) is redacted at any depth, so a secret passed by mistake in a
 * log object never reaches the output. Each line carries the current correlation id (see
 * `withCorrelationId`).
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? "info", destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: (err: Error) => scrubError(pino.stdSerializers.errWithCause(err)) },
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlation_id: correlationId } : {};
    },
    formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
  };
  return destination ? pino(options, destination) : pino(options);
}
