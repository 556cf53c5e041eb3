import { randomUUID } from "node:crypto";
import { alfredSignature } from "@alfred/automation/signing";

/** The callback actions Alfred runs (POST /api/v1/automations/callbacks). */
export type CallbackAction = "create_task" | "update_conversation_status" | "add_internal_comment" | "send_message" | "update_contact";

export interface CallbackInput {
  destinationId: string;
  secret: string;
  tenantId: string;
  /** The idempotency key: Alfred acts once per (destination, event id). */
  eventId: string;
  action: CallbackAction;
  params: Record<string, unknown>;
  /** The Alfred event this answers, linking the callback to it in Alfred's timeline. */
  correlationId?: string | null;
  /** Unix seconds. */
  timestamp: number;
}

export interface SignedCallback {
  headers: Record<string, string>;
  body: Buffer;
}

/** Alfred refuses longer event ids. */
export const MAX_EVENT_ID_LENGTH = 200;

/** The user's key, trimmed, or a fresh one: without a key every run acts anew. */
export function callbackEventId(idempotencyKey: string | null | undefined): string {
  const key = idempotencyKey?.trim() ?? "";
  if (key === "") return randomUUID();
  if (key.length > MAX_EVENT_ID_LENGTH) throw new Error(`The idempotency key is ${key.length} characters long; Alfred accepts at most ${MAX_EVENT_ID_LENGTH}`);
  return key;
}

/** Signs exactly the bytes that are sent: `sha256=` HMAC of `{ts}.{event_id}.{tenant_id}.{body}`. */
export function signCallback(input: CallbackInput): SignedCallback {
  const fields: Record<string, unknown> = { tenant_id: input.tenantId, event_id: input.eventId, action: input.action, params: input.params };
  if (input.correlationId) fields.correlation_id = input.correlationId;
  const body = Buffer.from(JSON.stringify(fields), "utf8");
  return {
    body,
    headers: {
      "X-Alfred-Destination-Id": input.destinationId,
      "X-Alfred-Event-Id": input.eventId,
      "X-Alfred-Tenant-Id": input.tenantId,
      "X-Alfred-Timestamp": String(input.timestamp),
      "X-Alfred-Signature": `sha256=${alfredSignature(input.secret, input.timestamp, input.eventId, input.tenantId, body)}`,
    },
  };
}

/** Empty optional fields are left out rather than sent as "" (which Alfred would refuse or store). */
export function presentParams(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined && value !== null && !(typeof value === "string" && value.trim() === "")));
}
