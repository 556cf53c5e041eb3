import { describe, expect, it } from "vitest";
import { classifyAddress, parseHostLiteral } from "./address";
import { BLOCKED_HOSTS, PUBLIC_HOSTS } from "./testing";

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
