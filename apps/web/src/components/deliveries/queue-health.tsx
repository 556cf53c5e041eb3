"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { cx, formatDuration, relativeTime, useNow } from "./format";

const COLUMNS = ["waiting", "delayed", "active", "failed"] as const;

/** Queues, the oldest pending delivery and worker heartbeats: is the machinery itself healthy? */
export function QueueHealthPanel({ refetchInterval }: { refetchInterval: number | false }) {
  const trpc = useTRPC();
  const health = useQuery({ ...trpc.operations.queueHealth.queryOptions(), refetchInterval, placeholderData: keepPreviousData, retry: false });
  const now = useNow(5000);
  const data = health.data;
  const workers = data?.workers ?? [];
  const healthyWorkers = workers.filter((w) => w.healthy).length;
  const oldest = data?.oldest_pending_delivery_seconds ?? null;
  const oldestTone = oldest == null ? "text-slate-900" : oldest > 15 * 60 ? "text-red-700" : oldest > 120 ? "text-amber-700" : "text-slate-900";

  return (
    <section aria-label="Queue health" className="rounded-lg border border-slate-200 bg-white">
      <header className="flex items-center justify-between border-b border-slate-100 px-4 py-2">
        <h2 className="text-sm font-semibold">Queue health</h2>
        {health.isError && <span className="text-xs text-red-700">unavailable: {health.error.message}</span>}
        {health.isPending && <span className="text-xs text-slate-500">loading…</span>}
      </header>
      {data && (
        <div className="grid gap-4 p-4 lg:grid-cols-[2fr_1fr_1fr]">
          <table className="w-full text-sm" aria-label="Queues">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="pb-1 font-medium">Queue</th>
                {COLUMNS.map((c) => (
                  <th key={c} className="pb-1 text-right font-medium">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.queues.length === 0 && (
                <tr>
                  <td colSpan={5} className="py-1 text-slate-500">
                    No queues reported.
                  </td>
                </tr>
              )}
              {data.queues.map((queue) => (
                <tr key={queue.name} className="border-t border-slate-100" data-testid={`queue-${queue.name}`}>
                  <td className="py-1 font-mono text-xs">{queue.name}</td>
                  {COLUMNS.map((c) => (
                    <td key={c} className={cx("py-1 text-right tabular-nums", c === "failed" && queue[c] > 0 && "font-semibold text-red-700")}>
                      {queue[c]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div>
            <p className="text-xs uppercase tracking-wide text-slate-500">Oldest pending delivery</p>
            <p className={cx("mt-1 text-2xl font-semibold tabular-nums", oldestTone)} data-testid="oldest-pending">
              {oldest == null ? "none" : formatDuration(oldest)}
            </p>
            <p className="text-xs text-slate-500">{oldest == null ? "Nothing is waiting." : "waiting since its first try was due"}</p>
          </div>
          <div>
            <p className="text-xs uppercase tracking-wide text-slate-500">Workers</p>
            {workers.length === 0 ? (
              <p className="mt-1 text-sm font-medium text-red-700">No worker heartbeat — deliveries are not being sent.</p>
            ) : (
              <>
                <p className={cx("mt-1 text-sm font-medium", healthyWorkers === workers.length ? "text-emerald-700" : "text-amber-700")}>
                  {healthyWorkers} of {workers.length} healthy
                </p>
                <ul className="mt-1 space-y-0.5 text-xs">
                  {workers.map((w) => (
                    <li key={w.id} className="flex items-center gap-2" data-testid="worker">
                      <span className={cx("inline-block h-2 w-2 shrink-0 rounded-full", w.healthy ? "bg-emerald-500" : "bg-red-500")} aria-hidden />
                      <span className="truncate font-mono" title={w.id}>
                        {w.id}
                      </span>
                      <span className="ml-auto whitespace-nowrap text-slate-500">
                        {w.healthy ? "healthy" : "unhealthy"} · seen {relativeTime(w.last_seen_at, now)}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
