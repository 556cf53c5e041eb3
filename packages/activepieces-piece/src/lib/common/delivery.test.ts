import { alfredSignature, buildDeliveryHeaders, buildEnvelope, sampleEnvelope } from "@alfred/automation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DELIVERY_MAX_AGE_SECONDS, signedBytes, verifyDelivery, type WebhookPayload } from "./delivery";

const TENANT = "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11";
const OTHER_TENANT = "9f1e2d3c-4b5a-4697-8877-665544332211";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1Zg3a0ZLwT8=";
const PREVIOUS_SECRET = "whsec_b2xkLXNlY3JldC1zdGlsbC1pbi1ncmFjZS1wZXJpb2Q=";
const NOW = 1_760_000_000;

/** A delivery exactly as Alfred's delivery engine builds it, arriving as Activepieces passes it on. */
function delivery(options: { body?: string; secrets?: string[]; tenantId?: string; timestamp?: number; eventId?: string } = {}) {
  const envelope = sampleEnvelope("message.ingested", options.tenantId ?? TENANT);
  const eventId = options.eventId ?? envelope.event_id;
  const body = options.body ?? JSON.stringify(envelope);
  const sent = buildDeliveryHeaders({
    secrets: options.secrets ?? [SECRET],
    eventId,
    tenantId: options.tenantId ?? TENANT,
    destinationId: "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    timestamp: options.timestamp ?? NOW,
    rawBody: body,
    correlationId: "corr-1",
    version: "1.0",
  });
  // Activepieces (Fastify) lowercases header names.
  const headers = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toLowerCase(), v]));
  return { envelope, body, headers };
}

const expectation = { secret: SECRET, tenantId: TENANT, eventType: "message.ingested", nowSeconds: NOW };

describe("verifyDelivery accepts what Alfred signed, however Activepieces hands it over", () => {
  const { envelope, body, headers } = delivery();
  it.each<[string, WebhookPayload]>([
    ["raw body as the UTF-8 string of Activepieces' raw-body plugin", { body: JSON.parse(body), rawBody: body, headers }],
    ["raw body as a Buffer", { body: JSON.parse(body), rawBody: Buffer.from(body), headers }],
    ["raw body as a Buffer serialized through a job queue", { body: JSON.parse(body), rawBody: JSON.parse(JSON.stringify(Buffer.from(body))), headers }],
    ["no raw body (older releases): the parsed JSON, re-serialized", { body: JSON.parse(body), headers }],
    ["header names in Alfred's own capitalisation", { body: JSON.parse(body), rawBody: body, headers: buildDeliveryHeaders({ secrets: [SECRET], eventId: envelope.event_id, tenantId: TENANT, timestamp: NOW, rawBody: body, correlationId: "c", version: "1", destinationId: "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }) }],
  ])("%s", (_name, payload) => {
    expect(verifyDelivery(payload, expectation)).toEqual({ ok: true, envelope });
  });

  it("accepts during a rotation, with either secret held", () => {
    const rotating = delivery({ secrets: [SECRET, PREVIOUS_SECRET] });
    const payload = { body: JSON.parse(rotating.body), rawBody: rotating.body, headers: rotating.headers };
    expect(verifyDelivery(payload, expectation).ok).toBe(true);
    expect(verifyDelivery(payload, { ...expectation, secret: PREVIOUS_SECRET }).ok).toBe(true);
  });

  it("accepts timestamps exactly at the edge of the window, either side", () => {
    for (const skew of [-DELIVERY_MAX_AGE_SECONDS, DELIVERY_MAX_AGE_SECONDS]) {
      const d = delivery({ timestamp: NOW + skew });
      expect(verifyDelivery({ body: null, rawBody: d.body, headers: d.headers }, expectation).ok).toBe(true);
    }
  });

  it("the re-serialized body is byte-for-byte what Alfred signed, for any payload text (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-composite" }), (messageBody, name) => {
        const sent = buildEnvelope({ type: "contact.updated", tenantId: TENANT, payload: { contact_id: TENANT, changes: ["name"], name, email: messageBody, phone: null } });
        const body = JSON.stringify(sent);
        const headers = buildDeliveryHeaders({ secrets: [SECRET], eventId: sent.event_id, tenantId: TENANT, timestamp: NOW, rawBody: body, correlationId: "c", version: "1", destinationId: "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d" });
        const verdict = verifyDelivery({ body: JSON.parse(body), headers }, { ...expectation, eventType: "contact.updated" });
        expect(verdict).toEqual({ ok: true, envelope: sent });
      }),
    );
  });

  it("JSON.parse then JSON.stringify reproduces any JSON.stringify output (the fallback's premise)", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      expect(JSON.stringify(JSON.parse(text))).toBe(text);
    }));
  });
});

describe("verifyDelivery refuses everything else (run returns [] for it)", () => {
  const good = delivery();
  const payload = (overrides: Partial<{ body: string; headers: Record<string, string> }> = {}): WebhookPayload => {
    const body = overrides.body ?? good.body;
    return { body: JSON.parse(body), rawBody: body, headers: overrides.headers ?? good.headers };
  };
  const without = (name: string) => Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== name));
  const tamperedBody = good.body.replace("Lisbon", "Lisboa");
  const forOtherTenant = delivery({ tenantId: OTHER_TENANT });
  const otherType = (() => {
    const sent = sampleEnvelope("task.created", TENANT);
    const body = JSON.stringify(sent);
    return { body, headers: delivery({ body, eventId: sent.event_id }).headers };
  })();
  const mismatchedId = delivery({ eventId: "6a1f2c3d-4b5e-4f60-8a7b-9c0d1e2f3a4b" });
  const notJson = delivery({ body: "not json" });

  it.each<[string, WebhookPayload, RegExp]>([
    ["body altered after signing", payload({ body: tamperedBody }), /does not verify/],
    ["raw body altered, parsed body intact", { ...payload(), rawBody: tamperedBody }, /does not verify/],
    ["event id header swapped", payload({ headers: { ...good.headers, "x-alfred-event-id": "6a1f2c3d-4b5e-4f60-8a7b-9c0d1e2f3a4b" } }), /does not verify/],
    ["tenant header swapped", payload({ headers: { ...good.headers, "x-alfred-tenant-id": OTHER_TENANT } }), /does not verify/],
    ["timestamp header moved", payload({ headers: { ...good.headers, "x-alfred-timestamp": String(NOW + 1) } }), /does not verify/],
    ["signed with another secret", (() => { const d = delivery({ secrets: ["whsec_another"] }); return { body: null, rawBody: d.body, headers: d.headers }; })(), /does not verify/],
    ["the body-only signature offered as X-Alfred-Signature", payload({ headers: { ...good.headers, "x-alfred-signature": good.headers["x-alfred-body-signature"]! } }), /does not verify/],
    ["signature in upper-case hex", payload({ headers: { ...good.headers, "x-alfred-signature": good.headers["x-alfred-signature"]!.toUpperCase() } }), /does not verify/],
    ["empty signature", payload({ headers: { ...good.headers, "x-alfred-signature": "" } }), /unsigned/],
    ["no signature", payload({ headers: without("x-alfred-signature") }), /unsigned/],
    ["no timestamp", payload({ headers: without("x-alfred-timestamp") }), /unsigned/],
    ["no event id", payload({ headers: without("x-alfred-event-id") }), /unsigned/],
    ["no tenant id", payload({ headers: without("x-alfred-tenant-id") }), /unsigned/],
    ["no headers at all", { body: JSON.parse(good.body), rawBody: good.body, headers: {} }, /unsigned/],
    ["a header given twice (array)", payload({ headers: { ...good.headers, "x-alfred-signature": [good.headers["x-alfred-signature"], "sha256=00"] as never } }), /unsigned/],
    ["raw body of an unknown kind", { ...payload(), rawBody: 42 }, /no body/],
    ["no body at all", { body: undefined, headers: good.headers }, /no body/],
    ["another workspace's delivery, correctly signed", { body: null, rawBody: forOtherTenant.body, headers: forOtherTenant.headers }, /another Alfred workspace/],
    ["another event type, correctly signed", { body: null, rawBody: otherType.body, headers: otherType.headers }, /task\.created event, not message\.ingested/],
    ["body event id differs from the signed header", { body: null, rawBody: mismatchedId.body, headers: mismatchedId.headers }, /differs from the signed headers/],
    ["signed body that is not JSON", { body: "not json", rawBody: notJson.body, headers: notJson.headers }, /not JSON/],
  ])("%s", (_name, hostile, reason) => {
    const verdict = verifyDelivery(hostile, expectation);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(reason);
  });

  it.each([
    ["stale", NOW - DELIVERY_MAX_AGE_SECONDS - 1],
    ["from the future", NOW + DELIVERY_MAX_AGE_SECONDS + 1],
    ["a day old", NOW - 86_400],
  ])("refuses a correctly signed delivery that is %s", (_name, timestamp) => {
    const d = delivery({ timestamp });
    expect(verifyDelivery({ body: null, rawBody: d.body, headers: d.headers }, expectation)).toEqual({ ok: false, reason: "X-Alfred-Timestamp is stale" });
  });

  it("refuses a malformed timestamp even when it is what was signed", () => {
    const d = delivery();
    const headers = { ...d.headers, "x-alfred-timestamp": "1.76e9", "x-alfred-signature": `sha256=${alfredSignature(SECRET, "1.76e9", d.envelope.event_id, TENANT, d.body)}` };
    expect(verifyDelivery({ body: null, rawBody: d.body, headers }, expectation)).toEqual({ ok: false, reason: "X-Alfred-Timestamp is malformed" });
  });
});

describe("signedBytes", () => {
  it("prefers the raw body and never re-serializes when one was given", () => {
    expect(signedBytes({ body: { a: 1 }, rawBody: '{"a": 1}', headers: {} })).toBe('{"a": 1}');
    expect(signedBytes({ body: "text", headers: {} })).toBe("text");
    expect(signedBytes({ body: { b: [1, "x"] }, headers: {} })).toBe('{"b":[1,"x"]}');
    expect(signedBytes({ body: { a: 1 }, rawBody: { type: "Buffer", data: "nope" }, headers: {} })).toBeNull();
  });
});
