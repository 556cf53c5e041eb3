import type { ChannelType, NormalizedInboundMessage, NormalizedStatusUpdate, ParsedWebhook } from "./types";

/**
 * What webhook intake needs before and after the signature check, kept apart from the parsers:
 * - before: which provider accounts a body names (to find the channel whose secret verifies it),
 *   read loosely so that nothing about the body's shape is judged before it is authenticated;
 * - after: the parsed items grouped by channel account and sender, because each sender's items are
 *   stored as one receipt and processed in arrival order.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const nonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 255;

/**
 * The account ids a JSON webhook body names: WhatsApp `entry[].changes[].value.metadata.phone_number_id`;
 * Messenger / Instagram the business side of each `entry[].messaging[]` event (the recipient, or the
 * sender of an echo), or `entry[].id` for an entry without events; the API channel's `channel_id`.
 * Empty when it names none.
 */
export function webhookAccountIds(type: Exclude<ChannelType, "email">, body: unknown): string[] {
  const ids = new Set<string>();
  if (!isRecord(body)) return [];
  if (type === "api") {
    if (nonEmptyString(body.channel_id)) ids.add(body.channel_id);
    return [...ids];
  }
  for (const entry of asArray(body.entry).slice(0, 1000)) {
    if (!isRecord(entry)) continue;
    if (type === "whatsapp") {
      for (const change of asArray(entry.changes)) {
        const metadata = isRecord(change) && isRecord(change.value) ? change.value.metadata : undefined;
        if (isRecord(metadata) && nonEmptyString(metadata.phone_number_id)) ids.add(metadata.phone_number_id);
      }
      continue;
    }
    const events = asArray(entry.messaging);
    for (const event of events) {
      if (!isRecord(event)) continue;
      // The business is the recipient of what customers send, and the sender of its own echoes.
      const echo = isRecord(event.message) && event.message.is_echo === true;
      const business = echo ? event.sender : event.recipient;
      if (isRecord(business) && nonEmptyString(business.id)) ids.add(business.id);
    }
    if (events.length === 0 && nonEmptyString(entry.id)) ids.add(entry.id);
  }
  return [...ids];
}

/** The items of one sender on one channel account: what one receipt carries. */
export interface SenderItems {
  channelAccountId: string;
  /** The sender's id for messages; `status:<recipient>` for status notifications. */
  orderingKey: string;
  messages: NormalizedInboundMessage[];
  statuses: NormalizedStatusUpdate[];
}

export const statusOrderingKey = (status: NormalizedStatusUpdate) => `status:${status.recipientId ?? "*"}`;

/** Groups a parsed webhook by (channel account, sender), keeping each group's items in body order. */
export function groupBySender(parsed: ParsedWebhook): SenderItems[] {
  const groups = new Map<string, SenderItems>();
  const group = (channelAccountId: string, orderingKey: string) => {
    const key = JSON.stringify([channelAccountId, orderingKey]);
    let found = groups.get(key);
    if (!found) groups.set(key, (found = { channelAccountId, orderingKey, messages: [], statuses: [] }));
    return found;
  };
  for (const message of parsed.messages) group(message.channelAccountId, message.from.externalId).messages.push(message);
  for (const status of parsed.statuses) group(status.channelAccountId, statusOrderingKey(status)).statuses.push(status);
  return [...groups.values()];
}

/** The items of `parsed` that belong to one receipt (its channel account and sender). */
export function itemsOf(parsed: ParsedWebhook, channelAccountId: string, orderingKey: string): Pick<SenderItems, "messages" | "statuses"> {
  return {
    messages: parsed.messages.filter((m) => m.channelAccountId === channelAccountId && m.from.externalId === orderingKey),
    statuses: parsed.statuses.filter((s) => s.channelAccountId === channelAccountId && statusOrderingKey(s) === orderingKey),
  };
}
