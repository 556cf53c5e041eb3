import { describe, expect, it } from "vitest";
import { appErrorOf, fixtureJson } from "../test-helpers";
import { parseWhatsAppWebhook } from "./whatsapp";

const PHONE_ID = "106540352242922";

describe("parseWhatsAppWebhook: messages", () => {
  it("text message (Meta's reference payload)", () => {
    const parsed = parseWhatsAppWebhook(fixtureJson("whatsapp-text-message.json"));
    expect(parsed.statuses).toEqual([]);
    expect(parsed.messages).toHaveLength(1);
    const [m] = parsed.messages;
    expect(m).toMatchObject({
      externalId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
      channelAccountId: PHONE_ID,
      from: { externalId: "16505551234", name: "Sheena Nelson", phone: "+16505551234" },
      type: "text",
      body: "Does it come in another color?",
    });
    expect(m?.sentAt.toISOString()).toBe(new Date(1749416383 * 1000).toISOString());
    expect(m?.raw).toEqual({
      from: "16505551234",
      id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
      timestamp: "1749416383",
      type: "text",
      text: { body: "Does it come in another color?" },
    });
    expect(m?.email).toBeUndefined();
  });

  it("image with caption: caption becomes the body, media kept in raw", () => {
    const [m] = parseWhatsAppWebhook(fixtureJson("whatsapp-image-message.json")).messages;
    expect(m).toMatchObject({ type: "image", body: "Here is the damaged box", channelAccountId: PHONE_ID });
    expect((m?.raw as { image: { id: string; mime_type: string } }).image).toMatchObject({ id: "1003383421387256", mime_type: "image/jpeg" });
  });

  it("location: type kept, body null, coordinates in raw", () => {
    const [m] = parseWhatsAppWebhook(fixtureJson("whatsapp-location-message.json")).messages;
    expect(m).toMatchObject({ type: "location", body: null, from: { name: "Sheena Nelson" } });
    expect((m?.raw as { location: { latitude: number } }).location.latitude).toBe(37.483307);
    expect(m?.sentAt.getTime()).toBe(1744344496000);
  });

  it("unsupported: stored with its type and errors, never dropped", () => {
    const parsed = parseWhatsAppWebhook(fixtureJson("whatsapp-unsupported-message.json"));
    expect(parsed.messages).toHaveLength(1);
    expect(parsed.messages[0]).toMatchObject({ type: "unsupported", body: null });
    expect((parsed.messages[0]?.raw as { errors: Array<{ code: number }> }).errors[0]?.code).toBe(131051);
  });

  it.each([
    ["audio", { audio: { mime_type: "audio/ogg; codecs=opus", sha256: "x", id: "1", voice: true } }, null],
    ["sticker", { sticker: { mime_type: "image/webp", sha256: "x", id: "2", animated: false } }, null],
    ["reaction", { reaction: { message_id: "wamid.X", emoji: "\u{1F44D}" } }, null],
    ["contacts", { contacts: [{ name: { formatted_name: "Bob" }, phones: [{ phone: "+1555" }] }] }, null],
    ["video", { video: { caption: "look", mime_type: "video/mp4", id: "3" } }, "look"],
    ["document", { document: { filename: "a.pdf", mime_type: "application/pdf", id: "4" } }, null],
    ["document", { document: { caption: "invoice", filename: "a.pdf", id: "4" } }, "invoice"],
    ["button", { button: { payload: "STOP", text: "Stop promotions" } }, "Stop promotions"],
    ["interactive", { interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes" } } }, "Yes"],
    ["interactive", { interactive: { type: "list_reply", list_reply: { id: "r1", title: "Row 1", description: "d" } } }, "Row 1"],
    ["some_future_type", { some_future_type: { x: 1 } }, null],
  ])("%s -> type kept, body %j", (type, extra, body) => {
    const payload = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "1555", phone_number_id: PHONE_ID },
                messages: [{ from: "16505551234", id: `wamid.${type}`, timestamp: "1700000000", type, ...extra }],
              },
            },
          ],
        },
      ],
    };
    const [m] = parseWhatsAppWebhook(payload).messages;
    expect(m?.type).toBe(type);
    expect(m?.body).toBe(body);
    // No contacts block: no name, but still the phone.
    expect(m?.from).toEqual({ externalId: "16505551234", phone: "+16505551234" });
  });

  it("several entries and changes keep their own phone_number_id; non-message fields are skipped", () => {
    const change = (phoneId: string, id: string, from: string, name: string) => ({
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "1", phone_number_id: phoneId },
        contacts: [
          { profile: { name: "Other" }, wa_id: "999" },
          { profile: { name }, wa_id: from },
        ],
        messages: [{ from, id, timestamp: "1700000000", type: "text", text: { body: id } }],
      },
    });
    const parsed = parseWhatsAppWebhook({
      object: "whatsapp_business_account",
      entry: [
        { id: "A", changes: [change("111", "w1", "15550001", "Ann"), { field: "message_template_status_update", value: { event: "APPROVED" } }] },
        { id: "B", changes: [change("222", "w2", "15550002", "Ben")] },
      ],
    });
    expect(parsed.messages.map((m) => [m.externalId, m.channelAccountId, m.from.name])).toEqual([
      ["w1", "111", "Ann"],
      ["w2", "222", "Ben"],
    ]);
  });

  it("a non-numeric sender id (no phone) keeps the id and no phone", () => {
    const payload = fixtureJson("whatsapp-text-message.json") as { entry: Array<{ changes: Array<{ value: { messages: Array<{ from: string }> } }> }> };
    payload.entry[0]!.changes[0]!.value.messages[0]!.from = "US.13491208655302741918";
    const [m] = parseWhatsAppWebhook(payload).messages;
    expect(m?.from.externalId).toBe("US.13491208655302741918");
    expect(m?.from.phone).toBeUndefined();
  });
});

describe("parseWhatsAppWebhook: statuses", () => {
  it.each([
    ["whatsapp-status-sent.json", "sent", "wamid.HBgLNjAxNzM1MjYyMzMVAgARGBJCNkY5NTBENEU3ODYxQTM3RUQA", "114896151713920", 1694492482],
    ["whatsapp-status-delivered.json", "delivered", "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3MTE5MjY5MDRCMDI2MkJCNzkA", PHONE_ID, 1750263773],
    ["whatsapp-status-read.json", "read", "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3MTE5MjY5MDRCMDI2MkJCNzkA", PHONE_ID, 1750263801],
  ])("%s -> %s", (file, status, id, phoneId, ts) => {
    const parsed = parseWhatsAppWebhook(fixtureJson(file));
    expect(parsed.messages).toEqual([]);
    expect(parsed.statuses).toHaveLength(1);
    expect(parsed.statuses[0]).toEqual({ externalId: id, channelAccountId: phoneId, status, at: new Date(ts * 1000), recipientId: expect.any(String) });
    expect(parsed.statuses[0]?.error).toBeUndefined();
  });

  it("failed carries the provider error (131047)", () => {
    const [s] = parseWhatsAppWebhook(fixtureJson("whatsapp-status-failed.json")).statuses;
    expect(s).toMatchObject({
      externalId: "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBMkM0RDZFOEYwMTIzNDU2NzgA",
      status: "failed",
      recipientId: "16505551234",
      error: {
        code: 131047,
        title: "Re-engagement message",
        message: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
      },
    });
  });

  it("unknown statuses (e.g. deleted) are skipped, known ones in the same batch kept", () => {
    const payload = fixtureJson("whatsapp-status-sent.json") as { entry: Array<{ changes: Array<{ value: { statuses: unknown[] } }> }> };
    const statuses = payload.entry[0]!.changes[0]!.value.statuses;
    statuses.push({ id: "wamid.del", status: "deleted", timestamp: "1694492483", recipient_id: "1" });
    expect(parseWhatsAppWebhook(payload).statuses.map((s) => s.status)).toEqual(["sent"]);
  });
});

describe("parseWhatsAppWebhook: shape errors", () => {
  const base = () => fixtureJson("whatsapp-text-message.json") as Record<string, unknown> & { entry: Array<Record<string, unknown>> };

  it("tolerates unknown extra fields anywhere", () => {
    const p = base();
    p.new_top_level = { a: 1 };
    (p.entry[0] as Record<string, unknown>).extra = true;
    expect(parseWhatsAppWebhook(p).messages).toHaveLength(1);
  });

  it.each<[string, (p: ReturnType<typeof base>) => unknown, string]>([
    ["wrong object", (p) => ({ ...p, object: "page" }), "object"],
    ["entry not an array", (p) => ({ ...p, entry: {} }), "entry"],
    ["changes missing", (p) => ({ ...p, entry: [{ id: "1" }] }), "entry.0.changes"],
    [
      "metadata missing",
      (p) => {
        const v = (p.entry[0] as { changes: Array<{ value: Record<string, unknown> }> }).changes[0]!.value;
        delete v.metadata;
        return p;
      },
      "entry.0.changes.0.value.metadata",
    ],
    [
      "message id not a string",
      (p) => {
        const v = (p.entry[0] as { changes: Array<{ value: { messages: Array<Record<string, unknown>> } }> }).changes[0]!.value;
        v.messages[0]!.id = 42;
        return p;
      },
      "entry.0.changes.0.value.messages.0.id",
    ],
    [
      "timestamp not unix seconds",
      (p) => {
        const v = (p.entry[0] as { changes: Array<{ value: { messages: Array<Record<string, unknown>> } }> }).changes[0]!.value;
        v.messages[0]!.timestamp = "yesterday";
        return p;
      },
      "entry.0.changes.0.value.messages.0.timestamp",
    ],
    ["a JSON array", () => [], "(root)"],
    ["a JSON string", () => "hello", "(root)"],
  ])("%s -> validation_error at %s", async (_name, mutate, path) => {
    const err = await appErrorOf(() => parseWhatsAppWebhook(mutate(base())));
    expect(err.code).toBe("validation_error");
    expect(err.path).toBe(path);
    expect(err.status).toBe(422);
  });
});

describe("typed content of WhatsApp messages (Meta's documented shapes)", () => {
  const one = (message: Record<string, unknown>) =>
    parseWhatsAppWebhook({
      object: "whatsapp_business_account",
      entry: [{ id: "W", changes: [{ field: "messages", value: { metadata: { phone_number_id: PHONE_ID }, messages: [{ from: "16505551234", id: "wamid.X", timestamp: "1750090702", ...message }] } }] }],
    }).messages[0]!;

  it("image: media id, caption, mime type, sha256 (the shared image fixture)", () => {
    expect(parseWhatsAppWebhook(fixtureJson("whatsapp-image-message.json")).messages[0]!.content).toEqual({
      kind: "media",
      media_type: "image",
      media_id: "1003383421387256",
      mime_type: "image/jpeg",
      caption: "Here is the damaged box",
      sha256: "SfInY3DmgGIVz5S9Vgq2wI/8yyf9Ik4uXyJ8DoTyMtQ=",
    });
  });

  it("location: coordinates, name, address (the shared location fixture)", () => {
    expect(parseWhatsAppWebhook(fixtureJson("whatsapp-location-message.json")).messages[0]!.content).toEqual({
      kind: "location",
      latitude: 37.483307,
      longitude: -122.148981,
      name: "Main Campus",
      address: "1 Hacker Way, Menlo Park, CA 94025",
      url: "https://meta.com",
    });
  });

  it("audio (voice note), document (filename), sticker (animated)", () => {
    expect(one({ type: "audio", audio: { mime_type: "audio/ogg; codecs=opus", sha256: "h", id: "A1", voice: true } }).content).toEqual({ kind: "media", media_type: "audio", media_id: "A1", mime_type: "audio/ogg; codecs=opus", sha256: "h", voice: true });
    expect(one({ type: "document", document: { caption: "Invoice", filename: "invoice.pdf", mime_type: "application/pdf", sha256: "h", id: "D1" } }).content).toMatchObject({ media_type: "document", media_id: "D1", filename: "invoice.pdf", caption: "Invoice" });
    expect(one({ type: "sticker", sticker: { mime_type: "image/webp", sha256: "h", id: "S1", animated: false } }).content).toMatchObject({ media_type: "sticker", media_id: "S1", animated: false });
  });

  it("a reaction and its removal (empty emoji) are distinguishable", () => {
    expect(one({ type: "reaction", reaction: { message_id: "wamid.TARGET", emoji: "\u{1F44D}" } }).content).toEqual({ kind: "reaction", action: "react", emoji: "\u{1F44D}", reacted_message_external_id: "wamid.TARGET" });
    expect(one({ type: "reaction", reaction: { message_id: "wamid.TARGET", emoji: "" } }).content).toEqual({ kind: "reaction", action: "unreact", emoji: null, reacted_message_external_id: "wamid.TARGET" });
  });

  it("interactive button / list replies and template quick-reply buttons: id and title", () => {
    expect(one({ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes-btn", title: "Yes" } } }).content).toEqual({ kind: "interactive_reply", reply_type: "button_reply", id: "yes-btn", title: "Yes" });
    expect(one({ type: "interactive", interactive: { type: "list_reply", list_reply: { id: "row-2", title: "Tuesday", description: "10:00-12:00" } } }).content).toEqual({ kind: "interactive_reply", reply_type: "list_reply", id: "row-2", title: "Tuesday", description: "10:00-12:00" });
    expect(one({ type: "button", button: { text: "Stop promotions", payload: "STOP" } }).content).toEqual({ kind: "interactive_reply", reply_type: "quick_reply", id: null, title: "Stop promotions", payload: "STOP" });
  });

  it("text has no content; an incomplete shape has none rather than a wrong one", () => {
    expect(one({ type: "text", text: { body: "hi" } }).content).toBeUndefined();
    expect(one({ type: "location", location: { latitude: 91, longitude: 0 } }).content).toBeUndefined();
    expect(one({ type: "image", image: { caption: "no id" } }).content).toBeUndefined();
  });
});
