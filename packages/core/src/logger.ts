import pino, { type Logger } from "pino";

export type { Logger };

/**
 * JSON logs to stdout. Anything that looks like a credential is redacted by path, so a secret
 * passed by mistake in a log object never reaches the output.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
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
      ],
      censor: "[redacted]",
    },
  });
}
