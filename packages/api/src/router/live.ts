import { tracked } from "@trpc/server";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { LiveEvent } from "@alfred/automation";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, tenantProcedure } from "../trpc";

export type LiveMessage = Omit<LiveEvent, "tenantId"> | { kind: "resync" };

/**
 * Events held for one subscriber whose connection does not keep up (a stalled tab, a slow network)
 * before they are dropped for a single `resync`: the client refetches, and memory stays bounded
 * however many events a flood of webhooks produces.
 */
export const MAX_QUEUED_LIVE_EVENTS = 200;

/**
 * The inbox's live feed (tRPC subscription over SSE). Events carry ids; a client reconnecting with
 * `lastEventId` first receives `resync` so it refetches what it may have missed while away, then
 * the live events again. Only the caller's own tenant is ever subscribed.
 */
export const liveRouter = createTRPCRouter({
  events: tenantProcedure
    .input(z.object({ lastEventId: z.string().nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const hub = ctx.live;
      if (!hub) throw new TRPCError({ code: "NOT_IMPLEMENTED", message: "live updates are not available on this server" });
      const queue: LiveMessage[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = await hub.subscribe(ctx.tenantId, ({ tenantId: _tenant, ...event }) => {
        queue.push(event);
        if (queue.length > MAX_QUEUED_LIVE_EVENTS) queue.splice(0, queue.length, { kind: "resync" });
        wake?.();
      });
      const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
      try {
        if (input?.lastEventId) yield tracked(randomUUID(), { kind: "resync" } as LiveMessage);
        while (!signal?.aborted) {
          if (queue.length === 0) {
            await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
            wake = null;
            continue;
          }
          yield tracked(randomUUID(), queue.shift()!);
        }
      } finally {
        await unsubscribe();
      }
    }),
});
