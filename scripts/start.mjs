// `npm start`: from a fresh clone to a running Alfred with a seeded demo tenant.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { ensureServices } from "./services.mjs";
import { commandExists, fail, loadLocalEnv, log, output, ROOT, run } from "./lib.mjs";

const PNPM_VERSION = "12.4.2";
// next itself, not through pnpm: a signal to this script must reach the server (pnpm does not forward it).
const NEXT_BIN = path.join(ROOT, "apps/web/node_modules/next/dist/bin/next");

function ensurePnpm() {
  if (commandExists("pnpm") && output("pnpm", ["--version"]) === PNPM_VERSION) return;
  log(`installing pnpm ${PNPM_VERSION}`);
  const installed = spawnSync("npm", ["install", "--global", `pnpm@${PNPM_VERSION}`], { stdio: "inherit" }).status === 0;
  if (!installed || output("pnpm", ["--version"]) !== PNPM_VERSION) {
    fail(`could not install pnpm ${PNPM_VERSION} globally; run: npm install --global pnpm@${PNPM_VERSION}`);
  }
}

const env = { ...loadLocalEnv(), NEXT_TELEMETRY_DISABLED: "1" };
const port = env.PORT ?? "3000";
if (!env.NEXTAUTH_URL || env.NEXTAUTH_URL === "http://localhost:3000") env.NEXTAUTH_URL = `http://localhost:${port}`;
const opts = { env: { ...process.env, ...env } };

ensurePnpm();
await ensureServices(env);
run("pnpm", ["install", "--frozen-lockfile"], opts);
run("pnpm", ["db:migrate"], opts);
run("pnpm", ["db:seed"], opts);
if (!process.argv.includes("--no-build")) run("pnpm", ["build"], { env: { ...opts.env, NODE_ENV: "production" } });

const children = [
  spawn(process.execPath, [NEXT_BIN, "start", "--port", port], { cwd: path.join(ROOT, "apps/web"), stdio: "inherit", env: { ...opts.env, NODE_ENV: "production", PORT: port } }),
  spawn("node", ["apps/worker/dist/index.js"], { cwd: ROOT, stdio: "inherit", env: { ...opts.env, NODE_ENV: "production" } }),
];
log(`Alfred is starting on http://localhost:${port} (worker health on :${env.WORKER_HTTP_PORT ?? "3001"}/health). Ctrl-C stops it.`);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill(signal);
}
process.on("SIGINT", () => stop("SIGTERM"));
process.on("SIGTERM", () => stop("SIGTERM"));
for (const child of children) {
  child.on("exit", (code) => {
    if (!stopping) {
      log(`a process exited (code ${code}); stopping the others`);
      stop("SIGTERM");
      process.exitCode = code ?? 1;
    }
  });
}
