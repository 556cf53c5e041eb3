"use client";

import { useQueryClient, type QueryFilters } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { createContext, useContext, useEffect, useRef, type ReactNode } from "react";
import { useTRPC } from "~/trpc/react";

export type LiveStatus = "connecting" | "live" | "offline";

const LiveStatusContext = createContext<LiveStatus>("connecting");
export const useLiveStatus = () => useContext(LiveStatusContext);

/** How long invalidations are gathered before refetching, so a burst of events costs one refetch. */
const FLUSH_DELAY_MS = 60;

/**
 * The inbox's one live subscription (SSE). Each event invalidates exactly the queries it affects;
 * `resync` (sent after a reconnect, when events may have been missed) invalidates everything.
 */
export function LiveUpdates({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pending = useRef(new Map<string, QueryFilters>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const schedule = (key: string, filters: QueryFilters) => {
    pending.current.set(key, filters);
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const batch = [...pending.current.values()];
      pending.current.clear();
      for (const filters of batch) void queryClient.invalidateQueries(filters);
    }, FLUSH_DELAY_MS);
  };

  const subscription = useSubscription(
    trpc.live.events.subscriptionOptions(undefined, {
      onData: ({ data: event }) => {
        const id = "conversationId" in event && event.conversationId ? event.conversationId : undefined;
        const list = () => schedule("list", trpc.conversations.list.pathFilter());
        const conversation = () => id && schedule(`get:${id}`, trpc.conversations.get.queryFilter({ id }));
        const timeline = () => id && schedule(`timeline:${id}`, trpc.conversations.timeline.infiniteQueryFilter({ id }));
        switch (event.kind) {
          case "resync":
            schedule("all", {});
            break;
          case "message.created":
            list();
            conversation();
            timeline();
            break;
          case "message.status":
            timeline();
            break;
          case "comment.created":
            timeline();
            break;
          case "message.classified":
            // The classification on the message, and the contact's lead score it may have moved.
            timeline();
            schedule("contacts", trpc.contacts.pathFilter());
            break;
          case "conversation.changed":
            list();
            conversation();
            schedule("contact-conversations", trpc.contacts.conversations.pathFilter());
            break;
          case "task.changed":
            schedule("tasks", trpc.tasks.list.pathFilter());
            break;
          case "contact.changed":
            schedule("contacts", trpc.contacts.pathFilter());
            list();
            schedule("get", trpc.conversations.get.pathFilter());
            break;
          default:
            schedule("notifications", trpc.notifications.pathFilter());
        }
      },
    }),
  );

  const status: LiveStatus = subscription.status === "pending" ? "live" : subscription.status === "error" ? "offline" : "connecting";
  return <LiveStatusContext.Provider value={status}>{children}</LiveStatusContext.Provider>;
}

export function LiveIndicator() {
  const status = useLiveStatus();
  const label = { connecting: "Connecting…", live: "Live", offline: "Reconnecting…" }[status];
  return (
    <span role="status" aria-label={`Live updates: ${label}`} data-live-status={status} className="inline-flex items-center gap-1.5 text-xs text-slate-500" title="Live updates">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${status === "live" ? "bg-emerald-500" : status === "offline" ? "bg-red-500" : "animate-pulse bg-amber-400"}`} />
      {label}
    </span>
  );
}
