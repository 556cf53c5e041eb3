import { createServer, type Server } from "node:http";

/**
 * A delivery receiver on loopback, as a customer's endpoint would be: answers 200 after `delayMs`
 * (so a batch of deliveries is in flight when a worker is killed) and remembers every arrival by
 * the delivery's event id, duplicates included.
 */
export class DrillSink {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly arrivals: Map<string, number[]>,
  ) {}

  static async start(delayMs: number): Promise<DrillSink> {
    const arrivals = new Map<string, number[]>();
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const id = String(req.headers["x-alfred-event-id"] ?? "anonymous");
        const seen = arrivals.get(id);
        if (seen) seen.push(Date.now());
        else arrivals.set(id, [Date.now()]);
        setTimeout(() => res.writeHead(200, { "content-type": "text/plain" }).end("ok"), delayMs);
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new DrillSink(server, (server.address() as { port: number }).port, arrivals);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
