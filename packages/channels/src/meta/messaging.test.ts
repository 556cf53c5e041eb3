import { describe, expect, it } from "vitest";
import { appErrorOf, fixtureJson } from "../test-helpers";
import { parseMessagingWebhook } from "./messaging";

const event = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  sender: { id: "PSID_1" },
  recipient: { id: "PAGE_1" },
  timestamp: 1700000000000,
  message,
  ...extra,
});
const page = (...messaging: unknown[]) => ({ object: "page", entry: [{ id: "PAGE_1", time: 1700000000001, messaging }] });

describe("parseMessagingWebhook: Messenger", () => {
  it("text message (Meta's example)", () => {
    const parsed = parseMessagingWebhook("messenger", fixtureJson("messenger-text-message.json"));
    expect(parsed.statuses).toEqual([]);
    expect(parsed.messages).toEqual([
      {
        externalId: "mid.1457764197618:41d102a3e1ae206a38",
        channelAccountId: "PAGE_ID",
        from: { externalId: "USER_ID" },
        type: "text",
        body: "hello, world!",
        sentAt: new Date(1457764197627),
        raw: {
          sender: { id: "USER_ID" },
          recipient: { id: "PAGE_ID" },
          timestamp: 1457764197627,
          message: { mid: "mid.1457764197618:41d102a3e1ae206a38", seq: 73, text: "hello, world!" },
        },
      },
    ]);
  });

  it("echo (is_echo: true) is ignored", () => {
    expect(parseMessagingWebhook("messenger", fixtureJson("messenger-echo-message.json"))).toEqual({ messages: [], statuses: [] });
  });

  it("an echo next to a real message: only the real one is kept", () => {
    const parsed = parseMessagingWebhook("messenger", page(event({ mid: "m_echo", text: "ours", is_echo: true }), event({ mid: "m_real", text: "theirs" })));
    expect(parsed.messages.map((m) => m.externalId)).toEqual(["m_real"]);
  });

  it("attachment: type of the first attachment, body null", () => {
    const [m] = parseMessagingWebhook("messenger", fixtureJson("messenger-attachment-message.json")).messages;
    expect(m).toMatchObject({ externalId: "m_1457764197618:41d102a3e1ae206a38XjK", type: "image", body: null, channelAccountId: "PAGE_ID" });
  });

  it("several attachments: the first one's type; text alongside becomes the body", () => {
    const [m] = parseMessagingWebhook(
      "messenger",
      page(event({ mid: "m_2", text: "see these", attachments: [{ type: "video", payload: { url: "u" } }, { type: "image", payload: { url: "v" } }] })),
    ).messages;
    expect(m).toMatchObject({ type: "video", body: "see these" });
  });

  it("delivery with mids -> delivered statuses; a read watermark is ignored", () => {
    const parsed = parseMessagingWebhook(
      "messenger",
      page(
        { sender: { id: "PSID_1" }, recipient: { id: "PAGE_1" }, timestamp: 1700000001000, delivery: { mids: ["m_a", "m_b"], watermark: 1700000000900 } },
        { sender: { id: "PSID_1" }, recipient: { id: "PAGE_1" }, timestamp: 1700000002000, read: { watermark: 1700000001500 } },
      ),
    );
    expect(parsed.messages).toEqual([]);
    expect(parsed.statuses).toEqual([
      { externalId: "m_a", channelAccountId: "PAGE_1", status: "delivered", at: new Date(1700000001000), recipientId: "PSID_1" },
      { externalId: "m_b", channelAccountId: "PAGE_1", status: "delivered", at: new Date(1700000001000), recipientId: "PSID_1" },
    ]);
  });

  it("a postback (Meta's documented messaging_postbacks event) is a postback message: title as body, title + payload as content", () => {
    const body = fixtureJson("messenger-postback.json") as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a fixture
    const event = body.entry[0].messaging[0];
    expect(parseMessagingWebhook("messenger", body).messages).toEqual([
      {
        externalId: event.postback.mid,
        channelAccountId: "PAGE_ID",
        from: { externalId: "USER_PSID" },
        type: "postback",
        body: "Book a table",
        content: { kind: "postback", title: "Book a table", payload: "BOOK_TABLE:party=4" },
        sentAt: new Date(1527459824000),
        raw: event,
      },
    ]);
  });

  it("a reaction and its removal (Meta's message_reactions events) are reaction messages, distinguishable", () => {
    const react = { sender: { id: "PSID_1" }, recipient: { id: "PAGE_1" }, timestamp: 1700000004000, reaction: { mid: "m_a", action: "react", emoji: "\u{2764}\u{FE0F}", reaction: "love" } };
    const unreact = { sender: { id: "PSID_1" }, recipient: { id: "PAGE_1" }, timestamp: 1700000005000, reaction: { mid: "m_a", action: "unreact" } };
    const [added, removed] = parseMessagingWebhook("messenger", page(react, unreact)).messages;
    expect(added).toMatchObject({ type: "reaction", body: null, content: { kind: "reaction", action: "react", emoji: "\u{2764}\u{FE0F}", reacted_message_external_id: "m_a" } });
    expect(removed).toMatchObject({ type: "reaction", content: { kind: "reaction", action: "unreact", emoji: null, reacted_message_external_id: "m_a" } });
    expect(added!.externalId).not.toBe(removed!.externalId);
  });

  it("attachments carry typed content: image url, location coordinates, Instagram story mention; a quick reply its payload", () => {
    const parsed = parseMessagingWebhook(
      "messenger",
      page(
        event({ mid: "m_img", attachments: [{ type: "image", payload: { url: "https://scontent.example/img.jpg" } }] }),
        event({ mid: "m_loc", attachments: [{ type: "location", title: "Pinned", payload: { coordinates: { lat: 38.7223, long: -9.1393 } } }] }),
        event({ mid: "m_qr", text: "Red", quick_reply: { payload: "COLOR_RED" } }),
      ),
    );
    expect(parsed.messages.map((m) => m.content)).toEqual([
      { kind: "media", media_type: "image", media_id: null, url: "https://scontent.example/img.jpg" },
      { kind: "location", latitude: 38.7223, longitude: -9.1393, name: null, address: null, url: null },
      { kind: "interactive_reply", reply_type: "quick_reply", id: null, title: "Red", payload: "COLOR_RED" },
    ]);
    const story = parseMessagingWebhook("instagram", {
      object: "instagram",
      entry: [{ id: "IG_1", time: 1, messaging: [{ sender: { id: "IGSID" }, recipient: { id: "IG_1" }, timestamp: 1700000000000, message: { mid: "m_story", attachments: [{ type: "story_mention", payload: { url: "https://lookaside.example/story" } }] } }] }],
    });
    expect(story.messages[0]).toMatchObject({ type: "story_mention", content: { kind: "story_mention", url: "https://lookaside.example/story" } });
  });

  it("a postback without mid (Get Started on older pages) gets an id stable across re-deliveries", () => {
    const event = { sender: { id: "PSID_1" }, recipient: { id: "PAGE_1" }, timestamp: 1700000003000, postback: { title: "Get Started", payload: "GET_STARTED" } };
    const first = parseMessagingWebhook("messenger", page(event)).messages[0]!;
    expect(first).toMatchObject({ type: "postback", body: "Get Started", content: { kind: "postback", title: "Get Started", payload: "GET_STARTED" } });
    expect(first.externalId).toMatch(/^postback:[0-9a-f]{40}$/);
    expect(parseMessagingWebhook("messenger", page(event)).messages[0]!.externalId).toBe(first.externalId);
    const other = parseMessagingWebhook("messenger", page({ ...event, postback: { title: "Get Started", payload: "OTHER" } })).messages[0]!;
    expect(other.externalId).not.toBe(first.externalId);
  });

  it("a postback without a sender is a validation error naming the path", () => {
    expect(() => parseMessagingWebhook("messenger", page({ recipient: { id: "PAGE_1" }, timestamp: 1, postback: { title: "x" } }))).toThrow(/entry\.0\.messaging\.0/);
  });

  it("entries without messaging (feed changes, standby) are skipped", () => {
    expect(
      parseMessagingWebhook("messenger", { object: "page", entry: [{ id: "P", time: 1, changes: [{ field: "feed", value: {} }] }, { id: "P", time: 1, standby: [] }] }),
    ).toEqual({ messages: [], statuses: [] });
  });
});

describe("parseMessagingWebhook: Instagram", () => {
  it("an ice breaker postback (Meta's documented form) is a postback message", () => {
    const body = fixtureJson("instagram-postback.json") as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a fixture
    expect(parseMessagingWebhook("instagram", body).messages).toEqual([
      expect.objectContaining({
        externalId: body.entry[0].messaging[0].postback.mid,
        channelAccountId: "17841400000000000",
        from: { externalId: "IGSID_CUSTOMER" },
        type: "postback",
        body: "What are your opening hours?",
        content: { kind: "postback", title: "What are your opening hours?", payload: "ICEBREAKER_HOURS" },
      }),
    ]);
  });

  it("text message: channel = recipient (business account), sender = IGSID", () => {
    const [m] = parseMessagingWebhook("instagram", fixtureJson("instagram-text-message.json")).messages;
    expect(m).toMatchObject({
      externalId: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw",
      channelAccountId: "17841400000000000",
      from: { externalId: "1234567890123456" },
      type: "text",
      body: "Is this still available?",
      sentAt: new Date(1700000000000),
    });
  });

  it("echo is ignored", () => {
    expect(parseMessagingWebhook("instagram", fixtureJson("instagram-echo-message.json"))).toEqual({ messages: [], statuses: [] });
  });

  it("story mention, unsupported and unsend", () => {
    const ig = (...messaging: unknown[]) => ({ object: "instagram", entry: [{ id: "IG", time: 1, messaging }] });
    const parsed = parseMessagingWebhook(
      "instagram",
      ig(
        event({ mid: "s1", attachments: [{ type: "story_mention", payload: { url: "https://lookaside" } }] }, { recipient: { id: "IG" } }),
        event({ mid: "u1", is_unsupported: true }, { recipient: { id: "IG" } }),
        event({ mid: "d1", is_deleted: true }, { recipient: { id: "IG" } }),
        { sender: { id: "PSID_1" }, recipient: { id: "IG" }, timestamp: 1700000005000, read: { mid: "ig_out_1" } },
      ),
    );
    expect(parsed.messages.map((m) => [m.externalId, m.type, m.body])).toEqual([
      ["s1", "story_mention", null],
      ["u1", "unsupported", null],
    ]);
    expect(parsed.statuses).toEqual([{ externalId: "ig_out_1", channelAccountId: "IG", status: "read", at: new Date(1700000005000), recipientId: "PSID_1" }]);
  });
});

describe("parseMessagingWebhook: shape errors", () => {
  it.each<[string, "messenger" | "instagram", unknown, string]>([
    ["Instagram body on the Messenger endpoint", "messenger", fixtureJson("instagram-text-message.json"), "object"],
    ["Messenger body on the Instagram endpoint", "instagram", fixtureJson("messenger-text-message.json"), "object"],
    ["WhatsApp body", "messenger", fixtureJson("whatsapp-text-message.json"), "object"],
    ["entry missing", "messenger", { object: "page" }, "entry"],
    ["messaging not an array", "messenger", { object: "page", entry: [{ id: "1", messaging: {} }] }, "entry.0.messaging"],
    ["message without mid", "messenger", page(event({ text: "x" })), "entry.0.messaging.0.message.mid"],
    ["message without sender", "messenger", page({ recipient: { id: "P" }, timestamp: 1, message: { mid: "m", text: "x" } }), "entry.0.messaging.0.sender"],
    ["text not a string", "messenger", page(event({ mid: "m", text: 5 })), "entry.0.messaging.0.message.text"],
    ["attachment without type", "messenger", page(event({ mid: "m", attachments: [{ payload: {} }] })), "entry.0.messaging.0.message.attachments.0.type"],
    ["null body", "instagram", null, "(root)"],
  ])("%s -> validation_error at %s", async (_name, channel, payload, path) => {
    const err = await appErrorOf(() => parseMessagingWebhook(channel, payload));
    expect(err.code).toBe("validation_error");
    expect(err.path).toBe(path);
  });
});
