import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the receiver saw it: raw body bytes, so signatures are checked on exactly what arrived. */
export interface SinkRequest {
  at: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type SinkReply = { status: number; headers?: Record<string, string>; body?: string | Buffer } | "hang";

/**
 * A real HTTP receiver on 127.0.0.1:0 for integration tests. `reply` decides each answer from the
 * request and how many came before it; "hang" never answers (until the sink closes).
 */
export interface Sink {
  port: number;
  url: string;
  requests: SinkRequest[];
  reply: (request: SinkRequest, index: number) => SinkReply;
  close(): Promise<void>;
}

export async function startSink(reply: Sink["reply"] = () => ({ status: 200, body: "ok" })): Promise<Sink> {
  const hanging = new Set<ServerResponse>();
  const sink = { requests: [] as SinkRequest[], reply } as Sink;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const request: SinkRequest = { at: Date.now(), method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      const index = sink.requests.length;
      sink.requests.push(request);
      const answer = sink.reply(request, index);
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sink.port = (server.address() as AddressInfo).port;
  sink.url = `http://127.0.0.1:${sink.port}/hook`;
  sink.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return sink;
}
