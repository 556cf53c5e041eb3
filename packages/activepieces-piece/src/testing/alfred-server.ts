import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleCallback, type ApiDeps } from "@alfred/api";
import { createApiKeyResolver, handleRestRequest } from "@alfred/api/rest";

export interface AlfredServer {
  /** What a user types as the Alfred URL: `http://127.0.0.1:<port>`. */
  url: string;
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  return new Request(new URL(req.url ?? "/", origin), { method: req.method, headers, body });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Alfred's REST API and callback endpoint behind a real HTTP server on loopback, routed as the
 * Next.js app routes them (`/api/v1/automations/callbacks` POST, everything else under `/api/v1`).
 */
export async function startAlfredServer(deps: ApiDeps): Promise<AlfredServer> {
  const resolveApiKey = createApiKeyResolver(deps);
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
    void (async () => {
      const request = await toRequest(req, origin);
      const path = new URL(request.url).pathname;
      if (!path.startsWith("/api/v1/")) return send(res, Response.json({ error: { code: "not_found" } }, { status: 404 }));
      const subpath = path.slice("/api/v1".length);
      const response = subpath === "/automations/callbacks" && request.method === "POST" ? await handleCallback(request, deps) : await handleRestRequest(request, subpath, deps, { resolveApiKey });
      await send(res, response);
    })().catch((err: Error) => {
      res.writeHead(500);
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
