// The servers Playwright drives: a fresh alfred_e2e database with the demo seed, the production
// build of the web app on :3100 and the worker, with throw-away secrets for this run.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { commandExists, log, ROOT, run } from "./lib.mjs";

const env = {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  DATABASE_URL: process.env.E2E_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/alfred_e2e",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  QUEUE_PREFIX: "alfred_e2e",
  NEXTAUTH_URL: "http://localhost:3100",
  NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
  AUTH_JWT_SECRET: randomBytes(32).toString("hex"),
  AUTOMATION_ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString("base64")}`,
  PORT: "3100",
  WORKER_HTTP_PORT: "3101",
  LOG_LEVEL: "warn",
};

run("pnpm", ["--filter", "@alfred/db", "db:reset"], { env });
run("pnpm", ["db:seed"], { env });
if (commandExists("redis-cli")) {
  // Forget throttle counters and queues of earlier runs.
  spawnSync("sh", ["-c", "redis-cli --scan --pattern 'alfred_e2e:*' | xargs -r redis-cli del > /dev/null"], { stdio: "inherit" });
}

const children = [
  spawn("pnpm", ["--filter", "@alfred/web", "start"], { cwd: ROOT, stdio: "inherit", env }),
  spawn("node", ["apps/worker/dist/index.js"], { cwd: ROOT, stdio: "inherit", env }),
];
log("e2e servers starting on :3100 (web) and :3101 (worker)");
const stop = () => children.forEach((c) => c.kill("SIGTERM"));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
