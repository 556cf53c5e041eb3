import { StoreScope, type Store } from "@activepieces/pieces-framework";
import type { AlfredApi, AlfredDestination } from "./alfred-client";

/** What the piece keeps of a destination it made: Alfred shows a secret only when it is issued. */
export interface HeldDestination {
  id: string;
  secret: string;
  tenant_id: string;
}

/** Flow scope: the trigger's own destination, one per published flow. */
export const TRIGGER_DESTINATION_KEY = "alfred_trigger_destination";
/** Project scope, per Alfred workspace: the callback-only destination every action signs with. */
export const actionsDestinationKey = (tenantId: string) => `alfred_actions_destination_${tenantId}`;

/** Alfred's `secret_masked` of a secret (a unit test holds it to Alfred's `maskSecret`). */
export function maskedLike(secret: string): string {
  if (secret.length <= 12) return "•".repeat(8);
  return `${secret.slice(0, secret.startsWith("whsec_") ? 10 : 4)}…${secret.slice(-4)}`;
}

const sameTypes = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

/**
 * Finds the destination for `url` + exactly `eventTypes` (and `name`, when given) or creates one,
 * and returns it with a secret that signs right now. A destination found again keeps the secret
 * held for it, unless Alfred's mask shows it was rotated since; otherwise the secret is rotated to
 * get one: the previous secret keeps signing (and verifying callbacks) for Alfred's grace period,
 * 24 h by default, so anything still holding it keeps working until then.
 */
async function establish(
  api: AlfredApi,
  tenantId: string,
  wanted: { name: string; url: string; event_types: string[]; matchName: boolean },
  held: HeldDestination | null,
): Promise<HeldDestination> {
  const found = (await api.listDestinations()).find(
    (d: AlfredDestination) => d.url === wanted.url && sameTypes(d.event_types, wanted.event_types) && (!wanted.matchName || d.name === wanted.name),
  );
  if (!found) {
    const created = await api.createDestination({ name: wanted.name, url: wanted.url, event_types: wanted.event_types });
    return { id: created.id, secret: created.secret, tenant_id: tenantId };
  }
  if (!found.enabled) await api.enableDestination(found.id);
  if (held && held.id === found.id && held.tenant_id === tenantId && maskedLike(held.secret) === found.secret_masked) return held;
  const rotated = await api.rotateSecret(found.id);
  return { id: found.id, secret: rotated.secret, tenant_id: tenantId };
}

/** `onEnable`: a destination for this flow's webhook URL with just this event type. */
export async function enableTriggerDestination(api: AlfredApi, store: Store, webhookUrl: string, eventType: string, label: string): Promise<HeldDestination> {
  const { tenant } = await api.me();
  const held = await store.get<HeldDestination>(TRIGGER_DESTINATION_KEY, StoreScope.FLOW);
  const destination = await establish(api, tenant.id, { name: `Activepieces: ${label}`, url: webhookUrl, event_types: [eventType], matchName: false }, held);
  await store.put(TRIGGER_DESTINATION_KEY, destination, StoreScope.FLOW);
  return destination;
}

/** `onDisable`: deletes the held destination, or the one for this URL + type; already gone is fine. */
export async function disableTriggerDestination(api: AlfredApi, store: Store, webhookUrl: string, eventType: string): Promise<void> {
  const held = await store.get<HeldDestination>(TRIGGER_DESTINATION_KEY, StoreScope.FLOW);
  const id = held?.id ?? (await api.listDestinations()).find((d) => d.url === webhookUrl && sameTypes(d.event_types, [eventType]))?.id;
  if (id) await api.deleteDestination(id);
  await store.delete(TRIGGER_DESTINATION_KEY, StoreScope.FLOW);
}

/**
 * The callback-only destination of this Activepieces project in this Alfred workspace (no event
 * types, so nothing is ever delivered to its URL). `renew` drops what is held: after Alfred
 * refused its signature (an admin rotated the secret or deleted the destination).
 */
export async function actionsDestination(
  api: AlfredApi,
  store: Store,
  where: { tenantId: string; projectId: string; activepiecesUrl: string },
  renew = false,
): Promise<HeldDestination> {
  const key = actionsDestinationKey(where.tenantId);
  const held = renew ? null : await store.get<HeldDestination>(key, StoreScope.PROJECT);
  if (held) return held;
  const name = `Activepieces actions (project ${where.projectId})`;
  const destination = await establish(api, where.tenantId, { name, url: where.activepiecesUrl, event_types: [], matchName: true }, null);
  await store.put(key, destination, StoreScope.PROJECT);
  return destination;
}
