import { CALLBACK_ACTIONS } from "@alfred/api";
import { checkTimestamp, verifyAlfredSignature } from "@alfred/automation";
import { maskSecret } from "@alfred/core";
import { describe, expect, it } from "vitest";
import { alfredApiBase } from "./alfred-client";
import { callbackEventId, MAX_EVENT_ID_LENGTH, presentParams, signCallback, type CallbackAction } from "./callback";
import { maskedLike } from "./destinations";

const TENANT = "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11";
const DESTINATION = "3d1c2b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1Zg3a0ZLwT8=";
const CONVERSATION = "8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d";
const CONTACT = "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d";
const NOW = 1_760_000_000;

/** Each action's params as its Activepieces props produce them: optional ones empty or unset. */
const ACTION_INPUTS: [CallbackAction, Record<string, unknown>][] = [
  ["create_task", { title: "Call back about Lisbon", description: "", due_at: "2025-01-16T09:00:00.000Z", conversation_id: CONVERSATION, contact_id: undefined, assignee_id: null, lead: true }],
  ["update_conversation_status", { conversation_id: CONVERSATION, status: "snoozed", snoozed_until: "2025-01-16T09:00:00+01:00" }],
  ["add_internal_comment", { conversation_id: CONVERSATION, body: "Customer prefers WhatsApp — ação rápida ✅" }],
  ["send_message", { conversation_id: CONVERSATION, body: "We ship to Lisbon.\nObrigado!" }],
  ["update_contact", { contact_id: CONTACT, name: "Ana Silva", email: "", phone: "   ", attributes: { tier: "gold", "10": 1 }, lead_score: 85 }],
];

/** What Alfred's callback handler checks, in its order, minus the database. */
function alfredAccepts(signed: { headers: Record<string, string>; body: Buffer }, secret = SECRET, now = NOW) {
  const h = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const raw = signed.body.toString("utf8");
  const body = JSON.parse(raw) as { tenant_id: string; event_id: string; action: CallbackAction; params: unknown };
  return {
    signature: verifyAlfredSignature({ header: h["x-alfred-signature"], secrets: [secret], timestamp: h["x-alfred-timestamp"]!, eventId: h["x-alfred-event-id"]!, tenantId: h["x-alfred-tenant-id"]!, rawBody: raw }),
    timestamp: checkTimestamp(h["x-alfred-timestamp"], now, 300),
    destination: h["x-alfred-destination-id"],
    tenantMatches: body.tenant_id === h["x-alfred-tenant-id"],
    eventMatches: body.event_id === h["x-alfred-event-id"],
    params: CALLBACK_ACTIONS[body.action].params.safeParse(body.params).success,
  };
}

describe("actions produce callbacks Alfred's verifier accepts", () => {
  it.each(ACTION_INPUTS)("%s", (action, input) => {
    const signed = signCallback({ destinationId: DESTINATION, secret: SECRET, tenantId: TENANT, eventId: callbackEventId(""), action, params: presentParams(input), timestamp: NOW });
    expect(alfredAccepts(signed)).toEqual({ signature: true, timestamp: "ok", destination: DESTINATION, tenantMatches: true, eventMatches: true, params: true });
  });

  it("links the callback to the event it answers without changing its idempotency key", () => {
    const signed = signCallback({ destinationId: DESTINATION, secret: SECRET, tenantId: TENANT, eventId: "flow-run-42", action: "send_message", params: { conversation_id: CONVERSATION, body: "x" }, correlationId: "5a3c1e2d-0b9f-4e8a-a7c6-d5e4f3a2b1c0", timestamp: NOW });
    expect(JSON.parse(signed.body.toString())).toMatchObject({ event_id: "flow-run-42", correlation_id: "5a3c1e2d-0b9f-4e8a-a7c6-d5e4f3a2b1c0" });
    expect(alfredAccepts(signed).signature).toBe(true);
  });

  it("Alfred refuses the same callback altered, re-keyed, re-timed or signed with another secret", () => {
    const signed = signCallback({ destinationId: DESTINATION, secret: SECRET, tenantId: TENANT, eventId: "e-1", action: "create_task", params: { title: "A" }, timestamp: NOW });
    expect(alfredAccepts({ ...signed, body: Buffer.from(signed.body.toString().replace('"A"', '"B"')) }).signature).toBe(false);
    expect(alfredAccepts({ ...signed, headers: { ...signed.headers, "X-Alfred-Event-Id": "e-2" } }).signature).toBe(false);
    expect(alfredAccepts({ ...signed, headers: { ...signed.headers, "X-Alfred-Timestamp": String(NOW + 1) } }).signature).toBe(false);
    expect(alfredAccepts(signed, "whsec_other").signature).toBe(false);
    expect(alfredAccepts(signed, SECRET, NOW + 301).timestamp).toBe("stale");
  });

  it("leaves out empty optional params and keeps false, 0 and objects", () => {
    expect(presentParams({ a: "", b: "  ", c: null, d: undefined, e: false, f: 0, g: {}, h: "x" })).toEqual({ e: false, f: 0, g: {}, h: "x" });
  });
});

describe("idempotency keys", () => {
  it("a fresh UUID per run without a key; the trimmed key otherwise", () => {
    const [a, b] = [callbackEventId(undefined), callbackEventId("   ")];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(callbackEventId(" run-1:create_task ")).toBe("run-1:create_task");
    expect(callbackEventId("k".repeat(MAX_EVENT_ID_LENGTH))).toHaveLength(MAX_EVENT_ID_LENGTH);
    expect(() => callbackEventId("k".repeat(MAX_EVENT_ID_LENGTH + 1))).toThrow(/at most 200/);
  });
});

describe("helpers that mirror Alfred", () => {
  it("masks a secret the way Alfred's secret_masked shows it", () => {
    for (const secret of [SECRET, "whsec_short", "whsec_1234567", "a-user-chosen-secret-of-some-length", "123456789012", "1234567890123"]) expect(maskedLike(secret)).toBe(maskSecret(secret));
  });

  it.each([
    ["https://alfred.example.com", "https://alfred.example.com/api/v1"],
    ["https://alfred.example.com/", "https://alfred.example.com/api/v1"],
    ["  https://alfred.example.com/api/v1/ ", "https://alfred.example.com/api/v1"],
    ["https://example.com/alfred", "https://example.com/alfred/api/v1"],
    ["http://127.0.0.1:3000", "http://127.0.0.1:3000/api/v1"],
  ])("reads the Alfred URL %j as %s", (input, api) => {
    expect(alfredApiBase(input)).toBe(api);
  });

  it.each(["alfred.example.com", "ftp://alfred.example.com", "javascript:alert(1)", "https://user:pw@alfred.example.com", "https://alfred.example.com/?x=1", "https://alfred.example.com/#f", ""])(
    "refuses the Alfred URL %j with a reason",
    (input) => {
      expect(() => alfredApiBase(input)).toThrow(/Alfred URL/);
    },
  );
});
