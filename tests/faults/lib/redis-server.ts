import { createRedis } from "@alfred/core";
import { freePort, requireBinary, sleep, startProcess, type Proc } from "./processes";

/**
 * A redis-server of the drill's own, on its own port, without persistence: stopping it and starting
 * it again loses every key, as a Redis restarted without AOF or a failover to an empty replica does.
 * The shared Redis on 6379 is never touched.
 */
export class DrillRedis {
  private proc: Proc | null = null;
  private readonly binary = requireBinary("redis-server", "apt-get install redis-server");

  private constructor(readonly port: number) {}

  static async start(): Promise<DrillRedis> {
    const redis = new DrillRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.proc = startProcess("redis", this.binary, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"]);
    const probe = createRedis(this.url, "client", { retryStrategy: () => 100 });
    probe.on("error", () => undefined);
    try {
      for (let i = 0; ; i++) {
        try {
          if ((await probe.ping()) === "PONG") return;
        } catch {
          if (i > 100) throw new Error(`redis-server did not answer on ${this.port}\n${this.proc.output()}`);
        }
        await sleep(100);
      }
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: no shutdown save, every key gone. */
  async down(): Promise<void> {
    if (!this.proc) return;
    this.proc.child.kill("SIGKILL");
    await this.proc.exit;
    this.proc = null;
  }
}
