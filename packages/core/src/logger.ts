import pino, { type DestinationStream, type Logger } from "pino";

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

/**
 * JSON logs to stdout. Anything that looks like a credential is redacted by path, so a secret
 * passed by mistake in a log object never reaches the output.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? "info", destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: (err: Error) => scrubError(pino.stdSerializers.errWithCause(err)) },
    redact: {
      paths: [
        "password",
        "*.password",
        "secret",
        "*.secret",
        "*.secrets",
        "token",
        "*.token",
        "authorization",
        "*.authorization",
        "headers.authorization",
        "headers.cookie",
        "access_token",
        "refresh_token",
        // A destination's static credential (its password / header value).
        "credential",
        "*.credential",
        "credential_secret",
        "*.credential_secret",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
