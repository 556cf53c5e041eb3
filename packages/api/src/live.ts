import { liveChannel, type LiveEvent } from "@alfred/automation";
import type { Logger } from "@alfred/core";
import type { Redis } from "ioredis";

type Listener = (event: LiveEvent) => void;

/**
 * One Redis subscriber connection per web process, fanned out in memory to every open inbox of a
 * tenant. Pub/sub is what lets several web instances stay in sync: whichever instance (or the
 * worker) commits a change publishes it, and every instance's subscribers hear it.
 */
export class LiveHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    subscriber.on("message", (channel: string, message: string) => {
      const tenantId = channel.slice(`${prefix}:live:`.length);
      const set = this.listeners.get(tenantId);
      if (!set) return;
      let event: LiveEvent;
      try {
        event = JSON.parse(message) as LiveEvent;
      } catch {
        return;
      }
      // Belt and braces: the channel already names the tenant, the payload must agree.
      if (event.tenantId !== tenantId) return;
      for (const listener of set) listener(event);
    });
  }

  /** Listens to one tenant's events; returns the function that stops listening. */
  async subscribe(tenantId: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(tenantId);
    if (!set) {
      set = new Set();
      this.listeners.set(tenantId, set);
      await this.subscriber.subscribe(liveChannel(this.prefix, tenantId));
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(tenantId) === set) {
        this.listeners.delete(tenantId);
        await this.subscriber.unsubscribe(liveChannel(this.prefix, tenantId)).catch((err: Error) => this.logger.warn({ err: err.message }, "live unsubscribe failed"));
      }
    };
  }

  get tenantCount(): number {
    return this.listeners.size;
  }
}
