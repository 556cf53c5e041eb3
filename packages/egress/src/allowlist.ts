import ipaddr from "ipaddr.js";
import { ALLOWED, canonical, classifyAddress, parseAddress, parseIPv6Literal, unmapped, type AddressVerdict, type IPAddress } from "./address";

/**
 * The allow-list exempts exactly what it names from the guard, for development and tests (a fake
 * provider on loopback). One setting serves every guarded call: `EGRESS_ALLOWLIST`, or the older
 * `AUTOMATION_SSRF_ALLOWLIST` when the new one is unset.
 */

export type SsrfAllowlistEntry =
  | { kind: "host_port"; host: string; port: number; source: string }
  | { kind: "cidr"; range: [IPAddress, number]; source: string };

export interface SsrfAllowlist {
  readonly entries: readonly SsrfAllowlistEntry[];
}

export const EMPTY_ALLOWLIST: SsrfAllowlist = Object.freeze({ entries: Object.freeze([]) });

export const HOSTNAME = /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;

function parsePort(text: string): number | null {
  if (!/^[0-9]{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

export function normaliseHostname(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

function parseAllowlistEntry(source: string, variable: string): SsrfAllowlistEntry {
  const fail = (why: string) =>
    new Error(`${variable} entry "${source}": ${why} (expected host:port, [ipv6]:port or a CIDR like 10.0.0.0/8)`);

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
 * Parses an allow-list (`variable` names it in errors): comma-separated `host:port` (`127.0.0.1:4000`,
 * `sink.local:8080`, `[::1]:4000`: that host on that port only) or CIDRs (`10.0.0.0/8`: any port).
 * A bare host is rejected rather than silently widened to every port. Throws on a bad entry so a
 * typo stops start-up instead of quietly blocking (or allowing) something else.
 */
export function parseSsrfAllowlist(spec: string | null | undefined, variable = "EGRESS_ALLOWLIST"): SsrfAllowlist {
  const sources = (spec ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return { entries: sources.map((source) => parseAllowlistEntry(source, variable)) };
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
export function checkConnection(address: string, port: number, allowlist: SsrfAllowlist, hostname?: string): AddressVerdict {
  if (hostname !== undefined && isExemptByAllowlist(allowlist, hostname, port)) return ALLOWED;
  if (isExemptByAllowlist(allowlist, address, port)) return ALLOWED;
  return classifyAddress(address);
}

/** The variables the allow-list is read from, the general name first. */
export interface AllowlistEnv {
  EGRESS_ALLOWLIST?: string;
  /** The name from before every sender was guarded; read when EGRESS_ALLOWLIST is unset. */
  AUTOMATION_SSRF_ALLOWLIST?: string;
}

/** The allow-list of this process: EGRESS_ALLOWLIST when set, else AUTOMATION_SSRF_ALLOWLIST. */
export function allowlistFromEnv(env: AllowlistEnv): SsrfAllowlist {
  if (env.EGRESS_ALLOWLIST?.trim()) return parseSsrfAllowlist(env.EGRESS_ALLOWLIST, "EGRESS_ALLOWLIST");
  return parseSsrfAllowlist(env.AUTOMATION_SSRF_ALLOWLIST, "AUTOMATION_SSRF_ALLOWLIST");
}
