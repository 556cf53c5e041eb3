"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type RefObject } from "react";
import { Alert, Button, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { Composer, type ComposerHandle } from "./composer";
import { ContactPanel } from "./contact-panel";
import { ConversationList } from "./conversation-list";
import { CHANNEL_LABELS, STATUS_LABELS } from "./format";
import { SearchIcon } from "./icons";
import { LiveIndicator } from "./live-updates";
import { ShortcutsHelp } from "./shortcuts-help";
import { ThreadHeader } from "./thread-header";
import { Timeline } from "./timeline";
import { CONVERSATION_STATUSES, INBOX_VIEWS, type ConversationItem, type ConversationStatus, type InboxView } from "./types";
import { useConversationUpdate } from "./use-conversation-actions";
import { useInboxParams } from "./use-inbox-params";

const PAGE_SIZE = 25;
const SEARCH_DEBOUNCE_MS = 300;
const VIEW_LABELS: Record<InboxView, string> = { mine: "Mine", unassigned: "Unassigned", all: "All" };

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT");

export function Inbox({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const [params, setParams] = useInboxParams();
  const [search, setSearch] = useState(params.q);
  const [helpOpen, setHelpOpen] = useState(false);
  const composer = useRef<ComposerHandle>(null);
  const update = useConversationUpdate();

  useEffect(() => {
    if (search.trim() === params.q.trim()) return;
    const timer = setTimeout(() => setParams({ q: search.trim() }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, params.q, setParams]);

  const channels = useQuery(trpc.channels.list.queryOptions());
  const list = useInfiniteQuery(
    trpc.conversations.list.infiniteQueryOptions(
      {
        status: params.status,
        assignee: params.view === "mine" ? "me" : params.view === "unassigned" ? "unassigned" : undefined,
        channel_id: params.channel ?? undefined,
        q: params.q || undefined,
        limit: PAGE_SIZE,
      },
      { getNextPageParam: (page) => page.next_cursor ?? undefined, placeholderData: keepPreviousData },
    ),
  );
  const items = useMemo(() => {
    const seen = new Set<string>();
    return (list.data?.pages ?? []).flatMap((page) => page.items.filter((c) => !seen.has(c.id) && seen.add(c.id)));
  }, [list.data]);

  // Keyboard shortcuts (Chatwoot-like); off while typing, except Alt+arrows which work anywhere.
  const latest = useRef({ items, params, list, update, helpOpen });
  latest.current = { items, params, list, update, helpOpen };
  useEffect(() => {
    const move = (delta: 1 | -1) => {
      const { items, params, list } = latest.current;
      if (items.length === 0) return;
      const index = items.findIndex((c) => c.id === params.c);
      const next = index === -1 ? (delta === 1 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + delta));
      if (index === items.length - 1 && delta === 1 && list.hasNextPage) void list.fetchNextPage();
      setParams({ c: items[next]!.id });
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
        return;
      }
      const { params, update, helpOpen } = latest.current;
      if (helpOpen || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const handled = (() => {
        switch (event.key) {
          case "j":
            move(1);
            return true;
          case "k":
            move(-1);
            return true;
          case "e":
            if (params.c) update.mutate({ id: params.c, status: "resolved" });
            return Boolean(params.c);
          case "r":
          case "n":
            composer.current?.focus(event.key === "r" ? "reply" : "note");
            return Boolean(composer.current);
          case "?":
            setHelpOpen(true);
            return true;
          default:
            return false;
        }
      })();
      if (handled) event.preventDefault();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [setParams]);

  const channelOptions = channels.data?.items ?? [];
  return (
    <div className="flex h-[calc(100dvh-3.5rem)] min-h-0 overflow-hidden">
      <section aria-label="Conversation list" className="flex w-80 shrink-0 flex-col border-r border-slate-200 bg-white lg:w-96">
        <div className="space-y-2.5 border-b border-slate-200 p-3">
          <div className="flex items-center gap-3">
            <h1 className="text-lg font-semibold">Inbox</h1>
            <LiveIndicator />
            <button
              type="button"
              onClick={() => setHelpOpen(true)}
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              className="ml-auto inline-flex h-7 w-7 items-center justify-center rounded-md border border-slate-300 text-sm font-semibold text-slate-600 hover:bg-slate-50"
            >
              ?
            </button>
          </div>
          <div role="tablist" aria-label="Assignment" className="flex rounded-lg bg-slate-100 p-0.5">
            {INBOX_VIEWS.map((view) => (
              <button
                key={view}
                type="button"
                role="tab"
                aria-selected={params.view === view}
                onClick={() => setParams({ view })}
                className={`flex-1 rounded-md px-2 py-1 text-sm font-medium ${params.view === view ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900"}`}
              >
                {VIEW_LABELS[view]}
              </button>
            ))}
          </div>
          <label className="relative block">
            <span className="sr-only">Search conversations</span>
            <SearchIcon className="pointer-events-none absolute left-2.5 top-1/2 -translate-y-1/2 text-slate-400" />
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              onKeyDown={(e) => e.key === "Escape" && e.currentTarget.blur()}
              placeholder="Search name, phone, e-mail or message"
              maxLength={200}
              className="block w-full rounded-md border border-slate-300 bg-white py-1.5 pl-8 pr-2 text-sm placeholder:text-slate-400 focus:border-brand-500"
            />
          </label>
          <div className="flex gap-2">
            <Select aria-label="Status" value={params.status} onChange={(e) => setParams({ status: e.target.value as ConversationStatus })} className="flex-1">
              {CONVERSATION_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {STATUS_LABELS[status]}
                </option>
              ))}
            </Select>
            <Select aria-label="Channel" value={params.channel ?? ""} onChange={(e) => setParams({ channel: e.target.value || null })} className="min-w-0 flex-1">
              <option value="">All channels</option>
              {channelOptions.map((channel) => (
                <option key={channel.id} value={channel.id}>
                  {channel.name} ({CHANNEL_LABELS[channel.type]})
                </option>
              ))}
            </Select>
          </div>
        </div>
        <div className={`flex min-h-0 flex-1 flex-col transition-opacity ${list.isPlaceholderData ? "opacity-60" : ""}`}>
          <ConversationList params={params} items={items} query={list} onOpen={(c) => setParams({ c })} />
        </div>
      </section>

      {params.c ? (
        <ConversationView key={params.c} id={params.c} currentUserId={currentUserId} composer={composer} onOpen={(c) => setParams({ c })} />
      ) : (
        <div className="flex flex-1 items-center justify-center p-8">
          <div className="max-w-sm text-center">
            <p className="font-medium text-slate-800">Pick a conversation</p>
            <p className="mt-1 text-sm text-slate-500">
              Choose one from the list, or press <kbd className="rounded border border-slate-300 bg-white px-1 font-mono text-xs">j</kbd> to open the first. Press{" "}
              <kbd className="rounded border border-slate-300 bg-white px-1 font-mono text-xs">?</kbd> for all shortcuts.
            </p>
          </div>
        </div>
      )}
      <ShortcutsHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

function ConversationView({ id, currentUserId, composer, onOpen }: { id: string; currentUserId: string; composer: RefObject<ComposerHandle | null>; onOpen: (id: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const conversation = useQuery(trpc.conversations.get.queryOptions({ id }));
  const markRead = useMutation(
    trpc.conversations.markRead.mutationOptions({
      onSuccess: () => {
        queryClient.setQueryData(trpc.conversations.get.queryKey({ id }), (current: ConversationItem | undefined) => current && { ...current, unread_count: 0 });
        void queryClient.invalidateQueries(trpc.conversations.list.pathFilter());
      },
    }),
  );
  const { mutate: markAsRead } = markRead;

  // Opening a conversation reads it; so does a new message arriving while it is open.
  const unread = conversation.data?.unread_count ?? 0;
  const opened = useRef(false);
  useEffect(() => {
    if (!conversation.data) return;
    if (!opened.current || unread > 0) {
      opened.current = true;
      markAsRead({ id });
    }
  }, [conversation.data, unread, id, markAsRead]);

  const data = conversation.data;
  return (
    <div className="flex min-w-0 flex-1">
      <section aria-label="Conversation" className="flex min-w-0 flex-1 flex-col bg-white">
        {conversation.isPending && (
          <div role="status" className="border-b border-slate-200 px-4 py-3">
            <div className="h-4 w-40 animate-pulse rounded bg-slate-200" />
            <div className="mt-2 h-3 w-56 animate-pulse rounded bg-slate-100" />
            <span className="sr-only">Loading conversation…</span>
          </div>
        )}
        {conversation.isError ? (
          <div className="space-y-2 p-6">
            <Alert>{conversation.error.data?.code === "NOT_FOUND" ? "This conversation does not exist or was deleted." : `Could not load the conversation: ${conversation.error.message}`}</Alert>
            <Button variant="secondary" onClick={() => void conversation.refetch()}>
              Try again
            </Button>
          </div>
        ) : (
          <>
            {data && <ThreadHeader conversation={data} currentUserId={currentUserId} />}
            <Timeline conversationId={id} />
            {data && <Composer conversationId={id} channelLabel={CHANNEL_LABELS[data.channel.type]} handle={composer} />}
          </>
        )}
      </section>
      {data && <ContactPanel contactId={data.contact.id} conversationId={id} onOpenConversation={onOpen} />}
    </div>
  );
}
