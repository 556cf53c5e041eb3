import path from "node:path";
import { tmpdir } from "node:os";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";

const WORKER_DIR = fileURLToPath(new URL("../..", import.meta.url));

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

export interface RunningWorker {
  child: ChildProcess;
  port: number;
  /** Parsed JSON log lines, as they arrive. */
  logs: Record<string, unknown>[];
  stderr(): string;
  exit: Promise<number | null>;
}

/**
 * Child processes of one test file (workers, a dedicated redis-server...), all SIGKILLed by
 * `killAll()` in afterAll so nothing outlives the file.
 */
export class TestProcesses {
  private readonly children = new Set<ChildProcess>();

  track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    return child;
  }

  /** Runs the worker from source (tsx) as its own process, the way it runs in production. */
  async spawnWorker(env: Record<string, string>): Promise<RunningWorker> {
    const port = env.WORKER_HTTP_PORT ? Number(env.WORKER_HTTP_PORT) : await freePort();
    const child = this.track(
      spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
        cwd: WORKER_DIR,
        // Blob storage is required configuration; these workers never fetch media, a throw-away folder does.
        env: { ...process.env, LOG_LEVEL: "info", NODE_ENV: "test", WORKER_HTTP_PORT: String(port), STORAGE_DIR: path.join(tmpdir(), "alfred-worker-test-storage"), ...env },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    const logs: Record<string, unknown>[] = [];
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim().startsWith("{")) logs.push(JSON.parse(line) as Record<string, unknown>);
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, port, logs, stderr: () => stderr, exit };
  }

  killAll(): void {
    for (const child of this.children) child.kill("SIGKILL");
  }
}

/** Deletes a test file's Redis keys by pattern (SCAN, never KEYS). */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}
