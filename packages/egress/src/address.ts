import { isIPv6 } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which IP addresses a tenant-chosen URL may reach. Tenants choose webhook destinations, Graph API
 * base URLs, API channel send URLs and SMTP servers, and the worker connects to them from inside our
 * network, so none of them may reach loopback, private, link-local (cloud metadata) or otherwise
 * special addresses, in any spelling a resolver or URL parser accepts.
 */

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export type IPAddress = ipaddr.IPv4 | ipaddr.IPv6;

export const ALLOWED: AddressVerdict = { allowed: true };
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
export function parseIPv6Literal(text: string): ipaddr.IPv6 | null {
  const withoutZone = text.split("%", 1)[0] ?? ""; // a zone never changes what range it is in
  if (!isIPv6(withoutZone)) return null;
  try {
    const serialized = new URL(`http://[${withoutZone}]/`).hostname;
    return ipaddr.IPv6.parse(serialized.slice(1, -1));
  } catch {
    return null;
  }
}

/** Any spelling `parseHostLiteral` accepts, parsed; null for a hostname. */
export function parseAddress(host: string): IPAddress | null {
  const h = host.toLowerCase();
  if (h.startsWith("[")) return h.endsWith("]") ? parseIPv6Literal(h.slice(1, -1)) : null;
  if (h.includes(":")) return parseIPv6Literal(h);
  const v4 = parseIPv4Literal(h);
  return v4 === null ? null : ipaddr.IPv4.parse(v4);
}

export const canonical = (addr: IPAddress): string => (addr.kind() === "ipv4" ? addr.toString() : (addr as ipaddr.IPv6).toRFC5952String());

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
 * Whether a tenant-chosen URL may connect to this address. Accepts any spelling `parseHostLiteral` accepts;
 * anything that is not an IP address is refused (fail closed).
 */
export function classifyAddress(ip: string): AddressVerdict {
  const addr = parseAddress(ip);
  return addr === null ? blocked("not an IP address") : classifyParsed(addr);
}

/** An IPv4-mapped IPv6 address reaches its IPv4 host, so it is compared as that host. */
export function unmapped(addr: IPAddress): IPAddress {
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}
