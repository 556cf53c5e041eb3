import { MAX_EMAIL_TEXT_BYTES } from "./email/limits";
import { describe, expect, it } from "vitest";
import { appErrorOf, fixtureBytes } from "./test-helpers";
import type { ChannelType } from "./types";
import { decodeFormFields, parseWebhook } from "./webhook";

const JSON_CT = "application/json";

describe("parseWebhook dispatch on every fixture", () => {
  it.each<[ChannelType, string, number, number]>([
    ["whatsapp", "whatsapp-text-message.json", 1, 0],
    ["whatsapp", "whatsapp-image-message.json", 1, 0],
    ["whatsapp", "whatsapp-location-message.json", 1, 0],
    ["whatsapp", "whatsapp-unsupported-message.json", 1, 0],
    ["whatsapp", "whatsapp-status-sent.json", 0, 1],
    ["whatsapp", "whatsapp-status-delivered.json", 0, 1],
    ["whatsapp", "whatsapp-status-read.json", 0, 1],
    ["whatsapp", "whatsapp-status-failed.json", 0, 1],
    ["messenger", "messenger-text-message.json", 1, 0],
    ["messenger", "messenger-attachment-message.json", 1, 0],
    ["messenger", "messenger-echo-message.json", 0, 0],
    ["instagram", "instagram-text-message.json", 1, 0],
    ["instagram", "instagram-echo-message.json", 0, 0],
  ])("%s %s -> %i messages, %i statuses", async (type, file, nMessages, nStatuses) => {
    const parsed = await parseWebhook(type, fixtureBytes(file), "application/json; charset=utf-8");
    expect(parsed.messages).toHaveLength(nMessages);
    expect(parsed.statuses).toHaveLength(nStatuses);
  });

  it("email: the urlencoded Mailgun fixture", async () => {
    const parsed = await parseWebhook("email", fixtureBytes("mailgun-inbound.urlencoded"), "application/x-www-form-urlencoded");
    expect(parsed.messages[0]?.channelAccountId).toBe("support@inbox.acme.test");
  });

  it("email: the same fields as multipart/form-data give the same message", async () => {
    const fields = await decodeFormFields(fixtureBytes("mailgun-inbound.urlencoded"), "application/x-www-form-urlencoded");
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append("attachment-1", new Blob([Buffer.from("%PDF-1.4")], { type: "application/pdf" }), "a.pdf");
    const req = new Request("http://x/", { method: "POST", body: form });
    const raw = Buffer.from(await req.arrayBuffer());
    const contentType = req.headers.get("content-type");
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const decoded = await decodeFormFields(raw, contentType);
    expect(decoded).toEqual(fields);
    const a = await parseWebhook("email", raw, contentType);
    const b = await parseWebhook("email", fixtureBytes("mailgun-inbound.urlencoded"), "application/x-www-form-urlencoded");
    expect({ ...a.messages[0], raw: null }).toEqual({ ...b.messages[0], raw: null });
  });

  it("email: a JSON object of strings is accepted too", async () => {
    const raw = Buffer.from(JSON.stringify({ recipient: "a@b.test", from: "c@d.test", "body-plain": "hi" }));
    expect((await parseWebhook("email", raw, JSON_CT)).messages[0]?.body).toBe("hi");
  });

  it("api: generic JSON", async () => {
    const raw = Buffer.from(JSON.stringify({ channel_id: "c", external_id: "e", from: { id: "f" }, text: "t" }));
    expect((await parseWebhook("api", raw, JSON_CT)).messages[0]?.externalId).toBe("e");
  });
});

describe("parseWebhook errors", () => {
  const types: ChannelType[] = ["whatsapp", "messenger", "instagram", "api"];
  const malformed: Array<[string, Buffer]> = [
    ["empty body", Buffer.alloc(0)],
    ["whitespace only", Buffer.from("  \n")],
    ["truncated JSON", fixtureBytes("whatsapp-text-message.json").subarray(0, 50)],
    ["not JSON", Buffer.from("hello=world")],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ["trailing garbage", Buffer.from('{"object":"page","entry":[]} x')],
  ];
  for (const type of types) {
    it.each(malformed)(`${type}: %s -> bad_request (400)`, async (_name, raw) => {
      const err = await appErrorOf(() => parseWebhook(type, raw, JSON_CT));
      expect(err.code).toBe("bad_request");
      expect(err.status).toBe(400);
    });

    it(`${type}: well-formed JSON of the wrong shape -> validation_error (422) with a path`, async () => {
      const err = await appErrorOf(() => parseWebhook(type, Buffer.from('{"hello":"world"}'), JSON_CT));
      expect(err.code).toBe("validation_error");
      expect(err.status).toBe(422);
      expect(err.path).toMatch(/^(object|channel_id)$/);
    });
  }

  it("a form body on a JSON channel -> unsupported_media_type", async () => {
    const err = await appErrorOf(() => parseWebhook("whatsapp", Buffer.from("a=b"), "application/x-www-form-urlencoded"));
    expect(err.code).toBe("unsupported_media_type");
  });

  it("no content type on a JSON channel is tolerated", async () => {
    expect((await parseWebhook("whatsapp", fixtureBytes("whatsapp-text-message.json"), null)).messages).toHaveLength(1);
  });

  it("email: text/plain -> unsupported_media_type; broken multipart -> bad_request; JSON with a non-string field -> validation_error", async () => {
    expect((await appErrorOf(() => parseWebhook("email", Buffer.from("x"), "text/plain"))).code).toBe("unsupported_media_type");
    expect((await appErrorOf(() => parseWebhook("email", Buffer.from("garbage"), "multipart/form-data; boundary=zzz"))).code).toBe("bad_request");
    const err = await appErrorOf(() => parseWebhook("email", Buffer.from('{"recipient":["a@b.test"]}'), JSON_CT));
    expect(err.code).toBe("validation_error");
    expect(err.path).toBe("recipient");
  });

  it("bodies over 1 MiB -> payload_too_large; e-mail text fields over Mailgun's maximum message size", async () => {
    const raw = Buffer.alloc(1024 * 1024 + 1, 0x20);
    expect((await appErrorOf(() => parseWebhook("api", raw, JSON_CT))).code).toBe("payload_too_large");
    // An e-mail receipt holds the text fields of a post of up to 25 MB: 1 MiB is fine (and then judged on its fields).
    expect((await appErrorOf(() => parseWebhook("email", raw, "application/x-www-form-urlencoded"))).code).toBe("validation_error");
    const huge = Buffer.alloc(MAX_EMAIL_TEXT_BYTES + 1, 0x20);
    expect((await appErrorOf(() => parseWebhook("email", huge, "application/x-www-form-urlencoded"))).code).toBe("payload_too_large");
  });
});
