"use client";

import type { AppRouter } from "@alfred/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "~/trpc/react";

type Notification = inferRouterOutputs<AppRouter>["notifications"]["list"]["items"][number];

/** The live feed pushes new notifications; this slow poll only covers a dropped connection. */
const POLL_MS = 60_000;

const KINDS: Record<string, { label: string; tone: string; icon: string }> = {
  destination_disabled: { label: "Destination disabled", tone: "bg-red-100 text-red-700", icon: "⏻" },
  delivery_failed: { label: "Delivery failed", tone: "bg-red-100 text-red-700", icon: "!" },
  task_overdue: { label: "Task overdue", tone: "bg-amber-100 text-amber-800", icon: "⏰" },
  mention: { label: "Mention", tone: "bg-brand-100 text-brand-700", icon: "@" },
};

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

/** Where a notification leads, when there is a page for it (and the role may open it). */
export function notificationHref(n: Notification, canSeeDeliveries: boolean, isAdmin: boolean): string | null {
  const data = n.data ?? {};
  const delivery = str(data.delivery_id);
  const conversation = str(data.conversation_id);
  if (n.kind === "delivery_failed" && delivery && canSeeDeliveries) return `/deliveries?d=${delivery}`;
  if (n.kind === "destination_disabled" && isAdmin) return "/settings/automations";
  if (conversation) return `/inbox?c=${conversation}`;
  if (delivery && canSeeDeliveries) return `/deliveries?d=${delivery}`;
  return null;
}

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export function NotificationBell({ canSeeDeliveries, isAdmin }: { canSeeDeliveries: boolean; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const root = useRef<HTMLDivElement>(null);

  const list = useQuery({ ...trpc.notifications.list.queryOptions({}), refetchInterval: POLL_MS, refetchOnWindowFocus: true });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() });
  const markRead = useMutation(trpc.notifications.markRead.mutationOptions({ onSettled: invalidate }));

  useSubscription(
    trpc.live.events.subscriptionOptions(undefined, {
      onData: ({ data: event }) => {
        if (event.kind === "notification.created" || event.kind === "resync") void invalidate();
      },
    }),
  );

  useEffect(() => {
    if (!open) return;
    setNow(Date.now());
    void invalidate();
    const onDown = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const unread = list.data?.unread_count ?? 0;
  const items = list.data?.items ?? [];
  const unreadItems = items.filter((n) => !n.read_at);

  return (
    <div className="relative" ref={root}>
      <button
        type="button"
        aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen((v) => !v)}
        className="relative rounded-md p-2 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
        data-testid="notification-bell"
      >
        <svg viewBox="0 0 20 20" fill="currentColor" className="h-5 w-5" aria-hidden>
          <path d="M10 2a6 6 0 0 0-6 6v2.6l-1.3 2.6A1 1 0 0 0 3.6 15h12.8a1 1 0 0 0 .9-1.4L16 11V8a6 6 0 0 0-6-6Zm0 16a2.5 2.5 0 0 1-2.45-2h4.9A2.5 2.5 0 0 1 10 18Z" />
        </svg>
        {unread > 0 && (
          <span
            className="absolute -right-0.5 -top-0.5 inline-flex min-w-5 items-center justify-center rounded-full bg-red-600 px-1 text-[11px] font-semibold leading-5 text-white"
            data-testid="notification-count"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div role="region" aria-label="Notifications" className="absolute right-0 z-50 mt-2 w-96 max-w-[calc(100vw-2rem)] overflow-hidden rounded-lg border border-slate-200 bg-white shadow-xl">
          <div className="flex items-center justify-between border-b border-slate-100 px-4 py-2.5">
            <p className="text-sm font-semibold">Notifications</p>
            {unreadItems.length > 0 && (
              <button
                type="button"
                className="text-xs font-medium text-brand-700 hover:underline disabled:opacity-50"
                disabled={markRead.isPending}
                onClick={() => unreadItems.forEach((n) => markRead.mutate({ id: n.id }))}
              >
                Mark all read
              </button>
            )}
          </div>
          <div className="max-h-[28rem] overflow-y-auto">
            {list.isPending && <p className="px-4 py-6 text-center text-sm text-slate-500">Loading…</p>}
            {list.isError && <p className="px-4 py-6 text-center text-sm text-red-700">Could not load notifications.</p>}
            {list.data && items.length === 0 && <p className="px-4 py-8 text-center text-sm text-slate-500">You are all caught up.</p>}
            <ul>
              {items.map((n) => {
                const kind = KINDS[n.kind] ?? { label: n.kind.replace(/_/g, " "), tone: "bg-slate-100 text-slate-600", icon: "•" };
                const href = notificationHref(n, canSeeDeliveries, isAdmin);
                const isUnread = !n.read_at;
                const openIt = () => {
                  if (isUnread) markRead.mutate({ id: n.id });
                  if (href) {
                    setOpen(false);
                    router.push(href);
                  }
                };
                return (
                  <li key={n.id} className={`flex gap-3 border-b border-slate-100 px-4 py-3 last:border-b-0 ${isUnread ? "bg-brand-50/40" : ""}`} data-testid="notification">
                    <span className={`mt-0.5 inline-flex h-7 w-7 shrink-0 items-center justify-center rounded-full text-sm font-bold ${kind.tone}`} aria-hidden>
                      {kind.icon}
                    </span>
                    <div className="min-w-0 flex-1">
                      <button type="button" onClick={openIt} className={`block w-full text-left text-sm ${isUnread ? "font-semibold text-slate-900" : "text-slate-700"} ${href ? "hover:text-brand-700" : "cursor-default"}`}>
                        {n.title}
                      </button>
                      {n.body && <p className="mt-0.5 line-clamp-2 text-xs text-slate-500">{n.body}</p>}
                      <p className="mt-1 text-[11px] text-slate-400">
                        {kind.label} · {ago(n.created_at, now)}
                      </p>
                    </div>
                    {isUnread && (
                      <button
                        type="button"
                        onClick={() => markRead.mutate({ id: n.id })}
                        className="h-fit shrink-0 rounded px-1.5 py-0.5 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-800"
                        aria-label={`Mark “${n.title}” read`}
                      >
                        Mark read
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}
