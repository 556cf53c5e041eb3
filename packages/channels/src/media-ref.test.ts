import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inboundMediaRefs } from "./media-ref";
import { parseWebhook } from "./webhook";

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

describe("inboundMediaRefs", () => {
  it("WhatsApp image: the media id, mime type and caption", async () => {
    const [message] = (await parseWebhook("whatsapp", fixture("whatsapp-image-message.json"), "application/json")).messages;
    expect(inboundMediaRefs("whatsapp", message!)).toEqual([{ kind: "image", filename: null, contentType: "image/jpeg", caption: "Here is the damaged box", sourceRef: "1003383421387256" }]);
  });

  it("WhatsApp voice note, document with filename, and text (none)", () => {
    expect(inboundMediaRefs("whatsapp", { type: "audio", raw: { type: "audio", audio: { id: "77", mime_type: "audio/ogg; codecs=opus", voice: true } } })).toMatchObject([{ kind: "voice", sourceRef: "77" }]);
    expect(inboundMediaRefs("whatsapp", { type: "document", raw: { type: "document", document: { id: "88", mime_type: "application/pdf", filename: "invoice.pdf" } } })).toMatchObject([{ kind: "document", filename: "invoice.pdf" }]);
    expect(inboundMediaRefs("whatsapp", { type: "text", raw: { type: "text", text: { body: "hi" } } })).toEqual([]);
  });

  it("Messenger attachments: the payload URL; non-http URLs and unknown types are skipped", async () => {
    const [message] = (await parseWebhook("messenger", fixture("messenger-attachment-message.json"), "application/json")).messages;
    expect(inboundMediaRefs("messenger", message!)).toEqual([{ kind: "image", filename: null, contentType: null, sourceRef: "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg" }]);
    const raw = { message: { attachments: [{ type: "file", payload: { url: "file:///etc/passwd" } }, { type: "location", payload: {} }, { type: "audio", payload: { url: "https://cdn.example/a.mp4" } }] } };
    expect(inboundMediaRefs("instagram", { type: "audio", raw })).toMatchObject([{ kind: "audio", sourceRef: "https://cdn.example/a.mp4" }]);
  });
});
