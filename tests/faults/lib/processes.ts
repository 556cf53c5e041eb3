import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
export const WORKER_BUNDLE = path.join(ROOT, "apps/worker/dist/index.js");
const NEXT_BIN = path.join(ROOT, "apps/web/node_modules/next/dist/bin/next");

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Parsed JSON log lines (pino), as they arrive. */
  logs: Record<string, unknown>[];
  /** The last 20 kB of output, for a failure message. */
  output(): string;
  exit: Promise<number | null>;
  alive(): boolean;
}

const children = new Set<ChildProcess>();
process.once("exit", () => killAll());

/** SIGKILLs every process the drills started (afterAll, and when the test process exits). */
export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
}

export function startProcess(name: string, command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Proc {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const logs: Record<string, unknown>[] = [];
  let output = "";
  let pending = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output = (output + text).slice(-20_000);
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // a line cut by a SIGKILL
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-20_000)));
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { name, child, logs, output: () => `--- ${name} ---\n${output}`, exit, alive: () => child.exitCode === null && child.signalCode === null };
}

/** The production worker bundle (apps/worker/dist, built by the drills' global setup). */
/**
 * One blob-storage folder for every process of a drill run: replicas share their storage as they
 * share the database (files a web replica stages, a worker links; media a worker fetches, a web
 * replica serves).
 */
let storageDir: string | undefined;
function sharedStorageDir(): string {
  storageDir ??= mkdtempSync(path.join(tmpdir(), "alfred-faults-storage-"));
  return storageDir;
}

export function startWorker(name: string, env: Record<string, string>): Proc {
  return startProcess(name, process.execPath, [WORKER_BUNDLE], { env: { NODE_ENV: "production", LOG_LEVEL: "info", STORAGE_DIR: sharedStorageDir(), ...env } });
}

/** The production build of the web app, served by `next start` (needs `pnpm build` first). */
export function startWeb(name: string, port: number, env: Record<string, string>): Proc {
  return startProcess(name, process.execPath, [NEXT_BIN, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: path.join(ROOT, "apps/web"),
    env: { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "info", PORT: String(port), STORAGE_DIR: sharedStorageDir(), ...env },
  });
}

export function webBuildExists(): boolean {
  return existsSync(path.join(ROOT, "apps/web/.next/BUILD_ID"));
}

export async function sigkill(proc: Proc): Promise<void> {
  if (!proc.alive()) return;
  proc.child.kill("SIGKILL");
  await proc.exit;
}

export async function stopGracefully(proc: Proc): Promise<number | null> {
  if (!proc.alive()) return proc.child.exitCode;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), 15_000);
  const code = await proc.exit;
  clearTimeout(timer);
  return code;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 2xx; throws with the process output if it exits or `timeoutMs` passes. */
export async function waitForHttp(url: string, proc: Proc, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.alive()) throw new Error(`${proc.name} exited before ${url} answered\n${proc.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms\n${proc.output()}`);
    await sleep(200);
  }
}

/** The absolute path of a binary, or a clear error naming what to install. */
export function requireBinary(name: string, hint: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  if (!found) throw new Error(`${name} is not installed; the fault drills need it (${hint})`);
  return found;
}
