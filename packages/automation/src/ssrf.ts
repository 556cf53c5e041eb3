import { promises as dns, type LookupAddress, type LookupOptions } from "node:dns";
import { isIPv6, type LookupFunction } from "node:net";
import { AppError } from "@alfred/core";
import ipaddr from "ipaddr.js";
import { Agent, buildConnector } from "undici";

/**
 * SSRF guard for destination URLs. A tenant admin chooses the URL, and the worker POSTs to it from
 * inside our network, so the URL must never reach loopback, private, link-local (cloud metadata),
 * or otherwise special addresses, in any spelling and through any DNS answer.
 *
 * Two checkpoints, because DNS can change between them (rebinding):
 * - save time, `validateDestinationUrl`: a clear 422 for the admin;
 * - send time, `createGuardedDispatcher`: the address checked is the address connected to, since
 *   our lookup hands the socket the very addresses it approved. Node skips `lookup` for IP
 *   literals, so the dispatcher checks those itself and `assertUrlAllowedAtSend` does it up front.
 *
 * `AUTOMATION_SSRF_ALLOWLIST` exempts exactly what it names, for development and tests.
 */

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

type IPAddress = ipaddr.IPv4 | ipaddr.IPv6;

const ALLOWED: AddressVerdict = { allowed: true };
const blocked = (reason: string): AddressVerdict => ({ allowed: false, reason });

// ---------------------------------------------------------------------------------------------
// Host literals

/**
 * WHATWG URL "IPv4 number parser": `0x` prefix is hex, a leading `0` is octal, `0x` alone is 0.
 * BigInt because a part may be any length and must still be judged exactly.
 */
function parseIPv4Number(part: string): bigint | null {
  if (part === "") return null;
  let digits = part;
  let radix: 8 | 10 | 16 = 10;
  if (digits.length >= 2 && (digits.startsWith("0x") || digits.startsWith("0X"))) {
    digits = digits.slice(2);
    radix = 16;
  } else if (digits.length >= 2 && digits.startsWith("0")) {
    digits = digits.slice(1);
    radix = 8;
  }
  if (digits === "") return 0n;
  const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return null;
  return BigInt(radix === 16 ? `0x${digits}` : radix === 8 ? `0o${digits}` : digits);
}

/**
 * WHATWG URL IPv4 parser (the one browsers and Node's URL use, and the forms `inet_aton` accepts):
 * one to four parts, the last part filling the remaining bytes, so `127.1`, `0x7f.1`,
 * `2130706433`, `0177.0.0.1` are all 127.0.0.1. Returns dotted-decimal or null.
 */
function parseIPv4Literal(host: string): string | null {
  const parts = host.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop(); // "127.0.0.1." is allowed
  if (parts.length > 4) return null;
  const numbers: bigint[] = [];
  for (const part of parts) {
    const n = parseIPv4Number(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop();
  if (last === undefined || numbers.some((n) => n > 255n)) return null;
  if (last >= 256n ** BigInt(5 - (numbers.length + 1))) return null;
  let value = last;
  numbers.forEach((n, i) => {
    value += n * 256n ** BigInt(3 - i);
  });
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join(".");
}

/**
 * IPv6 via the WHATWG serializer (all-hex, compressed) before ipaddr.js, whose parser reads the
 * deprecated `::a.b.c.d` as `::ffff:a.b.c.d`; the address we check must be the one we connect to.
 */
function parseIPv6Literal(text: string): ipaddr.IPv6 | null {
  const withoutZone = text.split("%", 1)[0] ?? ""; // a zone never changes what range it is in
  if (!isIPv6(withoutZone)) return null;
  try {
    const serialized = new URL(`http://[${withoutZone}]/`).hostname;
    return ipaddr.IPv6.parse(serialized.slice(1, -1));
  } catch {
    return null;
  }
}

function parseAddress(host: string): IPAddress | null {
  const h = host.toLowerCase();
  if (h.startsWith("[")) return h.endsWith("]") ? parseIPv6Literal(h.slice(1, -1)) : null;
  if (h.includes(":")) return parseIPv6Literal(h);
  const v4 = parseIPv4Literal(h);
  return v4 === null ? null : ipaddr.IPv4.parse(v4);
}

const canonical = (addr: IPAddress): string => (addr.kind() === "ipv4" ? addr.toString() : (addr as ipaddr.IPv6).toRFC5952String());

/**
 * The canonical address (dotted-decimal IPv4, RFC 5952 IPv6 without brackets) when `host` is an IP
 * literal in any spelling a resolver or browser accepts (`2130706433`, `0x7f000001`, `0177.0.0.1`,
 * `127.1`, `0x7f.1`, `[::ffff:127.0.0.1]`, `[::ffff:7f00:1]`), or null for a hostname.
 */
export function parseHostLiteral(host: string): string | null {
  const addr = parseAddress(host);
  return addr === null ? null : canonical(addr);
}

// ---------------------------------------------------------------------------------------------
// Classification

type Rule<T extends IPAddress> = [range: [T, number], reason: string];

const v4Rule = (cidr: string, reason: string): Rule<ipaddr.IPv4> => [ipaddr.IPv4.parseCIDR(cidr), reason];
const v6Rule = (cidr: string, reason: string): Rule<ipaddr.IPv6> => [ipaddr.IPv6.parseCIDR(cidr), reason];

/** First match wins, so narrow ranges with a more useful reason come before wider ones. */
const IPV4_BLOCKED: readonly Rule<ipaddr.IPv4>[] = [
  v4Rule("0.0.0.0/8", '"this network" (0.0.0.0/8)'),
  v4Rule("10.0.0.0/8", "private network (RFC 1918)"),
  v4Rule("100.64.0.0/10", "carrier-grade NAT (100.64.0.0/10)"),
  v4Rule("127.0.0.0/8", "loopback"),
  v4Rule("169.254.169.254/32", "cloud metadata service (link-local)"),
  v4Rule("169.254.0.0/16", "link-local"),
  v4Rule("172.16.0.0/12", "private network (RFC 1918)"),
  v4Rule("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
  v4Rule("192.0.2.0/24", "documentation (TEST-NET-1)"),
  v4Rule("192.88.99.0/24", "deprecated 6to4 relay anycast (192.88.99.0/24)"),
  v4Rule("192.168.0.0/16", "private network (RFC 1918)"),
  v4Rule("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
  v4Rule("198.51.100.0/24", "documentation (TEST-NET-2)"),
  v4Rule("203.0.113.0/24", "documentation (TEST-NET-3)"),
  v4Rule("224.0.0.0/4", "multicast"),
  v4Rule("255.255.255.255/32", "broadcast"),
  v4Rule("240.0.0.0/4", "reserved (240.0.0.0/4)"),
];

const IPV6_BLOCKED: readonly Rule<ipaddr.IPv6>[] = [
  v6Rule("::/128", "unspecified address (::)"),
  v6Rule("::1/128", "loopback (::1)"),
  v6Rule("64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)"),
  v6Rule("100::/64", "discard-only (100::/64)"),
  // Teredo tunnels to an arbitrary (obfuscated) IPv4 peer; no webhook receiver lives there.
  v6Rule("2001::/32", "Teredo tunnel (2001::/32)"),
  v6Rule("2001:db8::/32", "documentation (2001:db8::/32)"),
  v6Rule("2001::/23", "IETF protocol assignments (2001::/23)"),
  v6Rule("3fff::/20", "documentation (3fff::/20)"),
  v6Rule("fc00::/7", "unique local address (fc00::/7)"),
  v6Rule("fe80::/10", "link-local (fe80::/10)"),
  v6Rule("fec0::/10", "deprecated site-local (fec0::/10)"),
  v6Rule("ff00::/8", "multicast"),
];

/** IPv6 forms that carry an IPv4 destination: judged by that IPv4, or they would be a bypass. */
const IPV6_EMBEDDING_IPV4: readonly [range: [ipaddr.IPv6, number], label: string, firstByte: number][] = [
  [ipaddr.IPv6.parseCIDR("::ffff:0:0/96"), "IPv4-mapped", 12],
  [ipaddr.IPv6.parseCIDR("::/96"), "IPv4-compatible", 12],
  [ipaddr.IPv6.parseCIDR("64:ff9b::/96"), "NAT64", 12],
  [ipaddr.IPv6.parseCIDR("2002::/16"), "6to4", 2],
];

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR("2000::/3");

function classifyIPv4(addr: ipaddr.IPv4): AddressVerdict {
  const rule = IPV4_BLOCKED.find(([range]) => addr.match(range));
  return rule ? blocked(rule[1]) : ALLOWED;
}

function classifyIPv6(addr: ipaddr.IPv6): AddressVerdict {
  const rule = IPV6_BLOCKED.find(([range]) => addr.match(range));
  if (rule) return blocked(rule[1]);
  for (const [range, label, firstByte] of IPV6_EMBEDDING_IPV4) {
    if (!addr.match(range)) continue;
    const embedded = new ipaddr.IPv4(addr.toByteArray().slice(firstByte, firstByte + 4));
    const verdict = classifyIPv4(embedded);
    return verdict.allowed ? verdict : blocked(`${label} form of ${embedded.toString()}, ${verdict.reason}`);
  }
  // Everything outside 2000::/3 is unassigned or special-purpose.
  return addr.match(GLOBAL_UNICAST_V6) ? ALLOWED : blocked("reserved (outside global unicast 2000::/3)");
}

function classifyParsed(addr: IPAddress): AddressVerdict {
  return addr.kind() === "ipv4" ? classifyIPv4(addr as ipaddr.IPv4) : classifyIPv6(addr as ipaddr.IPv6);
}

/**
 * Whether a webhook may be sent to this address. Accepts any spelling `parseHostLiteral` accepts;
 * anything that is not an IP address is refused (fail closed).
 */
export function classifyAddress(ip: string): AddressVerdict {
  const addr = parseAddress(ip);
  return addr === null ? blocked("not an IP address") : classifyParsed(addr);
}

// ---------------------------------------------------------------------------------------------
// Allow-list

export type SsrfAllowlistEntry =
  | { kind: "host_port"; host: string; port: number; source: string }
  | { kind: "cidr"; range: [IPAddress, number]; source: string };

export interface SsrfAllowlist {
  readonly entries: readonly SsrfAllowlistEntry[];
}

export const EMPTY_ALLOWLIST: SsrfAllowlist = Object.freeze({ entries: Object.freeze([]) });

const HOSTNAME = /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

function normaliseHostname(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

function parseAllowlistEntry(source: string): SsrfAllowlistEntry {
  const fail = (why: string) =>
    new Error(`AUTOMATION_SSRF_ALLOWLIST entry "${source}": ${why} (expected host:port, [ipv6]:port or a CIDR like 10.0.0.0/8)`);

  if (source.includes("://")) throw fail("a URL, not host:port");
  if (source.includes("/")) {
    // Only canonical CIDRs: an allow-list is a security setting and should read unambiguously.
    const [addressPart = ""] = source.split("/");
    const valid = addressPart.includes(":") ? ipaddr.IPv6.isValidCIDR(source) : ipaddr.IPv4.isValidCIDRFourPartDecimal(source);
    if (!valid) throw fail("not a valid CIDR");
    return { kind: "cidr", range: ipaddr.parseCIDR(source), source };
  }

  const hostPort = /^\[([^\]]*)\](?::(.*))?$/.exec(source) ?? /^([^:[\]]*)(?::([^:]*))?$/.exec(source);
  if (!hostPort) throw fail("not host:port (IPv6 hosts go in brackets, e.g. [::1]:4000)");
  const [, hostText = "", portText] = hostPort;
  if (portText === undefined) throw fail("missing port; use a CIDR such as 127.0.0.1/32 to allow every port");
  const port = parsePort(portText);
  if (port === null) throw fail("port must be 1-65535");
  const literal = source.startsWith("[") ? parseIPv6Literal(hostText) : parseAddress(hostText);
  if (literal !== null) return { kind: "host_port", host: canonical(unmapped(literal)), port, source };
  if (source.startsWith("[") || !HOSTNAME.test(hostText.toLowerCase())) throw fail("not a valid host");
  return { kind: "host_port", host: normaliseHostname(hostText), port, source };
}

/**
 * Parses `AUTOMATION_SSRF_ALLOWLIST`: comma-separated `host:port` (`127.0.0.1:4000`,
 * `sink.local:8080`, `[::1]:4000`: that host on that port only) or CIDRs (`10.0.0.0/8`: any port).
 * A bare host is rejected rather than silently widened to every port. Throws on a bad entry so a
 * typo stops start-up instead of quietly blocking (or allowing) something else.
 */
export function parseSsrfAllowlist(spec: string | null | undefined): SsrfAllowlist {
  const sources = (spec ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return { entries: sources.map(parseAllowlistEntry) };
}

function unmapped(addr: IPAddress): IPAddress {
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/**
 * Whether the allow-list exempts a connection to `host` (a hostname or an IP literal) on `port`.
 * `host:port` entries match that exact host and port; CIDR entries match IP hosts inside them.
 */
export function isExemptByAllowlist(allowlist: SsrfAllowlist, host: string, port: number): boolean {
  if (allowlist.entries.length === 0) return false;
  const addr = parseAddress(host);
  // An IPv4-mapped spelling reaches the same IPv4 host, so it matches that host's entries.
  const comparable = addr === null ? null : unmapped(addr);
  const key = comparable === null ? normaliseHostname(host) : canonical(comparable);
  return allowlist.entries.some((entry) => {
    if (entry.kind === "host_port") return entry.port === port && entry.host === key;
    if (comparable === null) return false;
    const [network] = entry.range;
    // ipaddr.js throws when matching across families, so compare like with like.
    return network.kind() === comparable.kind() && comparable.match(entry.range as never);
  });
}

/** Verdict for connecting to `address` on `port`, reached through `hostname` when there was one. */
function checkConnection(address: string, port: number, allowlist: SsrfAllowlist, hostname?: string): AddressVerdict {
  if (hostname !== undefined && isExemptByAllowlist(allowlist, hostname, port)) return ALLOWED;
  if (isExemptByAllowlist(allowlist, address, port)) return ALLOWED;
  return classifyAddress(address);
}

// ---------------------------------------------------------------------------------------------
// Save time

export interface ResolvedAddress {
  address: string;
  family?: number;
}

/** Resolves a hostname to every address it has; injectable so tests never touch real DNS. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (getaddrinfo, so /etc/hosts counts), every address, in resolver order. */
export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

const MAX_URL_LENGTH = 2048;

function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/** RFC 6761: `localhost` and `*.localhost` are loopback whatever a resolver says. */
function isLocalhostName(hostname: string): boolean {
  const h = normaliseHostname(hostname);
  return h === "localhost" || h.endsWith(".localhost");
}

function urlProblem(message: string): AppError {
  return new AppError("validation_error", message, { path: "url" });
}

/** Parses and checks scheme, credentials and host presence: rules shared by save and send time. */
function parseDestinationUrl(input: string | URL, fail: (message: string) => Error): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw fail("URL is not a valid absolute URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw fail(`URL must use http or https, not ${url.protocol.replace(/:$/, "")}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw fail("URL must not contain a username or password; the request is authenticated by its signature");
  }
  if (url.hostname === "") throw fail("URL must include a host");
  return url;
}

export interface ValidateDestinationUrlOptions {
  allowlist?: SsrfAllowlist;
  resolve?: HostResolver;
}

/**
 * Save-time check of a destination URL. Resolves names and requires EVERY address to be allowed:
 * one private answer among public ones is how DNS rebinding starts. Returns the parsed URL; throws
 * AppError('validation_error', <reason>, {path: 'url'}).
 */
export async function validateDestinationUrl(input: string, options: ValidateDestinationUrlOptions = {}): Promise<URL> {
  const { allowlist = EMPTY_ALLOWLIST, resolve = systemResolver } = options;
  if (input.length > MAX_URL_LENGTH) throw urlProblem(`URL must be at most ${MAX_URL_LENGTH} characters`);
  const url = parseDestinationUrl(input, urlProblem);
  const port = effectivePort(url);
  const literal = parseHostLiteral(url.hostname);

  if (literal !== null) {
    const verdict = checkConnection(literal, port, allowlist);
    if (!verdict.allowed) throw urlProblem(`URL points to ${literal}, which is not allowed: ${verdict.reason}`);
    return url;
  }

  const hostname = url.hostname;
  if (isExemptByAllowlist(allowlist, hostname, port)) return url;
  if (isLocalhostName(hostname)) throw urlProblem(`URL host "${hostname}" is not allowed: loopback`);

  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await resolve(hostname);
  } catch {
    throw urlProblem(`URL host "${hostname}" could not be resolved`);
  }
  if (addresses.length === 0) throw urlProblem(`URL host "${hostname}" could not be resolved`);
  for (const { address } of addresses) {
    const verdict = checkConnection(address, port, allowlist, hostname);
    if (!verdict.allowed) {
      throw urlProblem(`URL host "${hostname}" resolves to ${address}, which is not allowed: ${verdict.reason}`);
    }
  }
  return url;
}

// ---------------------------------------------------------------------------------------------
// Send time

/** A send-time refusal; the delivery records it as a failed attempt with this error class. */
export class SsrfBlockedError extends Error {
  readonly code = "ssrf_blocked";
  readonly address: string | undefined;

  constructor(message: string, address?: string) {
    super(message);
    this.name = "SsrfBlockedError";
    this.address = address;
  }
}

/**
 * Send-time check for what the connection lookup never sees: scheme, credentials, and hosts that
 * are IP literals (Node connects to those without calling `lookup`). Names are checked by the
 * guarded dispatcher when it resolves them.
 */
export function assertUrlAllowedAtSend(input: string | URL, allowlist: SsrfAllowlist = EMPTY_ALLOWLIST): void {
  const url = parseDestinationUrl(input, (message) => new SsrfBlockedError(message));
  const literal = parseHostLiteral(url.hostname);
  if (literal === null) return;
  const verdict = checkConnection(literal, effectivePort(url), allowlist);
  if (!verdict.allowed) throw new SsrfBlockedError(`refusing to connect to ${literal}: ${verdict.reason}`, literal);
}

function wantedFamily(family: LookupOptions["family"]): 4 | 6 | 0 {
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  return 0;
}

export interface GuardedLookupOptions {
  allowlist: SsrfAllowlist;
  resolve?: HostResolver;
  /** The port being connected to; Node's lookup is not told, and `host:port` entries need it. */
  port: number;
}

/**
 * A `net.connect` lookup that resolves, checks every address, and hands the socket only checked
 * addresses (canonical literals, so nothing is resolved again after the check).
 */
export function createGuardedLookup({ allowlist, resolve = systemResolver, port }: GuardedLookupOptions): LookupFunction {
  async function checkedAddresses(hostname: string, family: 4 | 6 | 0): Promise<LookupAddress[]> {
    const resolved = await resolve(hostname);
    const approved: LookupAddress[] = [];
    for (const { address } of resolved) {
      const verdict = checkConnection(address, port, allowlist, hostname);
      if (!verdict.allowed) {
        throw new SsrfBlockedError(`refusing to connect to ${hostname} (${address}): ${verdict.reason}`, address);
      }
      const literal = parseAddress(address);
      if (literal !== null) approved.push({ address: canonical(literal), family: literal.kind() === "ipv4" ? 4 : 6 });
    }
    const usable = approved.filter((a) => family === 0 || a.family === family);
    if (usable.length === 0) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
    }
    return usable;
  }

  return (hostname, options, callback) => {
    // The callback runs outside the promise chain so an exception in it cannot trigger a second call.
    checkedAddresses(hostname, wantedFamily(options.family)).then(
      (addresses) =>
        process.nextTick(() => {
          const first = addresses[0] as LookupAddress;
          if (options.all) callback(null, addresses);
          else callback(null, first.address, first.family);
        }),
      (error: NodeJS.ErrnoException) => process.nextTick(() => callback(error, "", 0)),
    );
  };
}

export interface GuardedDispatcherOptions {
  allowlist: SsrfAllowlist;
  /** Injectable resolver (tests make a name resolve to 127.0.0.1); defaults to the system one. */
  lookup?: HostResolver;
  /** Connect, response-headers and body-idle timeout of one attempt. */
  timeoutMs: number;
}

/**
 * The undici Agent deliveries are sent with. Every connection goes through a guarded lookup
 * (built per port, because `host:port` allow-list entries depend on it) and IP-literal hosts are
 * classified before connecting. undici 7 never follows redirects unless a redirect interceptor is
 * composed in, and none is: a 3xx is a failed attempt, not a way around this guard.
 */
export function createGuardedDispatcher({ allowlist, lookup, timeoutMs }: GuardedDispatcherOptions): Agent {
  const connectorsByPort = new Map<number, buildConnector.connector>();
  const connectorFor = (port: number): buildConnector.connector => {
    let connector = connectorsByPort.get(port);
    if (!connector) {
      connector = buildConnector({ timeout: timeoutMs, lookup: createGuardedLookup({ allowlist, resolve: lookup, port }) });
      connectorsByPort.set(port, connector);
    }
    return connector;
  };

  const connect: buildConnector.connector = (options, callback) => {
    const port = options.port ? Number(options.port) : options.protocol === "https:" ? 443 : 80;
    const literal = parseHostLiteral(options.hostname);
    if (literal !== null) {
      const verdict = checkConnection(literal, port, allowlist);
      if (!verdict.allowed) {
        const error = new SsrfBlockedError(`refusing to connect to ${literal}: ${verdict.reason}`, literal);
        process.nextTick(() => callback(error, null));
        return;
      }
    }
    connectorFor(port)(options, callback);
  };

  return new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
}
