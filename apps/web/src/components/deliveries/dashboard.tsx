"use client";

import { keepPreviousData, useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState, type FormEvent } from "react";
import { Alert, Button, EmptyState, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { ConfirmDialog } from "./confirm-dialog";
import { DestinationHealthPanel } from "./destination-health";
import { DeliveryDrawer } from "./drawer";
import { CodeChip, Countdown, cx, DELIVERY_STATUSES, formatTime, relativeTime, shortId, StatusBadge, useNow, UUID_RE, CORRELATION_RE, type DeliveryStatus } from "./format";
import { InboundReceiptsPanel } from "./inbound-receipts";
import { QueueHealthPanel } from "./queue-health";
import type { DeliveryRow } from "./types";
import { apiFilter, useDeliveryParams, type DeliveryParams } from "./use-delivery-params";

const REFRESH_MS = 4000;

const RANGES = [
  { value: "", label: "Any time" },
  { value: "15m", label: "Last 15 minutes" },
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
] as const;

const STATUS_HELP: Record<DeliveryStatus, string> = {
  pending: "waiting for an attempt or a retry",
  delivering: "an attempt is in flight",
  delivered: "the destination answered 2xx",
  failed: "gave up; retry by hand",
  cancelled: "retries were cancelled",
};

/** `datetime-local` wants local "YYYY-MM-DDTHH:mm". */
function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Destination names by id, for managers and admins alike (names only: no URLs or secrets). */
export function useDestinationNames() {
  const trpc = useTRPC();
  const destinations = useQuery({ ...trpc.automation.destinations.names.queryOptions(), staleTime: 60_000 });
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const d of destinations.data?.items ?? []) names.set(d.id, d.name);
    return names;
  }, [destinations.data]);
}

export function DeliveriesDashboard({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { params, update } = useDeliveryParams();
  const [autoRefresh, setAutoRefresh] = useState(true);
  const [confirmBulk, setConfirmBulk] = useState(false);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const now = useNow(15_000);
  const refetchInterval = autoRefresh ? REFRESH_MS : false;

  const filter = apiFilter(params, now);
  const listInput = { ...filter, event_type: filter.event_type, limit: 25 };
  const countInput = { destination_id: filter.destination_id, event_type: filter.event_type, since: filter.since, until: filter.until };

  const list = useInfiniteQuery({
    ...trpc.automation.deliveries.list.infiniteQueryOptions(listInput, { getNextPageParam: (page) => page.next_cursor ?? undefined }),
    refetchInterval,
    placeholderData: keepPreviousData,
  });
  const counts = useQuery({ ...trpc.operations.deliveryCounts.queryOptions(countInput), refetchInterval, placeholderData: keepPreviousData });
  const eventTypes = useQuery({ ...trpc.automation.eventTypes.queryOptions(), staleTime: 5 * 60_000 });
  const names = useDestinationNames();

  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  // Free text: a full event id is looked up by event, anything id-like by correlation id (both via
  // the timeline, so deliveries outside the loaded pages are found too); the loaded rows are also
  // matched by delivery/event id prefix.
  const q = params.q;
  const isUuid = UUID_RE.test(q);
  const idLike = CORRELATION_RE.test(q) && q.length >= 8;
  const byEvent = useQuery({ ...trpc.operations.timeline.queryOptions({ event_id: q.toLowerCase() }), enabled: isUuid, retry: false });
  const byCorrelation = useQuery({ ...trpc.operations.timeline.queryOptions({ correlation_id: q }), enabled: idLike, retry: false });
  const timelineDeliveryIds = useMemo(() => {
    const ids = new Set<string>();
    for (const item of [...(byEvent.data?.items ?? []), ...(byCorrelation.data?.items ?? [])]) {
      if (item.kind === "delivery") ids.add(item.ref.id);
    }
    return ids;
  }, [byEvent.data, byCorrelation.data]);
  const loadedIds = new Set(rows.map((r) => r.id));
  const candidates = [...timelineDeliveryIds, ...(isUuid ? [q.toLowerCase()] : [])];
  const missingIds = [...new Set(candidates)].filter((id) => !loadedIds.has(id)).slice(0, 25);
  const extra = useQueries({
    queries: missingIds.map((id) => ({ ...trpc.automation.deliveries.get.queryOptions({ id }), retry: false, refetchInterval })),
  });
  const lower = q.toLowerCase();
  const searched: DeliveryRow[] | null = !q
    ? null
    : [
        ...rows.filter((r) => r.id.startsWith(lower) || r.event_id.startsWith(lower) || timelineDeliveryIds.has(r.id)),
        ...extra.map((e) => e.data).filter((row): row is NonNullable<typeof row> => Boolean(row)),
      ].filter((r, i, all) => all.findIndex((x) => x.id === r.id) === i);
  const searchedEverywhere = isUuid || idLike;
  const timelineHref = byEvent.data ? `/deliveries/timeline?event_id=${encodeURIComponent(lower)}` : byCorrelation.data ? `/deliveries/timeline?correlation_id=${encodeURIComponent(q)}` : null;
  const visible = searched ?? rows;

  const bulkRetry = useMutation(
    trpc.automation.deliveries.bulkRetry.mutationOptions({
      onSuccess: ({ count }) => {
        setNotice({ tone: "success", text: `${count} failed ${count === 1 ? "delivery was" : "deliveries were"} queued for a new attempt.` });
        void queryClient.invalidateQueries({ queryKey: trpc.automation.deliveries.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.operations.pathKey() });
      },
      onError: (err) => setNotice({ tone: "error", text: err.message }),
      onSettled: () => setConfirmBulk(false),
    }),
  );

  const failedCount = counts.data?.failed ?? 0;
  const hasFilter = Boolean(params.status || params.destination || params.type || params.range || params.since || params.until || params.q);

  const destinationOptions = useMemo(() => {
    const ids = new Set<string>(names.keys());
    rows.forEach((r) => ids.add(r.destination_id));
    if (params.destination) ids.add(params.destination);
    return [...ids].map((id) => ({ id, label: names.get(id) ?? `Destination ${shortId(id)}` })).sort((a, b) => a.label.localeCompare(b.label));
  }, [names, rows, params.destination]);

  function onSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update({ q: String(new FormData(event.currentTarget).get("q") ?? "").trim() });
  }

  return (
    <div className="mx-auto max-w-7xl space-y-5 p-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-lg font-semibold">Deliveries</h1>
          <p className="text-sm text-slate-500">Every event sent to your automation destinations: what was sent, what came back, and what happened after.</p>
        </div>
        <label className="flex items-center gap-2 text-sm text-slate-600">
          <input type="checkbox" checked={autoRefresh} onChange={(e) => setAutoRefresh(e.target.checked)} className="h-4 w-4 rounded border-slate-300" />
          Auto-refresh
          <span className={cx("inline-block h-2 w-2 rounded-full", autoRefresh ? (list.isFetching ? "bg-sky-500" : "bg-emerald-500") : "bg-slate-300")} aria-hidden />
        </label>
      </div>

      <section aria-label="Deliveries per status" className="grid grid-cols-2 gap-3 sm:grid-cols-5">
        {DELIVERY_STATUSES.map((status) => {
          const active = params.status === status;
          const value = counts.data?.[status];
          return (
            <button
              key={status}
              type="button"
              aria-pressed={active}
              data-testid={`count-${status}`}
              onClick={() => update({ status: active ? null : status }, "replace")}
              className={cx(
                "rounded-lg border bg-white p-3 text-left shadow-sm transition hover:border-slate-300",
                active ? "border-brand-500 ring-2 ring-brand-100" : "border-slate-200",
              )}
            >
              <span className="flex items-center justify-between">
                <StatusBadge status={status} />
                {active && <span className="text-xs text-brand-700">filtered</span>}
              </span>
              <span className={cx("mt-2 block text-2xl font-semibold tabular-nums", status === "failed" && value ? "text-red-700" : "text-slate-900")}>
                {value ?? (counts.isError ? "?" : "…")}
              </span>
              <span className="block text-xs text-slate-500">{STATUS_HELP[status]}</span>
            </button>
          );
        })}
      </section>
      {counts.isError && <Alert>Counts are unavailable: {counts.error.message}</Alert>}
      {filter.destination_id && <DestinationHealthPanel destinationId={filter.destination_id} name={names.get(filter.destination_id) ?? shortId(filter.destination_id)} />}

      <QueueHealthPanel refetchInterval={autoRefresh ? 5000 : false} />
      <InboundReceiptsPanel refetchInterval={autoRefresh ? 5000 : false} />

      <section aria-label="Filters" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3">
        <label className="text-xs font-medium text-slate-600">
          Status
          <Select aria-label="Status" className="mt-1" value={params.status ?? ""} onChange={(e) => update({ status: (e.target.value || null) as DeliveryStatus | null }, "replace")}>
            <option value="">All statuses</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          Destination
          <Select aria-label="Destination" className="mt-1 max-w-52" value={params.destination ?? ""} onChange={(e) => update({ destination: e.target.value || null }, "replace")}>
            <option value="">All destinations</option>
            {destinationOptions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          Event type
          <Select aria-label="Event type" className="mt-1" value={params.type ?? ""} onChange={(e) => update({ type: e.target.value || null }, "replace")}>
            <option value="">All event types</option>
            {(eventTypes.data?.items ?? []).map((t) => (
              <option key={t.type} value={t.type}>
                {t.type}
              </option>
            ))}
          </Select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          Time range
          <Select
            aria-label="Time range"
            className="mt-1"
            value={params.range ?? (params.since || params.until ? "custom" : "")}
            onChange={(e) => {
              const value = e.target.value;
              if (value === "custom") update({ range: null, since: filter.since?.toISOString() ?? new Date(Date.now() - 3600_000).toISOString(), until: null }, "replace");
              else update({ range: value || null, since: null, until: null }, "replace");
            }}
          >
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </Select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          From
          <Input
            type="datetime-local"
            aria-label="From"
            className="mt-1 py-1.5"
            value={toLocalInput(filter.since?.toISOString() ?? null)}
            onChange={(e) => update({ range: null, since: e.target.value ? new Date(e.target.value).toISOString() : null }, "replace")}
          />
        </label>
        <label className="text-xs font-medium text-slate-600">
          To
          <Input
            type="datetime-local"
            aria-label="To"
            className="mt-1 py-1.5"
            value={toLocalInput(filter.until?.toISOString() ?? null)}
            onChange={(e) => update({ range: null, until: e.target.value ? new Date(e.target.value).toISOString() : null }, "replace")}
          />
        </label>
        <form onSubmit={onSearch} className="flex min-w-64 flex-1 items-end gap-2" role="search" key={params.q}>
          <label className="flex-1 text-xs font-medium text-slate-600">
            Event, delivery or correlation id
            <Input name="q" aria-label="Search by id" defaultValue={params.q} placeholder="Paste an id…" className="mt-1 py-1.5 font-mono" />
          </label>
          <Button type="submit" variant="secondary" className="py-1.5">
            Search
          </Button>
        </form>
        {hasFilter && (
          <Button type="button" variant="secondary" className="py-1.5" onClick={() => update({ status: null, destination: null, type: null, range: null, since: null, until: null, q: "" }, "replace")}>
            Clear
          </Button>
        )}
      </section>

      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-500" role="status" aria-live="polite">
          {searched
            ? `${searched.length} ${searched.length === 1 ? "delivery matches" : "deliveries match"} “${params.q}”${searchedEverywhere ? "" : " among the loaded rows (paste a full id to search everything)"}`
            : list.data
              ? `Showing ${rows.length}${list.hasNextPage ? "+" : ""} ${rows.length === 1 ? "delivery" : "deliveries"}, newest first`
              : ""}
          {q && timelineHref && (
            <>
              {" · "}
              <Link className="text-brand-700 hover:underline" href={timelineHref}>
                Open the timeline
              </Link>
            </>
          )}
        </p>
        <Button variant="secondary" disabled={failedCount === 0 || bulkRetry.isPending} onClick={() => setConfirmBulk(true)}>
          Retry all failed{failedCount ? ` (${failedCount})` : ""}
        </Button>
      </div>
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}

      {list.isPending && (
        <div className="space-y-2" role="status" aria-label="Loading deliveries">
          {Array.from({ length: 5 }, (_, i) => (
            <div key={i} className="h-10 animate-pulse rounded-md bg-slate-200/70" />
          ))}
        </div>
      )}
      {list.isError && (
        <Alert>
          Could not load deliveries: {list.error.message}{" "}
          <button type="button" className="underline" onClick={() => void list.refetch()}>
            Try again
          </button>
        </Alert>
      )}
      {list.data && visible.length === 0 && (
        <EmptyState title={hasFilter ? "No deliveries match these filters" : "No deliveries yet"}>
          {hasFilter
            ? "Widen the time range or clear the filters."
            : isAdmin
              ? "Create a destination in Settings → Automations and send a test event; it will show up here."
              : "Deliveries appear here once an admin connects an automation destination."}
        </EmptyState>
      )}
      {visible.length > 0 && (
        <DeliveriesTable rows={visible} names={names} now={now} selected={params.d} onOpen={(id) => update({ d: id })} />
      )}
      {!searched && list.hasNextPage && (
        <div className="text-center">
          <Button variant="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}

      {confirmBulk && (
        <ConfirmDialog
          title={`Retry ${failedCount} failed ${failedCount === 1 ? "delivery" : "deliveries"}?`}
          confirmLabel={`Retry ${failedCount} ${failedCount === 1 ? "delivery" : "deliveries"}`}
          busy={bulkRetry.isPending}
          onCancel={() => setConfirmBulk(false)}
          onConfirm={() =>
            bulkRetry.mutate({
              status: "failed",
              destination_id: countInput.destination_id,
              event_type: countInput.event_type,
              since: countInput.since,
              until: countInput.until,
            })
          }
        >
          <p>
            Each failed delivery matching the current filters ({describeFilters(params, names)}) gets a new attempt right now. Deliveries whose destination is disabled are
            skipped.
          </p>
        </ConfirmDialog>
      )}

      {params.d && <DeliveryDrawer id={params.d} isAdmin={isAdmin} names={names} onClose={() => update({ d: null })} onOpen={(id) => update({ d: id })} />}
    </div>
  );
}

function describeFilters(params: DeliveryParams, names: Map<string, string>): string {
  const parts: string[] = [];
  if (params.destination) parts.push(`destination ${names.get(params.destination) ?? shortId(params.destination)}`);
  if (params.type) parts.push(`type ${params.type}`);
  if (params.range) parts.push(RANGES.find((r) => r.value === params.range)?.label.toLowerCase() ?? params.range);
  if (params.since) parts.push(`from ${formatTime(params.since)}`);
  if (params.until) parts.push(`until ${formatTime(params.until)}`);
  return parts.length ? parts.join(", ") : "all destinations, all types, any time";
}

function DeliveriesTable({
  rows,
  names,
  now,
  selected,
  onOpen,
}: {
  rows: DeliveryRow[];
  names: Map<string, string>;
  now: number;
  selected: string | null;
  onOpen: (id: string) => void;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm" aria-label="Deliveries">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2">Event</th>
            <th className="px-3 py-2">Destination</th>
            <th className="px-3 py-2 text-right">Attempts</th>
            <th className="px-3 py-2">Last answer</th>
            <th className="px-3 py-2">Next / done</th>
            <th className="px-3 py-2 text-right">Created</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              data-testid={`delivery-row-${row.id}`}
              data-event-id={row.event_id}
              data-status={row.status}
              onClick={() => onOpen(row.id)}
              className={cx("cursor-pointer border-t border-slate-100 hover:bg-slate-50", selected === row.id && "bg-brand-50/60")}
            >
              <td className="px-3 py-2">
                <StatusBadge status={row.status} />
              </td>
              <td className="px-3 py-2">
                <button
                  type="button"
                  className="text-left font-medium text-slate-900 hover:text-brand-700"
                  onClick={(e) => {
                    e.stopPropagation();
                    onOpen(row.id);
                  }}
                >
                  {row.event_type}
                </button>
                <span className="block font-mono text-xs text-slate-500" title={row.event_id}>
                  {shortId(row.event_id)}
                </span>
              </td>
              <td className="px-3 py-2 text-slate-700">{names.get(row.destination_id) ?? <span className="font-mono text-xs">{shortId(row.destination_id)}</span>}</td>
              <td className="px-3 py-2 text-right tabular-nums">{row.attempts}</td>
              <td className="max-w-72 px-3 py-2">
                <span className="flex items-center gap-2">
                  <CodeChip code={row.last_status_code} />
                  {row.last_error && (
                    <span className="truncate text-xs text-slate-500" title={row.last_error}>
                      {row.last_error}
                    </span>
                  )}
                </span>
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-xs text-slate-600">
                {row.status === "pending" && row.next_retry_at ? (
                  <>
                    retry <Countdown at={row.next_retry_at} />
                  </>
                ) : row.delivered_at ? (
                  <>delivered {relativeTime(row.delivered_at, now)}</>
                ) : (
                  "—"
                )}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-right text-xs text-slate-500" title={row.created_at}>
                {formatTime(row.created_at)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
