import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appErrorOf, fixtureBytes } from "../test-helpers";
import { decodeFormFields } from "../webhook";
import { mailgunRecipient, parseMailgunInbound, verifyMailgunSignature } from "./mailgun";

const KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
const fixtureFields = () => decodeFormFields(fixtureBytes("mailgun-inbound.urlencoded"), "application/x-www-form-urlencoded");
const sig = (timestamp: string, token: string, key = KEY) => createHmac("sha256", key).update(timestamp + token).digest("hex");

describe("verifyMailgunSignature", () => {
  it("the fixture's signature verifies with its signing key", async () => {
    const f = await fixtureFields();
    expect(f.signature).toBe(sig(f.timestamp!, f.token!));
    expect(verifyMailgunSignature(f, KEY)).toBe(true);
  });

  it("a fixed vector computed outside the code under test", () => {
    // echo -n "1700000000abcdef" | openssl dgst -sha256 -hmac "signing-key"
    const fields = { timestamp: "1700000000", token: "abcdef", signature: createHmac("sha256", "signing-key").update("1700000000abcdef").digest("hex") };
    expect(verifyMailgunSignature(fields, "signing-key")).toBe(true);
    // Concatenation, not a separator: "1700000000" + "." + "abcdef" must not verify.
    const dotted = { ...fields, signature: createHmac("sha256", "signing-key").update("1700000000.abcdef").digest("hex") };
    expect(verifyMailgunSignature(dotted, "signing-key")).toBe(false);
  });

  const ts = "1750264321";
  const token = "c0f1d2e3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";
  const good = sig(ts, token);
  it.each<[string, Record<string, unknown>, string | null]>([
    ["wrong key", { timestamp: ts, token, signature: good }, "another-key"],
    ["empty key", { timestamp: ts, token, signature: sig(ts, token, "") }, ""],
    ["null key", { timestamp: ts, token, signature: good }, null],
    ["tampered timestamp", { timestamp: "1750264322", token, signature: good }, KEY],
    ["tampered token", { timestamp: ts, token: `${token}x`, signature: good }, KEY],
    ["token moved into timestamp", { timestamp: `${ts}c`, token: token.slice(1), signature: good }, KEY],
    ["missing signature", { timestamp: ts, token }, KEY],
    ["missing token", { timestamp: ts, signature: sig(ts, "") }, KEY],
    ["missing timestamp", { token, signature: sig("", token) }, KEY],
    ["uppercase hex", { timestamp: ts, token, signature: good.toUpperCase() }, KEY],
    ["truncated", { timestamp: ts, token, signature: good.slice(0, 63) }, KEY],
    ["sha256= prefix", { timestamp: ts, token, signature: `sha256=${good}` }, KEY],
    ["non-string signature", { timestamp: ts, token, signature: 1 }, KEY],
    ["array signature", { timestamp: ts, token, signature: [good] }, KEY],
  ])("rejects: %s", (_name, fields, key) => {
    expect(verifyMailgunSignature(fields, key)).toBe(false);
  });
});

describe("parseMailgunInbound", () => {
  it("parses the urlencoded fixture", async () => {
    const fields = await fixtureFields();
    const { messages, statuses } = parseMailgunInbound(fields);
    expect(statuses).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      externalId: "CAF=abc123.reply@mail.example.com",
      channelAccountId: "support@inbox.acme.test",
      from: { externalId: "sheena.nelson@example.com", email: "sheena.nelson@example.com", name: "Nelson, Sheena" },
      type: "text",
      body: "The box arrived damaged, can you send a new one?",
      email: {
        subject: "Re: Order #1042 delivery",
        messageId: "CAF=abc123.reply@mail.example.com",
        inReplyTo: "8f14e45f-ceea-467f-a0e6-b3a9c2d1e0f1@inbox.acme.test",
        references: ["CAF=first000@mail.example.com", "8f14e45f-ceea-467f-a0e6-b3a9c2d1e0f1@inbox.acme.test"],
      },
    });
    expect(messages[0]?.sentAt.toISOString()).toBe("2025-06-18T16:31:58.000Z");
    expect(messages[0]?.raw).toEqual(fields);
  });

  it("falls back to body-plain, to the envelope sender and to the timestamp", () => {
    const now = new Date("2025-01-01T00:00:00Z");
    const [m] = parseMailgunInbound(
      { recipient: "Support <SUPPORT@Inbox.Acme.test>", sender: "bob@example.org", "body-plain": "Hi\n", "stripped-text": "  ", timestamp: "1700000000" },
      now,
    ).messages;
    expect(m).toMatchObject({ channelAccountId: "support@inbox.acme.test", from: { externalId: "bob@example.org" }, body: "Hi\n" });
    expect(m?.sentAt.getTime()).toBe(1700000000000);
    expect(m?.email).toMatchObject({ subject: "", inReplyTo: null, references: [] });
  });

  it("without a Message-Id, a deterministic id (re-deliveries still deduplicate)", () => {
    const fields = { recipient: "a@b.test", from: "c@d.test", subject: "s", "body-plain": "x" };
    const a = parseMailgunInbound(fields).messages[0]?.externalId;
    const b = parseMailgunInbound({ ...fields }).messages[0]?.externalId;
    const c = parseMailgunInbound({ ...fields, "body-plain": "y" }).messages[0]?.externalId;
    expect(a).toMatch(/^noid\.[0-9a-f]{64}@alfred\.invalid$/);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("no body at all -> null body, still stored", () => {
    expect(parseMailgunInbound({ recipient: "a@b.test", from: "c@d.test" }).messages[0]?.body).toBeNull();
  });

  it("mailgunRecipient reads the first address", () => {
    expect(mailgunRecipient({ recipient: "Sales <Sales@X.test>, other@x.test" })).toBe("sales@x.test");
    expect(mailgunRecipient({ recipient: "nonsense" })).toBeNull();
    expect(mailgunRecipient({})).toBeNull();
  });

  it.each<[string, Record<string, string>, string]>([
    ["no recipient", { from: "c@d.test" }, "recipient"],
    ["recipient without an address", { recipient: "Support", from: "c@d.test" }, "recipient"],
    ["no sender at all", { recipient: "a@b.test" }, "from"],
    ["message-headers not JSON", { recipient: "a@b.test", from: "c@d.test", "message-headers": "{nope" }, "message-headers"],
    ["message-headers an object", { recipient: "a@b.test", from: "c@d.test", "message-headers": '{"a":1}' }, "message-headers"],
    ["message-headers pair with a number name", { recipient: "a@b.test", from: "c@d.test", "message-headers": "[[1, \"x\"]]" }, "message-headers.0.0"],
    ["timestamp not digits", { recipient: "a@b.test", from: "c@d.test", timestamp: "soon" }, "timestamp"],
  ])("%s -> validation_error at %s", async (_name, fields, path) => {
    const err = await appErrorOf(() => parseMailgunInbound(fields));
    expect(err.code).toBe("validation_error");
    expect(err.path).toBe(path);
  });
});
