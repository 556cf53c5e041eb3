import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSsrfAllowlist } from "./allowlist";
import { assertUrlAllowedAtSend, connectGuarded, createGuardedDispatcher, createGuardedLookup, SsrfBlockedError } from "./guard";
import { BLOCKED_HOSTS, fakeResolver, startConnectionTrap } from "./testing";

describe("assertUrlAllowedAtSend", () => {
  it.each(BLOCKED_HOSTS)("refuses the literal host %s (%s) over http and smtp", (host) => {
    expect(() => assertUrlAllowedAtSend(`http://${host}/hook`)).toThrow(SsrfBlockedError);
    expect(() => assertUrlAllowedAtSend(`smtps://u:p@${host}:465`, undefined, "smtp")).toThrow(SsrfBlockedError);
  });

  it("tells tenants only 'address not allowed'; the reason is for operators", () => {
    const error = (() => {
      try {
        assertUrlAllowedAtSend("http://[::ffff:169.254.169.254]/latest/meta-data/");
      } catch (e) {
        return e as SsrfBlockedError;
      }
    })();
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect(error?.message).toBe("address not allowed");
    expect(error?.reason).toMatch(/169\.254\.169\.254.*metadata/);
    expect(error?.address).toBe("::ffff:a9fe:a9fe");
  });

  it.each([
    ["ftp://8.8.8.8/", /http or https/],
    ["http://u:p@8.8.8.8/", /username or password/],
    ["nonsense", /valid absolute URL/],
  ])("refuses %s", (url, message) => {
    expect(() => assertUrlAllowedAtSend(url)).toThrow(message);
  });

  it("lets public literals and names through (names are checked when the dispatcher resolves them)", () => {
    expect(() => assertUrlAllowedAtSend("https://8.8.8.8/hook")).not.toThrow();
    expect(() => assertUrlAllowedAtSend(new URL("https://hooks.example.com/hook"))).not.toThrow();
  });

  it("honours the allow-list for exactly the named port", () => {
    const allowlist = parseSsrfAllowlist("127.0.0.1:4000");
    expect(() => assertUrlAllowedAtSend("http://127.0.0.1:4000/hook", allowlist)).not.toThrow();
    expect(() => assertUrlAllowedAtSend("http://127.0.0.1:4001/hook", allowlist)).toThrow(SsrfBlockedError);
  });
});

describe("createGuardedLookup", () => {
  type LookupResult = { error: NodeJS.ErrnoException | null; address: unknown; family?: number };
  function lookupOnce(lookup: ReturnType<typeof createGuardedLookup>, hostname: string, options: { all?: boolean; family?: number }) {
    return new Promise<LookupResult>((resolve) => {
      lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
    });
  }

  const resolve = fakeResolver({
    "public.test": ["93.184.215.14", "2606:4700:4700:0:0:0:0:1111"],
    "rebind.test": ["93.184.215.14", "127.0.0.1"],
    "sink.test": ["127.0.0.1"],
  });

  it("returns every checked address (canonical) when asked for all", async () => {
    const lookup = createGuardedLookup({ allowlist: parseSsrfAllowlist(""), resolve, port: 443 });
    const result = await lookupOnce(lookup, "public.test", { all: true });
    expect(result.error).toBeNull();
    expect(result.address).toEqual([
      { address: "93.184.215.14", family: 4 },
      { address: "2606:4700:4700::1111", family: 6 },
    ]);
  });

  it("returns one checked address, honouring the family, in single mode", async () => {
    const lookup = createGuardedLookup({ allowlist: parseSsrfAllowlist(""), resolve, port: 443 });
    expect(await lookupOnce(lookup, "public.test", {})).toMatchObject({ error: null, address: "93.184.215.14", family: 4 });
    expect(await lookupOnce(lookup, "public.test", { family: 6 })).toMatchObject({ error: null, address: "2606:4700:4700::1111", family: 6 });
  });

  it("refuses the whole answer when any address is blocked", async () => {
    const lookup = createGuardedLookup({ allowlist: parseSsrfAllowlist(""), resolve, port: 443 });
    const result = await lookupOnce(lookup, "rebind.test", { all: true });
    expect(result.error).toBeInstanceOf(SsrfBlockedError);
    expect(result.error?.message).toBe("address not allowed");
    expect((result.error as SsrfBlockedError).reason).toMatch(/127\.0\.0\.1.*loopback/);
  });

  it("applies port-exact allow-list entries to resolved addresses", async () => {
    const allowlist = parseSsrfAllowlist("127.0.0.1:4000");
    const allowed = await lookupOnce(createGuardedLookup({ allowlist, resolve, port: 4000 }), "sink.test", { all: true });
    expect(allowed).toMatchObject({ error: null, address: [{ address: "127.0.0.1", family: 4 }] });
    const refused = await lookupOnce(createGuardedLookup({ allowlist, resolve, port: 4001 }), "sink.test", { all: true });
    expect(refused.error).toBeInstanceOf(SsrfBlockedError);
  });

  it("passes resolver failures through", async () => {
    const lookup = createGuardedLookup({ allowlist: parseSsrfAllowlist(""), resolve, port: 443 });
    const result = await lookupOnce(lookup, "nxdomain.test", { all: true });
    expect(result.error?.code).toBe("ENOTFOUND");
  });
});

// The only sockets in this file: a sink bound to 127.0.0.1 on an ephemeral port, never the network.
describe("createGuardedDispatcher", () => {
  let server: Server;
  let port: number;
  let lastHost: string | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      lastHost = req.headers.host;
      if (req.url === "/redirect") {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function dispatcherFor(allowlistSpec: string) {
    return createGuardedDispatcher({
      allowlist: parseSsrfAllowlist(allowlistSpec),
      lookup: fakeResolver({ "sink.test": ["127.0.0.1"], "rebind.test": ["93.184.215.14", "127.0.0.1"] }),
      timeoutMs: 2000,
    });
  }

  it("refuses a name that resolves to 127.0.0.1 (via the injected resolver)", async () => {
    const dispatcher = dispatcherFor("");
    try {
      await expect(request(`http://sink.test:${port}/`, { dispatcher })).rejects.toBeInstanceOf(SsrfBlockedError);
      await expect(request(`http://rebind.test:${port}/`, { dispatcher })).rejects.toMatchObject({ reason: expect.stringMatching(/loopback/) });
      expect(lastHost).toBeUndefined();
    } finally {
      await dispatcher.close();
    }
  });

  it.each(["127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "0x7f.1", "2130706433"])("refuses the IP literal %s itself", async (host) => {
    const dispatcher = dispatcherFor("");
    try {
      await expect(request(`http://${host}:${port}/`, { dispatcher })).rejects.toBeInstanceOf(SsrfBlockedError);
      expect(lastHost).toBeUndefined();
    } finally {
      await dispatcher.close();
    }
  });

  it("connects to the checked address when the allow-list names host and port, and only then", async () => {
    const dispatcher = dispatcherFor(`127.0.0.1:${port}`);
    try {
      const viaName = await request(`http://sink.test:${port}/hook`, { dispatcher });
      expect(viaName.statusCode).toBe(200);
      expect(await viaName.body.text()).toBe("ok");
      expect(lastHost).toBe(`sink.test:${port}`);

      const viaLiteral = await request(`http://127.0.0.1:${port}/hook`, { dispatcher });
      expect(viaLiteral.statusCode).toBe(200);
      await viaLiteral.body.dump();

      const otherPort = port === 65535 ? port - 1 : port + 1;
      await expect(request(`http://sink.test:${otherPort}/`, { dispatcher })).rejects.toBeInstanceOf(SsrfBlockedError);
      await expect(request(`http://127.0.0.1:${otherPort}/`, { dispatcher })).rejects.toBeInstanceOf(SsrfBlockedError);
    } finally {
      await dispatcher.close();
    }
  });

  it("does not follow redirects", async () => {
    const dispatcher = dispatcherFor(`127.0.0.1:${port}`);
    try {
      const response = await request(`http://sink.test:${port}/redirect`, { dispatcher });
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe("http://169.254.169.254/latest/meta-data/");
      await response.body.dump();
    } finally {
      await dispatcher.close();
    }
  });
});

describe("connectGuarded (the socket SMTP is spoken over)", () => {
  it("never opens a socket to a blocked literal, in any spelling, and never to the trap on loopback", async () => {
    const trap = await startConnectionTrap();
    try {
      const policy = { ssrfAllowlist: parseSsrfAllowlist("") };
      for (const [host] of BLOCKED_HOSTS) {
        await expect(connectGuarded(host, trap.port, policy, 2000), host).rejects.toMatchObject({ message: "address not allowed" });
      }
      const resolve = fakeResolver({ "smtp.rebind.test": ["127.0.0.1"], "smtp.mixed.test": ["93.184.215.14", "127.0.0.1"] });
      await expect(connectGuarded("smtp.rebind.test", trap.port, { ...policy, resolve }, 2000)).rejects.toBeInstanceOf(SsrfBlockedError);
      await expect(connectGuarded("smtp.mixed.test", trap.port, { ...policy, resolve }, 2000)).rejects.toBeInstanceOf(SsrfBlockedError);
      expect(trap.connections).toBe(0);
    } finally {
      await trap.close();
    }
  });

  it("connects to the checked address of a name only when the allow-list names host and port", async () => {
    const trap = await startConnectionTrap();
    try {
      const resolve = fakeResolver({ "smtp.sink.test": ["127.0.0.1"] });
      const socket = await connectGuarded("smtp.sink.test", trap.port, { ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${trap.port}`), resolve }, 2000);
      expect(socket.remoteAddress).toBe("127.0.0.1");
      expect(socket.remotePort).toBe(trap.port);
      socket.destroy();
      const literal = await connectGuarded("0x7f.1", trap.port, { ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${trap.port}`) }, 2000);
      expect(literal.remoteAddress).toBe("127.0.0.1");
      literal.destroy();
      expect(resolve.calls).toEqual(["smtp.sink.test"]);
      const otherPort = trap.port === 65535 ? trap.port - 1 : trap.port + 1;
      await expect(connectGuarded("smtp.sink.test", trap.port, { ssrfAllowlist: parseSsrfAllowlist(`127.0.0.1:${otherPort}`), resolve }, 2000)).rejects.toBeInstanceOf(SsrfBlockedError);
      // The trap's accept can run after the client's connect event: wait for the two it did get.
      for (const deadline = Date.now() + 5000; trap.connections < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      expect(trap.connections).toBe(2);
    } finally {
      await trap.close();
    }
  });
});
