import { createTrigger, StoreScope, TriggerStrategy } from "@activepieces/pieces-framework";
import { sampleEnvelope, type EventType } from "@alfred/automation/catalog";
import { alfredAuth } from "../auth";
import { alfredApi } from "../common/alfred-client";
import { verifyDelivery, type WebhookPayload } from "../common/delivery";
import { disableTriggerDestination, enableTriggerDestination, TRIGGER_DESTINATION_KEY, type HeldDestination } from "../common/destinations";

/** Only sample data carries it: a real delivery names the workspace it came from. */
const SAMPLE_TENANT_ID = "00000000-0000-4000-8000-000000000000";

/**
 * One trigger per Alfred event type. Publishing the flow creates (or finds again) an Alfred
 * destination for the flow's webhook URL subscribed to just that type; unpublishing deletes it.
 * Each delivery's signature is verified before the flow runs; anything else starts no run.
 */
export function alfredEventTrigger(definition: { name: string; eventType: EventType; displayName: string; description: string }) {
  return createTrigger({
    auth: alfredAuth,
    name: definition.name,
    displayName: definition.displayName,
    description: definition.description,
    props: {},
    type: TriggerStrategy.WEBHOOK,
    sampleData: sampleEnvelope(definition.eventType, SAMPLE_TENANT_ID),
    async onEnable(context) {
      await enableTriggerDestination(alfredApi(context.auth.props), context.store, context.webhookUrl, definition.eventType, definition.displayName);
    },
    async onDisable(context) {
      await disableTriggerDestination(alfredApi(context.auth.props), context.store, context.webhookUrl, definition.eventType);
    },
    async run(context) {
      const held = await context.store.get<HeldDestination>(TRIGGER_DESTINATION_KEY, StoreScope.FLOW);
      if (!held) return [];
      const verdict = verifyDelivery(context.payload as WebhookPayload, {
        secret: held.secret,
        tenantId: held.tenant_id,
        eventType: definition.eventType,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      if (!verdict.ok) {
        console.warn(`Alfred ${definition.eventType}: delivery ignored, ${verdict.reason}`);
        return [];
      }
      return [verdict.envelope];
    },
    async test(context) {
      return [await alfredApi(context.auth.props).eventSample(definition.eventType)];
    },
  });
}
