import type { Redis } from "ioredis";
import { deliveriesWakeChannel, receiptsWakeChannel, rulesWakeChannel } from "./queues";

export interface WakeHandlers {
  deliveries?: () => void;
  receipts?: (lanes: number[]) => void;
  rules?: () => void;
}

/**
 * Subscribes a dedicated Redis connection to the wake-up channels and routes each message. A
 * reconnect may have lost messages: every handler is called once then, as if woken (its sweep
 * would find the work a moment later anyway).
 */
export async function listenForWakeUps(subscriber: Redis, prefix: string, handlers: WakeHandlers): Promise<void> {
  const deliveries = deliveriesWakeChannel(prefix);
  const receipts = receiptsWakeChannel(prefix);
  const rules = rulesWakeChannel(prefix);
  subscriber.on("message", (channel: string, message: string) => {
    if (channel === deliveries) handlers.deliveries?.();
    else if (channel === rules) handlers.rules?.();
    else if (channel === receipts) {
      const lanes = message
        .split(",")
        .map(Number)
        .filter((n) => Number.isInteger(n) && n >= 0);
      if (lanes.length) handlers.receipts?.(lanes);
    }
  });
  subscriber.on("ready", () => {
    handlers.deliveries?.();
    handlers.rules?.();
  });
  const channels = [...(handlers.deliveries ? [deliveries] : []), ...(handlers.receipts ? [receipts] : []), ...(handlers.rules ? [rules] : [])];
  if (channels.length) await subscriber.subscribe(...channels);
}
