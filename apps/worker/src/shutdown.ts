import type { Logger } from "@alfred/core";

let exitCode: number | undefined;

/**
 * Exits once buffered log lines are written (pino writes asynchronously), or after a short wait.
 * The first call decides the exit code.
 */
export function flushAndExit(logger: Logger, code: number): void {
  if (exitCode !== undefined) return;
  exitCode = code;
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1_000).unref();
  logger.flush(() => process.exit(code));
}

/**
 * SIGTERM/SIGINT: close gracefully and exit 0 (1 if closing failed). A second signal while closing
 * exits at once, for a job that will not finish.
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal, forcing exit");
      flushAndExit(logger, 1);
      return;
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    close().then(
      () => {
        logger.info("shutdown complete");
        flushAndExit(logger, 0);
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        flushAndExit(logger, 1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
