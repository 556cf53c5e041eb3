import { describe, expect, it } from "vitest";
import {
  ALL_EVENT_TYPES,
  buildEnvelope,
  describeCatalog,
  EVENT_CATALOG,
  EVENT_TYPES,
  envelopeSchema,
  eventTypeSchema,
  isCatalogEventType,
  isEventType,
  SAMPLE_EVENT_ID,
  sampleEnvelope,
  type CatalogEventType,
} from "./catalog";

const TENANT_ID = "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11";
const EVENT_ID = "6a1f2c3d-4b5e-4f60-8a7b-9c0d1e2f3a4b";

describe("event types", () => {
  it("lists exactly the subscribable types, without alfred.test", () => {
    expect([...EVENT_TYPES].sort()).toEqual(
      ["contact.updated", "conversation.updated", "lead.score_changed", "message.ingested", "message.sent", "task.completed", "task.created", "task.overdue"].sort(),
    );
    expect(Object.keys(EVENT_CATALOG).sort()).toEqual([...ALL_EVENT_TYPES].sort());
  });

  it.each([
    ["message.ingested", true, true],
    ["alfred.test", false, true],
    ["message.deleted", false, false],
    ["MESSAGE.INGESTED", false, false],
    ["toString", false, false],
    ["__proto__", false, false],
    [42, false, false],
    [undefined, false, false],
  ])("%j: subscribable %s, in catalog %s", (value, subscribable, inCatalog) => {
    expect(isEventType(value)).toBe(subscribable);
    expect(isCatalogEventType(value)).toBe(inCatalog);
    expect(eventTypeSchema.safeParse(value).success).toBe(subscribable);
  });

  it("describes every type for the UI, with a sample that its own schema accepts", () => {
    const described = describeCatalog();
    expect(described.map((d) => d.type)).toEqual([...ALL_EVENT_TYPES]);
    for (const entry of described) {
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.subscribable).toBe(entry.type !== "alfred.test");
      expect(EVENT_CATALOG[entry.type].payload.safeParse(entry.sample).success, entry.type).toBe(true);
    }
  });
});

describe("payload schemas", () => {
  it.each(ALL_EVENT_TYPES.map((t) => [t]))("%s sample parses inside an envelope", (type) => {
    const envelope = { event_id: EVENT_ID, tenant_id: TENANT_ID, occurred_at: "2025-01-15T10:30:00.000Z", type, payload: EVENT_CATALOG[type].sample };
    expect(envelopeSchema.parse(envelope)).toEqual(envelope);
  });

  const sample = <T extends CatalogEventType>(type: T) => EVENT_CATALOG[type].sample as Record<string, unknown>;
  const invalid: [CatalogEventType, string, Record<string, unknown>][] = [
    ["message.ingested", "missing message_id", { ...sample("message.ingested"), message_id: undefined }],
    ["message.ingested", "non-uuid conversation_id", { ...sample("message.ingested"), conversation_id: "conv-1" }],
    ["message.ingested", "unknown channel_type", { ...sample("message.ingested"), channel_type: "fax" }],
    ["message.ingested", "received_at not ISO-8601", { ...sample("message.ingested"), received_at: "15/01/2025" }],
    ["message.ingested", "camelCase field instead of snake_case", { ...sample("message.ingested"), message_id: undefined, messageId: sample("message.ingested").message_id }],
    ["message.sent", "unknown status", { ...sample("message.sent"), status: "teleported" }],
    ["conversation.updated", "unknown status", { ...sample("conversation.updated"), status: "closed" }],
    ["conversation.updated", "empty changes", { ...sample("conversation.updated"), changes: [] }],
    ["conversation.updated", "changes not an array", { ...sample("conversation.updated"), changes: "status" }],
    ["task.created", "empty title", { ...sample("task.created"), title: "" }],
    ["task.created", "due_at not a date", { ...sample("task.created"), due_at: "tomorrow" }],
    ["task.completed", "unknown status", { ...sample("task.completed"), status: "archived" }],
    ["contact.updated", "missing email key", { ...sample("contact.updated"), email: undefined }],
    ["lead.score_changed", "fractional score", { ...sample("lead.score_changed"), score: 85.5 }],
    ["lead.score_changed", "score as a string", { ...sample("lead.score_changed"), score: "85" }],
    ["alfred.test", "message not a string", { message: 1 }],
  ];
  it.each(invalid)("%s rejects %s", (type, _name, payload) => {
    expect(EVENT_CATALOG[type].payload.safeParse(payload).success).toBe(false);
  });

  it("accepts nullable fields as null", () => {
    expect(EVENT_CATALOG["task.created"].payload.safeParse({ ...sample("task.created"), due_at: null, assignee_id: null, conversation_id: null, contact_id: null }).success).toBe(true);
    expect(EVENT_CATALOG["message.ingested"].payload.safeParse({ ...sample("message.ingested"), body: null, external_id: null }).success).toBe(true);
  });
});

describe("envelope", () => {
  const valid = {
    event_id: EVENT_ID,
    tenant_id: TENANT_ID,
    occurred_at: "2025-01-15T10:30:00.000Z",
    type: "lead.score_changed",
    payload: { contact_id: "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d", previous_score: 40, score: 85 },
  };

  it.each([
    ["event_id not a uuid", { ...valid, event_id: "evt_123" }],
    ["tenant_id missing", { ...valid, tenant_id: undefined }],
    ["occurred_at not ISO-8601", { ...valid, occurred_at: "yesterday" }],
    ["occurred_at as epoch number", { ...valid, occurred_at: 1736937000 }],
    ["unknown type", { ...valid, type: "lead.deleted" }],
    ["payload of another type", { ...valid, type: "message.sent" }],
    ["payload missing", { ...valid, payload: undefined }],
  ])("rejects %s", (_name, envelope) => {
    expect(envelopeSchema.safeParse(envelope).success).toBe(false);
  });

  it("accepts a time zone offset in occurred_at", () => {
    expect(envelopeSchema.safeParse({ ...valid, occurred_at: "2025-01-15T11:30:00+01:00" }).success).toBe(true);
  });

  it("buildEnvelope fills id and time, and validates the payload for its type", () => {
    const occurredAt = new Date("2025-01-15T10:30:00.000Z");
    const envelope = buildEnvelope({ type: "alfred.test", tenantId: TENANT_ID, payload: { message: "hello" }, occurredAt });
    expect(envelope).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      tenant_id: TENANT_ID,
      occurred_at: "2025-01-15T10:30:00.000Z",
      type: "alfred.test",
      payload: { message: "hello" },
    });
    expect(Object.keys(envelope)).toEqual(["event_id", "tenant_id", "occurred_at", "type", "payload"]);
    expect(buildEnvelope({ type: "alfred.test", tenantId: TENANT_ID, payload: { message: "x" }, eventId: EVENT_ID }).event_id).toBe(EVENT_ID);
  });

  it("buildEnvelope refuses an invalid payload or tenant", () => {
    expect(() =>
      buildEnvelope({ type: "lead.score_changed", tenantId: TENANT_ID, payload: { contact_id: "nope", previous_score: 1, score: 2 } }),
    ).toThrow();
    expect(() => buildEnvelope({ type: "alfred.test", tenantId: "tenant-1", payload: { message: "x" } })).toThrow();
  });
});

describe("sample envelopes", () => {
  it.each(ALL_EVENT_TYPES.map((t) => [t]))("%s: the catalog sample inside a valid envelope for the tenant", (type) => {
    const envelope = sampleEnvelope(type, TENANT_ID);
    expect(envelopeSchema.parse(envelope)).toEqual(envelope);
    expect(envelope).toEqual({ event_id: SAMPLE_EVENT_ID, tenant_id: TENANT_ID, occurred_at: "2025-01-15T10:30:00.000Z", type, payload: EVENT_CATALOG[type].sample });
  });

  it("refuses a tenant id that is not a UUID", () => {
    expect(() => sampleEnvelope("task.created", "tenant-1")).toThrow();
  });
});
