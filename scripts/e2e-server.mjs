// The servers Playwright drives: a fresh alfred_e2e database with the demo seed, the production
// build of the web app on :3100 and the worker, with throw-away secrets for this run.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { commandExists, log, ROOT, run } from "./lib.mjs";

// E2E_PORT lets a second copy run beside another one (`E2E_PORT=3200 pnpm e2e`): the database,
// queue prefix, sink and fake Graph API ports follow it unless E2E_DATABASE_URL / E2E_QUEUE_PREFIX /
// E2E_SINK_PORT / E2E_GRAPH_PORT say otherwise.
const PORT = process.env.E2E_PORT ?? "3100";
const SUFFIX = PORT === "3100" ? "" : `_${PORT}`;
const SINK_PORT = process.env.E2E_SINK_PORT ?? String(Number(PORT) + 99);
const GRAPH_PORT = process.env.E2E_GRAPH_PORT ?? String(Number(PORT) + 98);

const env = {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  DATABASE_URL: process.env.E2E_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/alfred_e2e${SUFFIX}`,
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  QUEUE_PREFIX: process.env.E2E_QUEUE_PREFIX ?? `alfred_e2e${SUFFIX}`,
  NEXTAUTH_URL: `http://localhost:${PORT}`,
  NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
  AUTH_JWT_SECRET: randomBytes(32).toString("hex"),
  AUTOMATION_ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString("base64")}`,
  STORAGE_DIR: path.join(ROOT, ".alfred", `e2e-storage${SUFFIX}`),
  PORT,
  WORKER_HTTP_PORT: String(Number(PORT) + 1),
  LOG_LEVEL: "warn",
  // e2e/api.spec.ts scrapes both metrics endpoints with it.
  METRICS_TOKEN: "e2e-metrics-token-0123456789",
  // The specs' own fakes on fixed local ports, and nothing else: e2e/operations.spec.ts runs a webhook
  // sink, e2e/inbox.spec.ts a fake WhatsApp Cloud API. Short retries keep it fast.
  EGRESS_ALLOWLIST: `127.0.0.1:${SINK_PORT},127.0.0.1:${GRAPH_PORT}`,
  AUTOMATION_RETRY_SCHEDULE_SECONDS: "2,45",
};

run("pnpm", ["--filter", "@alfred/db", "db:reset"], { env });
run("pnpm", ["db:seed"], { env });
if (commandExists("redis-cli")) {
  // Forget throttle counters and queues of earlier runs.
  spawnSync("sh", ["-c", `redis-cli --scan --pattern '${env.QUEUE_PREFIX}:*' | xargs -r redis-cli del > /dev/null`], { stdio: "inherit" });
}

const children = [
  // next itself, not through pnpm, so Playwright stopping this script stops the server too.
  spawn(process.execPath, [path.join(ROOT, "apps/web/node_modules/next/dist/bin/next"), "start", "--port", env.PORT], { cwd: path.join(ROOT, "apps/web"), stdio: "inherit", env }),
  spawn("node", ["apps/worker/dist/index.js"], { cwd: ROOT, stdio: "inherit", env }),
];
log(`e2e servers starting on :${PORT} (web) and :${env.WORKER_HTTP_PORT} (worker)`);
const stop = () => children.forEach((c) => c.kill("SIGTERM"));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
