import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { timingSafeStringEqual } from "../util/crypto";
import { parseHubChallenge, verifyMetaSignature } from "./signature";

const fixture = readFileSync(new URL("../__fixtures__/whatsapp-text-message.json", import.meta.url));
const SECRET = "8c1ae2b0b4f3d0f1e2d3c4b5a6978877";
const sign = (body: Buffer | string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("verifyMetaSignature", () => {
  it("matches the published HMAC-SHA256 test vector (key 'key', quick brown fox)", () => {
    const body = Buffer.from("The quick brown fox jumps over the lazy dog");
    const header = "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
    expect(verifyMetaSignature(body, header, "key")).toBe(true);
    expect(verifyMetaSignature(body, header, "Key")).toBe(false);
  });

  it("accepts a correct signature over the raw fixture bytes", () => {
    expect(verifyMetaSignature(fixture, sign(fixture), SECRET)).toBe(true);
  });

  it("verifies the raw bytes, not re-serialised JSON", () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(fixture.toString("utf8")), null, 2));
    expect(verifyMetaSignature(pretty, sign(fixture), SECRET)).toBe(false);
    expect(verifyMetaSignature(pretty, sign(pretty), SECRET)).toBe(true);
  });

  it("accepts a Uint8Array view into a larger buffer", () => {
    const big = Buffer.concat([Buffer.from("xx"), fixture, Buffer.from("yy")]);
    const view = new Uint8Array(big.buffer, big.byteOffset + 2, fixture.length);
    expect(verifyMetaSignature(view, sign(fixture), SECRET)).toBe(true);
  });

  const good = sign(fixture);
  const hex = good.slice("sha256=".length);
  const tampered = Buffer.from(fixture.toString("utf8").replace("another color", "another colour"));
  const hostile: Array<[string, Buffer, unknown, string | null | undefined]> = [
    ["tampered body", tampered, good, SECRET],
    ["one byte appended", Buffer.concat([fixture, Buffer.from(" ")]), good, SECRET],
    ["wrong secret", fixture, good, "another-secret"],
    ["empty secret", fixture, sign(fixture, ""), ""],
    ["null secret", fixture, good, null],
    ["missing header (null)", fixture, null, SECRET],
    ["missing header (undefined)", fixture, undefined, SECRET],
    ["empty header", fixture, "", SECRET],
    ["bare prefix", fixture, "sha256=", SECRET],
    ["no prefix", fixture, hex, SECRET],
    ["sha1= prefix with a valid sha1", fixture, `sha1=${createHmac("sha1", SECRET).update(fixture).digest("hex")}`, SECRET],
    ["sha1= prefix with the sha256 hex", fixture, `sha1=${hex}`, SECRET],
    ["uppercase prefix", fixture, `SHA256=${hex}`, SECRET],
    ["uppercase hex", fixture, `sha256=${hex.toUpperCase()}`, SECRET],
    ["truncated hex", fixture, good.slice(0, -2), SECRET],
    ["odd-length hex", fixture, good.slice(0, -1), SECRET],
    ["trailing garbage", fixture, `${good}zz`, SECRET],
    ["non-hex char inside", fixture, `sha256=${hex.slice(0, 10)}g${hex.slice(11)}`, SECRET],
    ["extra hex pair", fixture, `${good}00`, SECRET],
    ["leading space", fixture, ` ${good}`, SECRET],
    ["two signatures", fixture, `${good},${good}`, SECRET],
    ["header given twice (array)", fixture, [good, good], SECRET],
    ["number header", fixture, 12345, SECRET],
    ["all zeros", fixture, `sha256=${"0".repeat(64)}`, SECRET],
    ["empty body, signature of fixture", Buffer.alloc(0), good, SECRET],
  ];
  it.each(hostile)("rejects: %s", (_name, body, header, secret) => {
    expect(() => verifyMetaSignature(body, header as string, secret)).not.toThrow();
    expect(verifyMetaSignature(body, header as string, secret)).toBe(false);
  });

  it("an empty body with its own correct signature verifies (shape is checked later)", () => {
    expect(verifyMetaSignature(Buffer.alloc(0), sign(""), SECRET)).toBe(true);
  });
});

describe("timingSafeStringEqual", () => {
  it.each([
    ["token", "token", true],
    ["token", "tokeN", false],
    ["token", "token ", false],
    ["", "", true],
    ["", "x", false],
  ])("%j vs %j -> %s", (a, b, expected) => {
    expect(timingSafeStringEqual(a, b)).toBe(expected);
  });
});

describe("parseHubChallenge", () => {
  it("reads Meta's subscribe handshake", () => {
    const q = new URLSearchParams("hub.mode=subscribe&hub.verify_token=my-token&hub.challenge=1158201444");
    expect(parseHubChallenge(q)).toEqual({ mode: "subscribe", verifyToken: "my-token", challenge: "1158201444" });
  });

  it("accepts a plain record (Fastify-style query)", () => {
    expect(parseHubChallenge({ "hub.mode": "subscribe", "hub.verify_token": "t", "hub.challenge": "42" })).toEqual({
      mode: "subscribe",
      verifyToken: "t",
      challenge: "42",
    });
  });

  it.each([
    ["no params", ""],
    ["wrong mode", "hub.mode=unsubscribe&hub.verify_token=t&hub.challenge=1"],
    ["missing token", "hub.mode=subscribe&hub.challenge=1"],
    ["empty token", "hub.mode=subscribe&hub.verify_token=&hub.challenge=1"],
    ["missing challenge", "hub.mode=subscribe&hub.verify_token=t"],
    ["repeated token", "hub.mode=subscribe&hub.verify_token=a&hub.verify_token=b&hub.challenge=1"],
    ["challenge with markup", "hub.mode=subscribe&hub.verify_token=t&hub.challenge=%3Cscript%3E alert(1)"],
    ["challenge with angle brackets", "hub.mode=subscribe&hub.verify_token=t&hub.challenge=%3Cb%3E"],
    ["challenge too long", `hub.mode=subscribe&hub.verify_token=t&hub.challenge=${"1".repeat(300)}`],
  ])("null for %s", (_name, qs) => {
    expect(parseHubChallenge(new URLSearchParams(qs))).toBeNull();
  });

  it("null for array values in a record", () => {
    expect(parseHubChallenge({ "hub.mode": "subscribe", "hub.verify_token": ["a", "b"], "hub.challenge": "1" })).toBeNull();
  });
});
