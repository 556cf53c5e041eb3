"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { Fragment, useEffect, useLayoutEffect, useMemo, useRef } from "react";
import { Alert, Button } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { clockTime, dayLabel, fullTime } from "./format";
import { CheckIcon, ClockIcon, DoubleCheckIcon, LockIcon, WarningIcon } from "./icons";
import { useNow } from "./use-now";
import { MessageAttachments } from "./attachments";
import type { TimelineItem } from "./types";

const PAGE_SIZE = 30;
const NEAR_BOTTOM_PX = 120;

/** Messages and private notes of a conversation, oldest at the top; older pages load on scroll up. */
export function Timeline({ conversationId }: { conversationId: string }) {
  const trpc = useTRPC();
  const now = useNow(60_000);
  const query = useInfiniteQuery(
    trpc.conversations.timeline.infiniteQueryOptions({ id: conversationId, limit: PAGE_SIZE }, { getNextPageParam: (page) => page.next_cursor ?? undefined }),
  );
  // Pages come newest first (next_cursor goes back in time); items within a page are chronological.
  const items = useMemo(() => {
    const seen = new Set<string>();
    return [...(query.data?.pages ?? [])].reverse().flatMap((page) => page.items.filter((item) => !seen.has(item.id) && seen.add(item.id)));
  }, [query.data]);

  // Reactions are shown on the message they react to (the latest one per sender wins; an unreact clears it).
  const { reactions, shownOnTarget } = useMemo(() => {
    const byTarget = new Map<string, Map<string, string | null>>();
    const ids = new Set(items.map((i) => i.external_id).filter(Boolean));
    const onTarget = new Set<string>();
    for (const item of items) {
      if (item.content?.kind !== "reaction" || !ids.has(item.content.reacted_message_external_id)) continue;
      onTarget.add(item.id);
      const target = byTarget.get(item.content.reacted_message_external_id) ?? new Map<string, string | null>();
      target.set(`${item.direction}:${item.author.id ?? ""}`, item.content.action === "react" ? item.content.emoji : null);
      byTarget.set(item.content.reacted_message_external_id, target);
    }
    const emojis = new Map<string, string[]>();
    for (const [target, bySender] of byTarget) emojis.set(target, [...bySender.values()].filter((e): e is string => e !== null));
    return { reactions: emojis, shownOnTarget: onTarget };
  }, [items]);

  const scroller = useRef<HTMLDivElement>(null);
  const topSentinel = useRef<HTMLDivElement>(null);
  const snapshot = useRef<{ firstId?: string; lastId?: string; fromBottom: number; nearBottom: boolean }>({ fromBottom: 0, nearBottom: true });

  const remember = () => {
    const el = scroller.current;
    if (!el) return;
    snapshot.current.fromBottom = el.scrollHeight - el.scrollTop;
    snapshot.current.nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
  };

  // Keep the reading position stable: stick to the bottom for new messages (when already there,
  // or when we sent it) and keep the same messages in view when older ones are prepended.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || items.length === 0) return;
    const previous = snapshot.current;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (!previous.lastId) el.scrollTop = el.scrollHeight;
    else if (last.id !== previous.lastId) {
      if (previous.nearBottom || last.direction === "out" || last.kind === "comment") el.scrollTop = el.scrollHeight;
    } else if (first.id !== previous.firstId) el.scrollTop = el.scrollHeight - previous.fromBottom;
    snapshot.current.firstId = first.id;
    snapshot.current.lastId = last.id;
    remember();
  }, [items]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    const target = topSentinel.current;
    if (!target || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage && snapshot.current.lastId) void fetchNextPage();
      },
      { root: scroller.current, rootMargin: "150px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  return (
    <div ref={scroller} onScroll={remember} className="min-h-0 flex-1 overflow-y-auto bg-slate-50 px-4 py-3" aria-busy={query.isFetching}>
      <div ref={topSentinel} />
      {hasNextPage && (
        <div className="mb-3 text-center">
          <Button variant="secondary" className="text-xs" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? "Loading older messages…" : "Load older messages"}
          </Button>
        </div>
      )}
      {query.isPending && (
        <p role="status" className="py-10 text-center text-sm text-slate-500">
          Loading messages…
        </p>
      )}
      {query.isError && (
        <div className="mx-auto max-w-md space-y-2 py-6">
          <Alert>Could not load messages: {query.error.message}</Alert>
          <Button variant="secondary" onClick={() => void query.refetch()}>
            Try again
          </Button>
        </div>
      )}
      {query.isSuccess && items.length === 0 && <p className="py-10 text-center text-sm text-slate-500">No messages in this conversation yet.</p>}
      {items.length > 0 && (
        <ol aria-label="Messages" className="space-y-2">
          {items.map((item, index) => {
            const previous = items[index - 1];
            const newDay = !previous || new Date(previous.created_at).toDateString() !== new Date(item.created_at).toDateString();
            return (
              <Fragment key={item.id}>
                {newDay && (
                  <li aria-hidden="true" className="flex justify-center py-2">
                    <span className="rounded-full bg-white px-3 py-0.5 text-xs font-medium text-slate-500 shadow-sm ring-1 ring-slate-200">{dayLabel(item.created_at, now)}</span>
                  </li>
                )}
                {!shownOnTarget.has(item.id) && <TimelineEntry item={item} reactions={item.external_id ? reactions.get(item.external_id) : undefined} />}
              </Fragment>
            );
          })}
        </ol>
      )}
    </div>
  );
}

/** What a message holds beyond its text: a location card, a media placeholder, the button tapped... */
function MessageContentView({ item, outbound }: { item: TimelineItem; outbound: boolean }) {
  const content = item.content;
  const muted = outbound ? "text-white/80" : "text-slate-500";
  if (!content) return item.type !== "text" ? <p className={`italic ${muted}`}>[{item.type} message]</p> : null;
  switch (content.kind) {
    case "location":
      return (
        <div className={`rounded-lg border px-2 py-1.5 ${outbound ? "border-white/30" : "border-slate-200 bg-slate-50"}`} data-testid="location-card">
          <p className="font-medium">📍 {content.name ?? "Location"}</p>
          {content.address && <p className={`text-xs ${muted}`}>{content.address}</p>}
          <a className="text-xs underline" href={`https://www.openstreetmap.org/?mlat=${content.latitude}&mlon=${content.longitude}#map=16/${content.latitude}/${content.longitude}`} target="_blank" rel="noreferrer noopener">
            {content.latitude.toFixed(5)}, {content.longitude.toFixed(5)}
          </a>
        </div>
      );
    case "media":
      return (
        <p className={`flex items-center gap-1 rounded-lg border border-dashed px-2 py-1.5 text-xs ${outbound ? "border-white/40" : "border-slate-300"} ${muted}`} data-testid="media-placeholder">
          <span aria-hidden="true">📎</span>
          {content.media_type}
          {content.filename ? ` · ${content.filename}` : ""}
          {content.mime_type ? ` · ${content.mime_type}` : ""} · not downloaded yet
        </p>
      );
    case "reaction":
      return (
        <p className={`text-xs ${muted}`}>
          {content.action === "react" ? `Reacted ${content.emoji ?? ""} to an earlier message` : "Removed a reaction from an earlier message"}
        </p>
      );
    case "story_mention":
      return (
        <p className={`text-xs ${muted}`}>
          Mentioned you in their{" "}
          <a className="underline" href={content.url} target="_blank" rel="noreferrer noopener">
            story
          </a>
        </p>
      );
    case "postback":
      return <p className={`text-xs ${muted}`}>Tapped a button{content.payload ? ` (${content.payload})` : ""}</p>;
    case "interactive_reply":
      return <p className={`text-xs ${muted}`}>Chose {content.reply_type === "list_reply" ? "from a list" : "a reply button"}{content.id ? ` (${content.id})` : content.payload ? ` (${content.payload})` : ""}</p>;
  }
}

function TimelineEntry({ item, reactions }: { item: TimelineItem; reactions?: string[] }) {
  const time = (
    <time dateTime={item.created_at} title={fullTime(item.created_at)}>
      {clockTime(item.created_at)}
    </time>
  );

  if (item.kind === "comment") {
    return (
      <li className="flex justify-end" data-kind="comment">
        <article aria-label="Private note" className="max-w-[75%] rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-950 shadow-sm">
          <p className="mb-1 flex items-center gap-1 text-xs font-semibold text-amber-800">
            <LockIcon width={12} height={12} />
            Private note
            <span className="font-normal text-amber-700">· {item.author.name ?? "Teammate"} · only your team sees this</span>
          </p>
          <p className="whitespace-pre-wrap break-words">{item.body}</p>
          <p className="mt-1 text-right text-[11px] text-amber-700">{time}</p>
        </article>
      </li>
    );
  }

  const outbound = item.direction === "out";
  return (
    <li className={`flex ${outbound ? "justify-end" : "justify-start"}`} data-kind="message" data-direction={item.direction ?? undefined}>
      <article
        aria-label={outbound ? `Reply by ${item.author.name ?? "the team"}` : `Message from ${item.author.name ?? "the customer"}`}
        className={`max-w-[75%] rounded-2xl px-3 py-2 text-sm shadow-sm ${outbound ? "rounded-br-sm bg-brand-600 text-white" : "rounded-bl-sm border border-slate-200 bg-white text-slate-900"}`}
      >
        {/* A stored or fetched file shows itself; otherwise the typed content (location, reaction, a media placeholder...). */}
        {item.attachments.length > 0 ? <MessageAttachments attachments={item.attachments} body={item.body} outbound={outbound} /> : <MessageContentView item={item} outbound={outbound} />}
        {item.body && <p className="whitespace-pre-wrap break-words">{item.body}</p>}
        {!outbound && item.classification && <ClassificationLine classification={item.classification} />}
        {reactions && reactions.length > 0 && (
          <p className="mt-1" aria-label={`Reactions: ${reactions.join(" ")}`} data-testid="reactions">
            {reactions.map((emoji, i) => (
              <span key={i} className="mr-1 rounded-full bg-white px-1.5 py-0.5 text-xs shadow-sm ring-1 ring-slate-200">
                {emoji}
              </span>
            ))}
          </p>
        )}
        <p className={`mt-1 flex items-center justify-end gap-1 text-[11px] ${outbound ? "text-white/75" : "text-slate-400"}`}>
          {outbound && item.author.name && (
            <>
              <span>{item.author.name}</span>
              <span aria-hidden="true">·</span>
            </>
          )}
          {time}
          {outbound && <DeliveryStatus status={item.status} error={item.error} />}
        </p>
        {outbound && item.status === "failed" && (
          <p className="mt-1 flex items-start gap-1 rounded bg-red-50 px-2 py-1 text-xs text-red-800">
            <WarningIcon width={14} height={14} className="mt-px shrink-0" />
            <span>Not delivered{item.error ? `: ${item.error}` : ""}</span>
          </p>
        )}
      </article>
    </li>
  );
}

const INTENT_LABEL: Record<string, string> = { purchase_intent: "Purchase intent", question: "Question", complaint: "Complaint", spam: "Spam", greeting: "Greeting", other: "Other" };
const SENTIMENT_STYLE: Record<string, string> = { positive: "bg-emerald-50 text-emerald-800", neutral: "bg-slate-100 text-slate-600", negative: "bg-red-50 text-red-800" };

/** What the AI provider made of an inbound message, and who made it ("local heuristic" offline). */
function ClassificationLine({ classification: c }: { classification: NonNullable<TimelineItem["classification"]> }) {
  const intent = INTENT_LABEL[c.intent] ?? c.intent;
  const by = c.provider === "local" ? "local heuristic" : c.provider_label;
  return (
    <p
      data-testid="message-classification"
      data-intent={c.intent}
      aria-label={`Classified as ${intent}, ${c.sentiment} sentiment, language ${c.language}, by ${by}`}
      className="mt-1 flex flex-wrap items-center gap-1 text-[11px]"
    >
      <span className="rounded-full bg-brand-50 px-2 py-px font-medium text-brand-700">{intent}</span>
      <span className={`rounded-full px-2 py-px ${SENTIMENT_STYLE[c.sentiment] ?? SENTIMENT_STYLE.neutral}`}>{c.sentiment}</span>
      {c.language !== "unknown" && <span className="rounded-full bg-slate-100 px-2 py-px uppercase text-slate-600">{c.language}</span>}
      <span className="text-slate-400" title={`Confidence ${Math.round(c.confidence * 100)}%`}>
        · {by}
      </span>
    </p>
  );
}

const STATUS_LABEL: Record<string, string> = { queued: "Queued", sending: "Sending", sent: "Sent", delivered: "Delivered", read: "Read", failed: "Failed" };

/** WhatsApp-style ticks: clock while queued, ✓ sent, ✓✓ delivered, blue ✓✓ read, ⚠ failed. */
export function DeliveryStatus({ status, error }: { status: string | null; error: string | null }) {
  const key = status ?? "queued";
  const label = STATUS_LABEL[key] ?? key;
  const icon =
    key === "sent" ? (
      <CheckIcon width={14} height={14} />
    ) : key === "delivered" ? (
      <DoubleCheckIcon width={18} height={14} />
    ) : key === "read" ? (
      <DoubleCheckIcon width={18} height={14} className="text-sky-300" />
    ) : key === "failed" ? (
      <WarningIcon width={14} height={14} className="text-amber-300" />
    ) : (
      <ClockIcon width={13} height={13} />
    );
  return (
    <span role="img" aria-label={`Status: ${label}`} title={error ? `${label}: ${error}` : label} data-status={key} className="inline-flex items-center">
      {icon}
    </span>
  );
}
