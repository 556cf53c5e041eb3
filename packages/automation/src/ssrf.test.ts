import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError } from "@alfred/core";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  assertUrlAllowedAtSend,
  classifyAddress,
  createGuardedDispatcher,
  createGuardedLookup,
  isExemptByAllowlist,
  parseHostLiteral,
  parseSsrfAllowlist,
  SsrfBlockedError,
  validateDestinationUrl,
  type HostResolver,
} from "./ssrf";

/** A resolver that answers from a table and never touches real DNS. */
function fakeResolver(table: Record<string, string[]>): HostResolver {
  return vi.fn(async (hostname: string) => {
    const addresses = table[hostname.toLowerCase()];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  });
}

const mustNotResolve: HostResolver = async (hostname) => {
  throw new Error(`resolver must not be called (asked for ${hostname})`);
};

/** Every spelling of a blocked destination, as it would appear in a URL host. */
const BLOCKED_HOSTS: [host: string, why: string][] = [
  ["127.0.0.1", "loopback"],
  ["2130706433", "loopback, decimal"],
  ["0x7f000001", "loopback, hex"],
  ["0X7F000001", "loopback, upper-case hex"],
  ["0177.0.0.1", "loopback, octal first part"],
  ["017700000001", "loopback, octal whole"],
  ["127.1", "loopback, two parts"],
  ["127.0.1", "loopback, three parts"],
  ["0x7f.1", "loopback, hex two parts"],
  ["0x7f.0.0.1", "loopback, mixed"],
  ["127.0.0.1.", "loopback, trailing dot"],
  ["127.255.255.254", "loopback, end of 127/8"],
  ["[::ffff:127.0.0.1]", "IPv4-mapped loopback"],
  ["[::ffff:7f00:1]", "IPv4-mapped loopback, hex"],
  ["[0:0:0:0:0:ffff:7f00:1]", "IPv4-mapped loopback, uncompressed"],
  ["[::127.0.0.1]", "IPv4-compatible loopback"],
  ["0", "0.0.0.0 as a single number"],
  ["0.0.0.0", "this network"],
  ["0.255.255.255", "this network, end"],
  ["10.0.0.1", "RFC 1918"],
  ["012.0.0.1", "RFC 1918, octal"],
  ["172.16.0.1", "RFC 1918"],
  ["172.31.255.255", "RFC 1918, end"],
  ["192.168.1.1", "RFC 1918"],
  ["0xc0a80101", "RFC 1918, hex"],
  ["169.254.169.254", "cloud metadata"],
  ["2852039166", "cloud metadata, decimal"],
  ["0xa9.0xfe.0xa9.0xfe", "cloud metadata, hex parts"],
  ["[::ffff:169.254.169.254]", "cloud metadata, IPv4-mapped"],
  ["169.254.0.1", "link-local"],
  ["100.64.0.1", "CGNAT"],
  ["100.127.255.255", "CGNAT, end"],
  ["100.100.100.200", "CGNAT (another cloud's metadata)"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast (SSDP)"],
  ["255.255.255.255", "broadcast"],
  ["4294967295", "broadcast, decimal"],
  ["240.0.0.1", "reserved 240/4"],
  ["192.0.2.1", "TEST-NET-1"],
  ["198.51.100.7", "TEST-NET-2"],
  ["203.0.113.9", "TEST-NET-3"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking, end"],
  ["192.0.0.8", "IETF protocol assignments"],
  ["192.88.99.1", "6to4 relay anycast"],
  ["[::]", "IPv6 unspecified"],
  ["[::1]", "IPv6 loopback"],
  ["[0:0:0:0:0:0:0:1]", "IPv6 loopback, uncompressed"],
  ["[2001:db8::1]", "IPv6 documentation"],
  ["[3fff::1]", "IPv6 documentation (RFC 9637)"],
  ["[fc00::1]", "ULA"],
  ["[fd12:3456:789a::1]", "ULA"],
  ["[fd00:ec2::254]", "ULA (cloud metadata over IPv6)"],
  ["[fe80::1]", "IPv6 link-local"],
  ["[febf:ffff::1]", "IPv6 link-local, end"],
  ["[fec0::1]", "IPv6 site-local"],
  ["[ff02::1]", "IPv6 multicast"],
  ["[100::1]", "discard-only"],
  ["[::ffff:10.0.0.1]", "IPv4-mapped RFC 1918"],
  ["[64:ff9b::7f00:1]", "NAT64 of loopback"],
  ["[64:ff9b::a9fe:a9fe]", "NAT64 of metadata"],
  ["[64:ff9b:1::1]", "local-use NAT64"],
  ["[2002:7f00:1::]", "6to4 of loopback"],
  ["[2002:c0a8:101::1]", "6to4 of 192.168.1.1"],
  ["[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "Teredo"],
  ["[2001:2::1]", "IPv6 benchmarking"],
  ["[::ffff:0:7f00:1]", "SIIT IPv4-translated (outside 2000::/3)"],
  ["[4000::1]", "unassigned IPv6 (outside 2000::/3)"],
];

const PUBLIC_HOSTS: [host: string, why: string][] = [
  ["8.8.8.8", "public"],
  ["1.1.1.1", "public"],
  ["93.184.215.14", "public"],
  ["134744072", "8.8.8.8 as one decimal number"],
  ["9.255.255.255", "just below 10/8"],
  ["11.0.0.0", "just above 10/8"],
  ["100.63.255.255", "just below CGNAT"],
  ["100.128.0.0", "just above CGNAT"],
  ["126.255.255.255", "just below 127/8"],
  ["128.0.0.0", "just above 127/8"],
  ["169.253.255.255", "just below link-local"],
  ["172.15.255.255", "just below 172.16/12"],
  ["172.32.0.0", "just above 172.16/12"],
  ["192.167.255.255", "just below 192.168/16"],
  ["198.17.255.255", "just below benchmarking"],
  ["198.20.0.0", "just above benchmarking"],
  ["223.255.255.255", "just below multicast"],
  ["[2606:4700:4700::1111]", "public IPv6"],
  ["[2001:4860:4860::8888]", "public IPv6"],
  ["[2a00:1450:4001:80b::200e]", "public IPv6"],
  ["[::ffff:8.8.8.8]", "IPv4-mapped public"],
  ["[64:ff9b::808:808]", "NAT64 of public"],
  ["[2002:808:808::1]", "6to4 of public"],
];

describe("parseHostLiteral", () => {
  it.each([
    ["2130706433", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["0x7f.1", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["4294967295", "255.255.255.255"],
    ["0x", "0.0.0.0"],
    ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["[::ffff:7f00:1]", "::ffff:7f00:1"],
    ["[::127.0.0.1]", "::7f00:1"],
    ["[2001:DB8:0:0:0:0:0:1]", "2001:db8::1"],
    ["::1", "::1"],
    ["fe80::1%eth0", "fe80::1"],
  ])("%s -> %s", (host, expected) => {
    expect(parseHostLiteral(host)).toBe(expected);
  });

  it.each([
    "example.com",
    "localhost",
    "hooks.activepieces.com",
    "1.2.3.256",
    "256.0.0.1",
    "4294967296",
    "1.2.3.4.5",
    "08.0.0.1",
    "0x7g.1",
    "127.0.0.1..",
    "",
    "[example.com]",
    "[::1",
    "1.2.3.4:80",
  ])("%j is not an IP literal", (host) => {
    expect(parseHostLiteral(host)).toBeNull();
  });

  it("agrees with the WHATWG URL parser on every IPv4 spelling", () => {
    for (const [host] of [...BLOCKED_HOSTS, ...PUBLIC_HOSTS]) {
      if (host.startsWith("[")) continue;
      expect(parseHostLiteral(host), host).toBe(new URL(`http://${host}/`).hostname);
    }
  });
});

describe("classifyAddress", () => {
  it.each(BLOCKED_HOSTS)("blocks %s (%s)", (host) => {
    const verdict = classifyAddress(host);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason.length).toBeGreaterThan(3);
  });

  it.each(PUBLIC_HOSTS)("allows %s (%s)", (host) => {
    expect(classifyAddress(host)).toEqual({ allowed: true });
  });

  it("names the reason, including for the embedded IPv4 of IPv6 forms", () => {
    expect(classifyAddress("127.0.0.1")).toEqual({ allowed: false, reason: "loopback" });
    expect(classifyAddress("169.254.169.254")).toMatchObject({ reason: expect.stringMatching(/metadata/) });
    expect(classifyAddress("::ffff:10.1.2.3")).toMatchObject({ reason: expect.stringMatching(/IPv4-mapped.*10\.1\.2\.3.*RFC 1918/) });
    expect(classifyAddress("2002:a9fe:a9fe::")).toMatchObject({ reason: expect.stringMatching(/6to4.*169\.254\.169\.254/) });
  });

  it.each(["example.com", "", "not an ip", "999.1.1.1"])("fails closed on %j", (input) => {
    expect(classifyAddress(input)).toEqual({ allowed: false, reason: "not an IP address" });
  });
});

describe("parseSsrfAllowlist / isExemptByAllowlist", () => {
  const allowlist = parseSsrfAllowlist("127.0.0.1:4000, 10.1.0.0/16,[::1]:5000 ,sink.local:8080,fd00::/8");

  it("parses host:port and CIDR entries; empty specs allow nothing", () => {
    expect(allowlist.entries.map((e) => e.kind)).toEqual(["host_port", "cidr", "host_port", "host_port", "cidr"]);
    expect(parseSsrfAllowlist("").entries).toEqual([]);
    expect(parseSsrfAllowlist(undefined).entries).toEqual([]);
    expect(parseSsrfAllowlist(" , ").entries).toEqual([]);
  });

  it.each([
    ["127.0.0.1", 4000, true],
    ["0x7f.1", 4000, true], // same host, other spelling
    ["::ffff:127.0.0.1", 4000, true], // same IPv4 host through its mapped form
    ["127.0.0.1", 4001, false], // other port
    ["127.0.0.1", 80, false],
    ["127.0.0.2", 4000, false], // other host, same port
    ["localhost", 4000, false], // a name is not the address it might resolve to
    ["10.1.2.3", 443, true], // CIDR: any port
    ["10.1.255.255", 1, true],
    ["10.2.0.1", 443, false], // just outside the CIDR
    ["::ffff:10.1.2.3", 443, true],
    ["::1", 5000, true],
    ["::1", 4000, false],
    ["fd12::1", 80, true],
    ["fe80::1", 80, false],
    ["sink.local", 8080, true],
    ["SINK.local.", 8080, true],
    ["sink.local", 80, false],
    ["other.local", 8080, false],
    ["sink.local.evil.com", 8080, false],
    ["127.0.0.1", 8080, false],
  ])("%s:%s exempt = %s", (host, port, expected) => {
    expect(isExemptByAllowlist(allowlist, host, port)).toBe(expected);
  });

  it.each([
    ["127.0.0.1", /missing port/],
    ["localhost", /missing port/],
    ["[::1]", /missing port/],
    ["127.0.0.1:0", /port must be 1-65535/],
    ["127.0.0.1:65536", /port must be 1-65535/],
    ["127.0.0.1:abc", /port must be 1-65535/],
    ["127.0.0.1:", /port must be 1-65535/],
    ["127.0.0.1:+80", /port must be 1-65535/],
    ["::1:4000", /IPv6 hosts go in brackets/],
    ["http://127.0.0.1:4000", /a URL, not host:port/],
    ["[nope]:80", /not a valid host/],
    ["[127.0.0.1]:80", /not a valid host/],
    ["foo bar:80", /not a valid host/],
    ["*:80", /not a valid host/],
    [":80", /not a valid host/],
    ["10.0.0.0/33", /not a valid CIDR/],
    ["10.0.0/8", /not a valid CIDR/],
    ["0x0a000000/8", /not a valid CIDR/],
    ["fd00::/129", /not a valid CIDR/],
  ])("rejects the entry %j", (spec, message) => {
    expect(() => parseSsrfAllowlist(spec)).toThrow(message);
  });
});

describe("validateDestinationUrl", () => {
  async function problem(url: string, options: Parameters<typeof validateDestinationUrl>[1] = {}): Promise<AppError> {
    try {
      await validateDestinationUrl(url, options);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: "validation_error", path: "url", status: 422 });
      return error as AppError;
    }
    throw new Error(`expected ${url} to be rejected`);
  }

  it("accepts a public https URL and returns it parsed", async () => {
    const resolve = fakeResolver({ "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] });
    const url = await validateDestinationUrl("https://hooks.example.com/webhooks/abc?x=1", { resolve });
    expect(url.href).toBe("https://hooks.example.com/webhooks/abc?x=1");
    expect(resolve).toHaveBeenCalledWith("hooks.example.com");
  });

  it("accepts a public IP literal without resolving", async () => {
    await expect(validateDestinationUrl("http://8.8.8.8:8080/x", { resolve: mustNotResolve })).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ["ftp://example.com/file", /http or https, not ftp/],
    ["file:///etc/passwd", /http or https/],
    ["javascript:alert(1)", /http or https/],
    ["gopher://example.com:70/", /http or https/],
    ["ws://example.com/socket", /http or https/],
    ["http://user:pass@example.com/", /username or password/],
    ["https://user@example.com/", /username or password/],
    ["https://:pass@example.com/", /username or password/],
    ["not a url", /valid absolute URL/],
    ["/relative/path", /valid absolute URL/],
    ["http://", /valid absolute URL/],
    ["http://foo.123/", /valid absolute URL/],
    [`https://example.com/${"a".repeat(2100)}`, /at most 2048/],
  ])("rejects %s", async (url, message) => {
    expect((await problem(url, { resolve: mustNotResolve })).message).toMatch(message);
  });

  it.each(BLOCKED_HOSTS)("rejects the literal host %s (%s) without resolving", async (host) => {
    const error = await problem(`http://${host}/hook`, { resolve: mustNotResolve });
    expect(error.message).toMatch(/not allowed/);
  });

  it.each(["localhost", "LOCALHOST", "api.localhost", "localhost."])("rejects %s as loopback without resolving", async (host) => {
    expect((await problem(`http://${host}:3000/`, { resolve: mustNotResolve })).message).toMatch(/loopback/);
  });

  it.each([
    ["a name resolving to 127.0.0.1", ["127.0.0.1"], /resolves to 127\.0\.0\.1.*loopback/],
    ["a name resolving to the metadata address", ["169.254.169.254"], /metadata/],
    ["a name resolving to an IPv4-mapped private address", ["::ffff:192.168.0.10"], /IPv4-mapped/],
    ["a name resolving to ::1", ["::1"], /loopback/],
    ["mixed public and private answers", ["93.184.215.14", "10.0.0.5"], /10\.0\.0\.5.*RFC 1918/],
    ["mixed, private first", ["192.168.1.1", "93.184.215.14"], /192\.168\.1\.1/],
    ["no addresses at all", [], /could not be resolved/],
  ])("rejects %s", async (_name, addresses, message) => {
    const resolve = fakeResolver({ "rebind.test": addresses });
    expect((await problem("https://rebind.test/hook", { resolve })).message).toMatch(message);
  });

  it("rejects a name that does not resolve", async () => {
    expect((await problem("https://nxdomain.test/", { resolve: fakeResolver({}) })).message).toMatch(/could not be resolved/);
  });

  it("exempts exactly what the allow-list names", async () => {
    const allowlist = parseSsrfAllowlist("127.0.0.1:4000,localhost:5173,172.20.0.0/16");
    const resolve = fakeResolver({ "sink.test": ["127.0.0.1"], "docker.test": ["172.20.0.3"], localhost: ["127.0.0.1"] });
    await expect(validateDestinationUrl("http://127.0.0.1:4000/hook", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://sink.test:4000/hook", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://localhost:5173/", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://docker.test:9999/", { allowlist, resolve })).resolves.toBeInstanceOf(URL);
    await expect(validateDestinationUrl("http://2130706433:4000/", { allowlist, resolve })).resolves.toBeInstanceOf(URL);

    expect((await problem("http://127.0.0.1:4001/hook", { allowlist, resolve })).message).toMatch(/loopback/);
    expect((await problem("http://127.0.0.1/hook", { allowlist, resolve })).message).toMatch(/loopback/);
    expect((await problem("http://sink.test:4001/hook", { allowlist, resolve })).message).toMatch(/loopback/);
    expect((await problem("http://localhost:4000/", { allowlist, resolve: mustNotResolve })).message).toMatch(/loopback/);
    expect((await problem("http://10.0.0.1:4000/", { allowlist, resolve })).message).toMatch(/RFC 1918/);
  });
});

describe("assertUrlAllowedAtSend", () => {
  it.each(BLOCKED_HOSTS)("refuses the literal host %s (%s)", (host) => {
    expect(() => assertUrlAllowedAtSend(`http://${host}/hook`)).toThrow(SsrfBlockedError);
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
    expect(result.error?.message).toMatch(/127\.0\.0\.1.*loopback/);
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
      await expect(request(`http://rebind.test:${port}/`, { dispatcher })).rejects.toThrow(/loopback/);
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
