import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

const from = (forwardedFor: string | null, hops = 1) => clientAddress(new Headers(forwardedFor === null ? {} : { "x-forwarded-for": forwardedFor }), hops);

describe("clientAddress", () => {
  it.each([
    ["no header (a test, a job)", null, 1, "unknown"],
    ["what Next.js sets from the connection", "203.0.113.9", 1, "203.0.113.9"],
    ["IPv4-mapped IPv6", "::ffff:203.0.113.9", 1, "203.0.113.9"],
    ["a client's own entries left of the proxy's", "1.2.3.4, 5.6.7.8, 203.0.113.9", 1, "203.0.113.9"],
    ["two trusted hops", "1.2.3.4, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"],
    ["more hops than entries", "203.0.113.9", 3, "203.0.113.9"],
    ["an address with a port", "203.0.113.9:51234", 1, "203.0.113.9"],
    ["IPv6 counts per /64", "2001:db8:1:2:aaaa::1", 1, "2001:db8:1:2::/64"],
    ["bracketed IPv6 with a port, same /64", "[2001:db8:1:2:ffff::9]:443", 1, "2001:db8:1:2::/64"],
    ["a compressed IPv6", "2001:db8::1", 1, "2001:db8:0:0::/64"],
    ["loopback IPv6", "::1", 1, "0:0:0:0::/64"],
    ["made-up text shares one bucket", "<script>", 1, "invalid"],
    ["another made-up value, the same bucket", "not-an-address-9", 1, "invalid"],
  ])("%s", (_name, header, hops, expected) => {
    expect(from(header, hops)).toBe(expected);
  });
});
