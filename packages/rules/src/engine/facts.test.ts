import { describe, expect, it } from "vitest";
import { whatsappMessageFacts } from "../testing/fixtures";
import { factsSchema, readPath } from "./facts";

describe("readPath", () => {
  const facts = whatsappMessageFacts();

  it.each<[string, unknown]>([
    ["event.channel_type", "whatsapp"],
    ["message.classification.intent", "purchase_intent"],
    ["contact.attributes.seats", 12],
    ["conversation.labels", ["vip"]],
    ["contact.attributes.missing", undefined],
    ["conversation.labels.0", undefined],
    ["contact.__proto__", undefined],
    ["contact.constructor", undefined],
    ["contact.attributes.__proto__.polluted", undefined],
    ["toString", undefined],
    ["event.payload", undefined],
  ])("%s -> %j", (path, value) => {
    expect(readPath(facts, path)).toEqual(value);
  });

  it("reads nothing from an absent record", () => {
    expect(readPath({ ...facts, conversation: null }, "conversation.status")).toBeUndefined();
  });
});

describe("factsSchema (a sample typed in the editor)", () => {
  it("accepts the facts the worker builds", () => {
    expect(factsSchema.safeParse(whatsappMessageFacts()).success).toBe(true);
  });

  it.each([
    [{ event: { id: "1", type: "message.ingested", occurred_at: "2025-01-15T10:30:00Z", payload: {} } }, "event.id"],
    [{ event: { ...whatsappMessageFacts().event, type: "message.deleted" } }, "event.type"],
    [{ event: { ...whatsappMessageFacts().event, occurred_at: "yesterday" } }, "event.occurred_at"],
    [{ event: whatsappMessageFacts().event, contact: "Ana" }, "contact"],
  ])("refuses a malformed sample at %#", (sample, path) => {
    const result = factsSchema.safeParse(sample);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path.join(".")).toBe(path);
  });
});
