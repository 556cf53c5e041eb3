"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";
import { cx, formatDuration, relativeTime, useNow } from "./format";
import type { RouterOutputs } from "./types";

type Machine = NonNullable<RouterOutputs["operations"]["queueHealth"]["machine"]>;

const COLUMNS = ["waiting", "delayed", "active", "failed"] as const;

const ageTone = (seconds: number | null) => (seconds == null ? "text-slate-900" : seconds > 15 * 60 ? "text-red-700" : seconds > 120 ? "text-amber-700" : "text-slate-900");

/**
 * Is our work getting done? This workspace's own pending and failed deliveries and outbound
 * messages; on a single-company install also the machine's queues and worker heartbeats, which
 * every tenant shares and so are not shown on a hosted one.
 */
export function QueueHealthPanel({ refetchInterval }: { refetchInterval: number | false }) {
  const trpc = useTRPC();
  const health = useQuery({ ...trpc.operations.queueHealth.queryOptions(), refetchInterval, placeholderData: keepPreviousData, retry: false });
  const data = health.data;

  return (
    <section aria-label="Pending work" className="rounded-lg border border-slate-200 bg-white">
      <header className="flex items-center justify-between border-b border-slate-100 px-4 py-2">
        <h2 className="text-sm font-semibold">Pending work</h2>
        {health.isError && <span className="text-xs text-red-700">unavailable: {health.error.message}</span>}
        {health.isPending && <span className="text-xs text-slate-500">loading…</span>}
      </header>
      {data && (
        <div className="grid gap-4 p-4 lg:grid-cols-2">
          <WorkFigures
            title="Deliveries"
            testId="work-deliveries"
            figures={[
              ["due", data.work.deliveries.due],
              ["retry later", data.work.deliveries.scheduled],
              ["delivering", data.work.deliveries.delivering],
              ["failed (24 h)", data.work.deliveries.failed_last_24h],
            ]}
            oldestLabel="Oldest pending delivery"
            oldest={data.work.deliveries.oldest_pending_seconds}
          />
          <WorkFigures
            title="Outbound messages"
            testId="work-messages"
            figures={[
              ["queued", data.work.outbound_messages.queued],
              ["sending", data.work.outbound_messages.sending],
              ["failed (24 h)", data.work.outbound_messages.failed_last_24h],
            ]}
            oldestLabel="Oldest unsent message"
            oldest={data.work.outbound_messages.oldest_unsent_seconds}
          />
          {data.machine && <MachineHealth machine={data.machine} />}
        </div>
      )}
    </section>
  );
}

function WorkFigures(props: { title: string; testId: string; figures: [label: string, value: number][]; oldestLabel: string; oldest: number | null }) {
  return (
    <div data-testid={props.testId}>
      <p className="text-xs uppercase tracking-wide text-slate-500">{props.title}</p>
      <ul className="mt-1 flex flex-wrap gap-x-5 gap-y-1 text-sm">
        {props.figures.map(([label, value]) => (
          <li key={label} className="flex items-baseline gap-1">
            <span className={cx("text-lg font-semibold tabular-nums", label.startsWith("failed") && value > 0 && "text-red-700")}>{value}</span>
            <span className="text-slate-500">{label}</span>
          </li>
        ))}
      </ul>
      <p className="mt-2 text-xs text-slate-500">
        {props.oldestLabel}:{" "}
        <span className={cx("font-semibold tabular-nums", ageTone(props.oldest))} data-testid={`${props.testId}-oldest`}>
          {props.oldest == null ? "none" : formatDuration(props.oldest)}
        </span>
      </p>
    </div>
  );
}

/** Single-company installs only: the queues and workers this whole machine runs on. */
function MachineHealth({ machine }: { machine: Machine }) {
  const now = useNow(5000);
  const healthyWorkers = machine.workers.filter((w) => w.healthy).length;
  if (!machine.available) {
    return <p className="text-sm text-red-700 lg:col-span-2">Queue and worker health unavailable: Redis did not answer.</p>;
  }
  return (
    <>
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
          {machine.queues.map((queue) => (
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
        <p className="text-xs uppercase tracking-wide text-slate-500">Workers</p>
        {machine.workers.length === 0 ? (
          <p className="mt-1 text-sm font-medium text-red-700">No worker heartbeat — nothing is being sent.</p>
        ) : (
          <>
            <p className={cx("mt-1 text-sm font-medium", healthyWorkers === machine.workers.length ? "text-emerald-700" : "text-amber-700")}>
              {healthyWorkers} of {machine.workers.length} healthy
            </p>
            <ul className="mt-1 space-y-0.5 text-xs">
              {machine.workers.map((w) => (
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
    </>
  );
}
