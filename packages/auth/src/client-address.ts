import { isIP } from "node:net";

/**
 * The address a request came from, for per-address limits. Under `next start` the only source is
 * X-Forwarded-For: Next.js sets it from the connection when a request carries none and keeps it as
 * it is otherwise. `trustedProxyHops` says how many entries at its right end were written by
 * something you trust: 1 (the default) for Next.js itself or one reverse proxy that appends the
 * client address, 2 for a CDN in front of that proxy, and so on. Entries further left are the
 * client's own words and are ignored. Served directly, a client that sends its own header can
 * choose its address; the per-address limits then hold for honest clients only, and the bounded
 * hashing queue is what keeps a flood from starving sign-ins.
 *
 * IPv6 addresses count per /64 (one host usually has the whole prefix); anything that is not an
 * address shares one bucket, so made-up values do not each get a fresh allowance.
 */
export function clientAddress(headers: Headers, trustedProxyHops: number): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return "unknown";
  const entry = entries[Math.max(0, entries.length - Math.max(1, trustedProxyHops))]!;
  return addressBucket(entry);
}

function addressBucket(entry: string): string {
  const address = entry.replace(/^\[(.*)\](?::\d+)?$/, "$1").replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) === 4) return address;
  if (isIP(address) === 6) return `${expandIpv6(address).slice(0, 4).join(":")}::/64`;
  return "invalid";
}

function expandIpv6(address: string): string[] {
  const [head = "", tail = ""] = address.toLowerCase().split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : left;
  return groups.map((group) => group.replace(/^0+(?=.)/, ""));
}
