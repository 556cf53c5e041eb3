import { createLogger, startTracing } from "@alfred/core";
import type { BlobStorage } from "@alfred/storage";
import { loadEnv, loadStorage, type WorkerEnv } from "./env";
import { createWorkerRuntime } from "./runtime";
import { exitOnSignals, flushAndExit } from "./shutdown";

let env: WorkerEnv;
let storage: BlobStorage;
try {
  env = loadEnv();
  storage = loadStorage();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

const logger = createLogger("worker", env.LOG_LEVEL);
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
if (await startTracing("worker")) logger.info({ endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT }, "sending traces");
const runtime = createWorkerRuntime(env, logger, storage);
exitOnSignals(runtime.close, logger);

process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));

try {
  await runtime.start();
} catch (err) {
  logger.fatal({ err }, "worker failed to start");
  await runtime.close().catch(() => undefined);
  flushAndExit(logger, 1);
}
