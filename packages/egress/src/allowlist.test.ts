import { describe, expect, it } from "vitest";
import { allowlistFromEnv, isExemptByAllowlist, parseSsrfAllowlist } from "./allowlist";

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

describe("allowlistFromEnv", () => {
  it("reads EGRESS_ALLOWLIST, falling back to AUTOMATION_SSRF_ALLOWLIST", () => {
    expect(allowlistFromEnv({ EGRESS_ALLOWLIST: "127.0.0.1:4000" }).entries.map((e) => e.source)).toEqual(["127.0.0.1:4000"]);
    expect(allowlistFromEnv({ AUTOMATION_SSRF_ALLOWLIST: "127.0.0.1:5000" }).entries.map((e) => e.source)).toEqual(["127.0.0.1:5000"]);
    expect(allowlistFromEnv({ EGRESS_ALLOWLIST: "127.0.0.1:4000", AUTOMATION_SSRF_ALLOWLIST: "127.0.0.1:5000" }).entries.map((e) => e.source)).toEqual(["127.0.0.1:4000"]);
    expect(allowlistFromEnv({ EGRESS_ALLOWLIST: " ", AUTOMATION_SSRF_ALLOWLIST: "127.0.0.1:5000" }).entries.map((e) => e.source)).toEqual(["127.0.0.1:5000"]);
    expect(allowlistFromEnv({}).entries).toEqual([]);
  });

  it("names the variable the bad entry came from", () => {
    expect(() => allowlistFromEnv({ EGRESS_ALLOWLIST: "http://x" })).toThrow(/^EGRESS_ALLOWLIST entry "http:\/\/x"/);
    expect(() => allowlistFromEnv({ AUTOMATION_SSRF_ALLOWLIST: "localhost" })).toThrow(/^AUTOMATION_SSRF_ALLOWLIST entry "localhost": missing port/);
  });
});
