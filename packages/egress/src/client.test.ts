import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSsrfAllowlist } from "./allowlist";
import { createEgressClient, type EgressClient } from "./client";
import { EgressError } from "./errors";
import { BLOCKED_HOSTS, fakeResolver, startConnectionTrap, type ConnectionTrap } from "./testing";

// The only sockets here: a fake provider and a trap, both on 127.0.0.1; the allow-list names the
// fake provider's port and nothing else.
let server: Server;
let port: number;
let trap: ConnectionTrap;
let client: EgressClient;
const seen: { method: string; url: string; host: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", host: req.headers.host, body: Buffer.concat(chunks).toString("utf8") });
      if (req.url === "/redirect") return void res.writeHead(307, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      if (req.url === "/big") return void res.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(100_000));
      if (req.url === "/hang") return; // never answers
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, echo: req.method }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  trap = await startConnectionTrap();
  client = createEgressClient({
    ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${port}`),
    resolve: fakeResolver({ "graph.fake.test": ["127.0.0.1"], "trap.fake.test": ["127.0.0.1"], "rebind.fake.test": ["93.184.215.14", "127.0.0.1"], localhost: ["127.0.0.1", "::1"] }),
  });
});

afterAll(async () => {
  await client.close();
  await trap.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(promise: Promise<unknown>): Promise<EgressError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EgressError);
  return error as EgressError;
}

describe("createEgressClient: the allow-list lets the test's fake provider through", () => {
  it("POSTs JSON to the allow-listed port by IP and by a name resolving there, and reads JSON", async () => {
    const byIp = await client.postJson(`http://127.0.0.1:${port}/v21.0/1/messages`, JSON.stringify({ a: 1 }));
    expect(byIp).toMatchObject({ status: 200, json: { ok: true, echo: "POST" }, truncated: false });
    const byName = await client.getJson(`http://graph.fake.test:${port}/v21.0/me`);
    expect(byName.json).toEqual({ ok: true, echo: "GET" });
    expect(seen.slice(-2).map((r) => [r.method, r.url, r.host])).toEqual([
      ["POST", "/v21.0/1/messages", `127.0.0.1:${port}`],
      ["GET", "/v21.0/me", `graph.fake.test:${port}`],
    ]);
    expect(seen.at(-2)?.body).toBe('{"a":1}');
  });

  it("does not follow redirects: the 3xx is the answer", async () => {
    const answer = await client.postJson(`http://127.0.0.1:${port}/redirect`, "{}");
    expect(answer.status).toBe(307);
    expect(answer.headers.location).toBe("http://169.254.169.254/latest/meta-data/");
  });

  it("keeps at most maxResponseBytes of an answer", async () => {
    const answer = await client.getJson(`http://127.0.0.1:${port}/big`, { maxResponseBytes: 1000 });
    expect(answer).toMatchObject({ status: 200, truncated: true, json: undefined });
    expect(answer.text).toHaveLength(1000);
  });

  it("times out the whole exchange, saying so without naming the host", async () => {
    const error = await failure(client.postJson(`http://127.0.0.1:${port}/hang`, "{}", { timeoutMs: 300 }));
    expect(error).toMatchObject({ kind: "timeout", message: "no answer within 300 ms" });
  });
});

describe("createEgressClient: and nothing else", () => {
  it.each(BLOCKED_HOSTS)("refuses %s (%s) on the trap's port before connecting", async (host) => {
    const error = await failure(client.postJson(`http://${host}:${trap.port}/v21.0/1/messages`, "{}"));
    expect(error).toMatchObject({ kind: "address_not_allowed", message: "address not allowed" });
    expect(error.detail).toMatch(/refusing to connect/);
    expect(trap.connections).toBe(0);
  });

  it("refuses the allow-listed host on another port, and names resolving to loopback", async () => {
    for (const url of [
      `http://127.0.0.1:${trap.port}/`,
      `http://trap.fake.test:${trap.port}/`,
      `http://rebind.fake.test:${trap.port}/`,
      `http://localhost:${trap.port}/`,
    ]) {
      expect(await failure(client.getJson(url)), url).toMatchObject({ kind: "address_not_allowed", message: "address not allowed" });
    }
    expect(trap.connections).toBe(0);
  });

  it.each([
    ["ftp://8.8.8.8/", /must use http or https/],
    ["http://user:pass@8.8.8.8/", /username or password/],
    ["nonsense", /not a valid absolute URL/],
  ])("refuses the malformed %s as invalid_url", async (url, message) => {
    const error = await failure(client.getJson(url));
    expect(error.kind).toBe("invalid_url");
    expect(error.message).toMatch(message);
  });

  it("reports a refused connection by its code, not by the address", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const lenient = createEgressClient({ ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${closedPort}`) });
    try {
      const error = await failure(lenient.getJson(`http://127.0.0.1:${closedPort}/`));
      expect(error).toMatchObject({ kind: "network", message: "connection failed (ECONNREFUSED)" });
      expect(error.detail).toContain("ECONNREFUSED");
    } finally {
      await lenient.close();
    }
  });
});
