import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appErrorOf } from "../test-helpers";
import { parseApiInbound, signApiBody, verifyApiSignature } from "./generic";

const SECRET = "api-channel-secret-0123456789";
const body = Buffer.from(
  JSON.stringify({ channel_id: "ch_1", external_id: "ext-1", from: { id: "cust-9", name: "Ada", phone: "+4915112345678", email: "Ada@Example.com" }, text: "Hello", sent_at: "2025-06-01T10:00:00Z" }),
);
const header = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;

describe("verifyApiSignature", () => {
  it("accepts the correct signature and signApiBody produces it", () => {
    expect(verifyApiSignature(body, header, SECRET)).toBe(true);
    expect(signApiBody(body, SECRET)).toBe(header);
  });

  it.each<[string, Buffer, unknown, string | null]>([
    ["tampered body", Buffer.from(body.toString().replace("Hello", "Hellp")), header, SECRET],
    ["wrong secret", body, header, "nope"],
    ["empty secret", body, `sha256=${createHmac("sha256", "").update(body).digest("hex")}`, ""],
    ["missing header", body, null, SECRET],
    ["sha1= prefix", body, header.replace("sha256=", "sha1="), SECRET],
    ["uppercase hex", body, `sha256=${header.slice(7).toUpperCase()}`, SECRET],
    ["truncated", body, header.slice(0, 40), SECRET],
    ["empty body", Buffer.alloc(0), header, SECRET],
  ])("rejects: %s", (_name, b, h, s) => {
    expect(verifyApiSignature(b, h as string, s)).toBe(false);
  });
});

describe("parseApiInbound", () => {
  it("normalises a message", () => {
    const { messages, statuses } = parseApiInbound(JSON.parse(body.toString()));
    expect(statuses).toEqual([]);
    expect(messages[0]).toMatchObject({
      externalId: "ext-1",
      channelAccountId: "ch_1",
      from: { externalId: "cust-9", name: "Ada", phone: "+4915112345678", email: "ada@example.com" },
      type: "text",
      body: "Hello",
      sentAt: new Date("2025-06-01T10:00:00Z"),
    });
  });

  it("without sent_at, dated now; extra fields kept in raw", () => {
    const now = new Date("2025-02-03T04:05:06Z");
    const payload = { channel_id: "c", external_id: "e", from: { id: "f" }, text: "t", custom: { a: 1 } };
    const [m] = parseApiInbound(payload, now).messages;
    expect(m?.sentAt).toEqual(now);
    expect(m?.from).toEqual({ externalId: "f" });
    expect(m?.raw).toEqual(payload);
  });

  it.each<[string, unknown, string]>([
    ["no channel_id", { external_id: "e", from: { id: "f" }, text: "t" }, "channel_id"],
    ["empty external_id", { channel_id: "c", external_id: "", from: { id: "f" }, text: "t" }, "external_id"],
    ["from.id missing", { channel_id: "c", external_id: "e", from: {}, text: "t" }, "from.id"],
    ["text a number", { channel_id: "c", external_id: "e", from: { id: "f" }, text: 1 }, "text"],
    ["sent_at not ISO", { channel_id: "c", external_id: "e", from: { id: "f" }, text: "t", sent_at: "yesterday" }, "sent_at"],
    ["an array", [], "(root)"],
  ])("%s -> validation_error at %s", async (_name, payload, path) => {
    const err = await appErrorOf(() => parseApiInbound(payload));
    expect(err.code).toBe("validation_error");
    expect(err.path).toBe(path);
  });
});
