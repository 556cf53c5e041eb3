"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import type { FormEvent } from "react";
import { Alert, Button, EmptyState, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { cx, formatTime, JsonBlock, shortId, StatusBadge } from "./format";
import type { RouterOutputs } from "./types";

type TimelineItem = RouterOutputs["operations"]["timeline"]["items"][number];

const KIND: Record<string, { label: string; dot: string; ring: string }> = {
  message: { label: "Inbound message", dot: "bg-violet-500", ring: "ring-violet-100" },
  event: { label: "Event", dot: "bg-brand-600", ring: "ring-brand-100" },
  delivery: { label: "Delivery", dot: "bg-sky-500", ring: "ring-sky-100" },
  attempt: { label: "Attempt", dot: "bg-slate-400", ring: "ring-slate-100" },
  callback: { label: "Callback", dot: "bg-amber-500", ring: "ring-amber-100" },
  result: { label: "Result", dot: "bg-emerald-500", ring: "ring-emerald-100" },
};

function refHref(item: TimelineItem): string | null {
  const { ref } = item;
  const conversationId = item.details?.conversation_id;
  switch (ref.type) {
    case "message":
    case "internal_comment":
    case "task":
      return typeof conversationId === "string" ? `/inbox?c=${conversationId}` : null;
    case "delivery":
      return `/deliveries?d=${ref.id}`;
    case "conversation":
      return `/inbox?c=${ref.id}`;
    case "event":
    case "automation_event":
      return `/deliveries/timeline?event_id=${ref.id}`;
    default:
      return null;
  }
}

/** Inbound message -> event -> deliveries and attempts -> callbacks -> what they changed, in time order. */
export function EventTimeline() {
  const trpc = useTRPC();
  const router = useRouter();
  const search = useSearchParams();
  const eventId = search.get("event_id")?.trim() || null;
  const correlationId = search.get("correlation_id")?.trim() || null;
  const input = eventId ? { event_id: eventId } : correlationId ? { correlation_id: correlationId } : null;
  const timeline = useQuery({ ...trpc.operations.timeline.queryOptions(input ?? { event_id: "" }), enabled: Boolean(input), refetchInterval: 5000, retry: false });
  const notFound = timeline.isError && timeline.error.data?.code === "NOT_FOUND";
  const items = [...(timeline.data?.items ?? [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const id = String(form.get("id") ?? "").trim();
    const by = String(form.get("by") ?? "event_id");
    if (id) router.push(`/deliveries/timeline?${by}=${encodeURIComponent(id)}`);
  }

  return (
    <div className="mx-auto max-w-4xl space-y-5 p-6">
      <div>
        <Link href="/deliveries" className="text-sm text-brand-700 hover:underline">
          ← Deliveries
        </Link>
        <h1 className="mt-1 text-lg font-semibold">Event timeline</h1>
        <p className="text-sm text-slate-500">Everything that happened around one event, from the inbound message to what the automation changed.</p>
      </div>

      <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-200 bg-white p-3" key={`${eventId}:${correlationId}`}>
        <label className="text-xs font-medium text-slate-600">
          Look up by
          <select name="by" defaultValue={correlationId && !eventId ? "correlation_id" : "event_id"} className="mt-1 block rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
            <option value="event_id">Event id</option>
            <option value="correlation_id">Correlation id</option>
          </select>
        </label>
        <label className="min-w-64 flex-1 text-xs font-medium text-slate-600">
          Id
          <Input name="id" defaultValue={eventId ?? correlationId ?? ""} className="mt-1 py-1.5 font-mono" placeholder="Paste an id…" />
        </label>
        <Button type="submit" variant="secondary" className="py-1.5">
          Show
        </Button>
      </form>

      {!input && <EmptyState title="Pick an event">Open a delivery and follow “Event timeline”, or paste an event or correlation id above.</EmptyState>}
      {input && timeline.isPending && <p className="text-sm text-slate-500" role="status">Loading the timeline…</p>}
      {timeline.isError && !notFound && <Alert>Could not load the timeline: {timeline.error.message}</Alert>}
      {(notFound || (timeline.data && items.length === 0)) && <EmptyState title="Nothing found for this id">Check the id; events older than the retention window are no longer kept.</EmptyState>}
      {items.length > 0 && (
        <ol className="relative ml-3 border-l-2 border-slate-200" aria-label="Timeline">
          {items.map((item, index) => (
            <TimelineEntry key={`${item.kind}:${item.ref?.id ?? index}:${item.at}:${index}`} item={item} />
          ))}
        </ol>
      )}
    </div>
  );
}

function TimelineEntry({ item }: { item: TimelineItem }) {
  const kind = KIND[item.kind] ?? KIND.attempt!;
  const href = refHref(item);
  const details = item.details;
  const indent = item.kind === "attempt";
  return (
    <li className={cx("relative pb-5 pl-6", indent && "ml-6")} data-testid={`timeline-${item.kind}`}>
      <span className={cx("absolute top-1.5 h-3 w-3 rounded-full ring-4", kind.dot, kind.ring, indent ? "-left-[1.95rem]" : "-left-[0.45rem]")} aria-hidden />
      <div className={cx("rounded-lg border bg-white p-3", item.kind === "result" ? "border-emerald-200" : "border-slate-200")}>
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <span className="text-xs font-semibold uppercase tracking-wide text-slate-500">{kind.label}</span>
          {item.status && <StatusBadge status={item.status} />}
          <span className="ml-auto text-xs text-slate-500" title={item.at}>
            {formatTime(item.at)}
          </span>
        </div>
        <p className="mt-1 text-sm font-medium text-slate-900">{item.title}</p>
        <p className="mt-0.5 font-mono text-xs text-slate-500">
          {item.ref.type}{" "}
          {href ? (
            <Link href={href} className="text-brand-700 hover:underline">
              {shortId(item.ref.id)}
            </Link>
          ) : (
            <span title={item.ref.id}>{shortId(item.ref.id)}</span>
          )}
        </p>
        {details && Object.keys(details).length > 0 && (
          <details className="mt-2">
            <summary className="cursor-pointer text-xs font-medium text-slate-600">Details</summary>
            <div className="mt-1">
              <JsonBlock label={`Details of ${item.title}`} value={details} maxHeight="max-h-48" />
            </div>
          </details>
        )}
      </div>
    </li>
  );
}
