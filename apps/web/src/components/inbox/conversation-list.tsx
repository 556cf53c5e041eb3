"use client";

import type { UseInfiniteQueryResult, InfiniteData } from "@tanstack/react-query";
import { useEffect, useRef, type MouseEvent } from "react";
import { Alert, Button } from "~/components/ui";
import { CHANNEL_LABELS, contactName, initials, messagePreview, relativeTime } from "./format";
import { ChannelBadge } from "./icons";
import { inboxHref, type InboxParams } from "./use-inbox-params";
import { useNow } from "./use-now";
import type { ConversationItem } from "./types";

type ListQuery = UseInfiniteQueryResult<InfiniteData<{ items: ConversationItem[]; next_cursor: string | null }>, { message: string }>;

export function ConversationList({
  params,
  items,
  query,
  onOpen,
}: {
  params: InboxParams;
  items: ConversationItem[];
  query: ListQuery;
  onOpen: (id: string) => void;
}) {
  const now = useNow();
  const scroller = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  // Infinite scroll: fetch the next keyset page when the end of the list comes into view.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { root: scroller.current, rootMargin: "200px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Keep the open conversation visible when it is changed from the keyboard.
  useEffect(() => {
    if (!params.c) return;
    scroller.current?.querySelector(`[data-conversation-id="${CSS.escape(params.c)}"]`)?.scrollIntoView({ block: "nearest" });
  }, [params.c]);

  const open = (event: MouseEvent<HTMLAnchorElement>, id: string) => {
    // Plain clicks open in place; modified clicks keep the link's normal behaviour (new tab...).
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    onOpen(id);
  };

  const filtered = Boolean(params.q || params.channel);

  return (
    <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto" aria-busy={query.isPending || query.isFetching}>
      {query.isPending && (
        <div role="status" aria-label="Loading conversations" className="space-y-1 p-2">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="flex animate-pulse gap-3 rounded-md p-2">
              <div className="h-9 w-9 rounded-full bg-slate-200" />
              <div className="flex-1 space-y-2 py-1">
                <div className="h-3 w-1/2 rounded bg-slate-200" />
                <div className="h-3 w-4/5 rounded bg-slate-100" />
              </div>
            </div>
          ))}
        </div>
      )}
      {query.isError && (
        <div className="space-y-2 p-3">
          <Alert>Could not load conversations: {query.error.message}</Alert>
          <Button variant="secondary" onClick={() => void query.refetch()}>
            Try again
          </Button>
        </div>
      )}
      {query.isSuccess && items.length === 0 && (
        <div className="p-6 text-center">
          <p className="font-medium text-slate-700">No {params.status} conversations</p>
          <p className="mt-1 text-sm text-slate-500">{filtered ? "Nothing matches these filters." : params.view === "mine" ? "Nothing is assigned to you here." : "New messages will appear here as they arrive."}</p>
        </div>
      )}
      {items.length > 0 && (
        <ul aria-label="Conversations" className="divide-y divide-slate-100">
          {items.map((conversation) => {
            const selected = conversation.id === params.c;
            const unread = conversation.unread_count > 0;
            const name = contactName(conversation.contact.name);
            const preview = messagePreview(conversation.last_message);
            return (
              <li key={conversation.id} data-conversation-id={conversation.id}>
                <a
                  href={inboxHref({ ...params, c: conversation.id })}
                  onClick={(e) => open(e, conversation.id)}
                  aria-current={selected ? "true" : undefined}
                  className={`flex gap-3 border-l-2 px-3 py-2.5 outline-offset-[-2px] ${selected ? "border-brand-600 bg-brand-50" : "border-transparent hover:bg-slate-50"}`}
                >
                  <span aria-hidden="true" className="relative mt-0.5 inline-flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-slate-200 text-xs font-semibold text-slate-600">
                    {initials(conversation.contact.name)}
                    <span className="absolute -bottom-0.5 -right-0.5">
                      <ChannelBadge type={conversation.channel.type} />
                    </span>
                  </span>
                  <span className="min-w-0 flex-1">
                    <span className="flex items-baseline gap-2">
                      <span className={`truncate text-sm ${unread ? "font-semibold text-slate-900" : "font-medium text-slate-800"}`}>{name}</span>
                      <time dateTime={conversation.last_activity_at} className="ml-auto shrink-0 text-xs text-slate-500">
                        {relativeTime(conversation.last_activity_at, now)}
                      </time>
                    </span>
                    <span className="mt-0.5 flex items-center gap-2">
                      <span className={`truncate text-sm ${unread ? "text-slate-800" : "text-slate-500"}`}>
                        {conversation.last_message?.direction === "out" && <span className="text-slate-400">You: </span>}
                        {preview}
                      </span>
                      {unread && (
                        <span className="ml-auto inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-brand-600 px-1.5 text-[11px] font-semibold text-white">
                          {conversation.unread_count}
                          <span className="sr-only"> unread</span>
                        </span>
                      )}
                    </span>
                    <span className="mt-0.5 block truncate text-xs text-slate-400">
                      <span className="sr-only">{CHANNEL_LABELS[conversation.channel.type]}: </span>
                      {conversation.channel.name}
                      {conversation.subject ? ` · ${conversation.subject}` : ""}
                    </span>
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
      <div ref={sentinel} />
      {hasNextPage && (
        <div className="p-3 text-center">
          <Button variant="secondary" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </div>
  );
}
