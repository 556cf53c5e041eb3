import { handleWebhook, handleWebhookVerification } from "@alfred/api";
import type { ChannelType } from "@alfred/channels";
import { deps } from "./deps";

/**
 * Handlers of one provider's webhook route. Each known channel type has a static route
 * (app/api/v1/webhooks/<type>/route.ts) that the proxy does not run for: a proxy in front of a
 * POST makes Next.js copy the body stream for it, which costs a webhook more CPU than the rest of
 * the intake. Unknown types fall through to the dynamic [channel_type] route, behind the proxy.
 */
export function webhookRoute(type: ChannelType) {
  return {
    GET: (req: Request) => handleWebhookVerification(req, type, deps()),
    POST: (req: Request) => handleWebhook(req, type, deps()),
  };
}
