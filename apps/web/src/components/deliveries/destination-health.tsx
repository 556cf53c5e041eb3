"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Alert } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { cx } from "./format";

type Window = "24h" | "7d";

const OUTCOMES = [
  { key: "delivered", label: "Delivered", color: "#059669" },
  { key: "failed", label: "Failed", color: "#dc2626" },
  { key: "pending", label: "Pending", color: "#0284c7" },
  { key: "cancelled", label: "Cancelled", color: "#94a3b8" },
] as const;

const PERCENTILES = [
  { key: "p50_ms", label: "p50", color: "#0f766e" },
  { key: "p95_ms", label: "p95", color: "#d97706" },
  { key: "p99_ms", label: "p99", color: "#b91c1c" },
] as const;

function hourLabel(iso: string, window: Window): string {
  const at = new Date(iso);
  return window === "24h" ? at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : at.toLocaleString([], { weekday: "short", hour: "2-digit" });
}

const formatMs = (ms: number | null) => (ms === null ? "—" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/**
 * One destination's delivery health over time: deliveries per hour by outcome, and latency
 * percentiles (event committed -> delivered), for the last 24 h or 7 days.
 */
export function DestinationHealthPanel({ destinationId, name }: { destinationId: string; name: string }) {
  const trpc = useTRPC();
  const [window, setWindow] = useState<Window>("24h");
  const health = useQuery({ ...trpc.operations.destinationHealth.queryOptions({ id: destinationId, window }), placeholderData: keepPreviousData, refetchInterval: 60_000 });
  const data = health.data?.hours.map((hour) => ({ ...hour, label: hourLabel(hour.hour, window) }));

  return (
    <section aria-label="Delivery health over time" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 className="text-sm font-semibold text-slate-900">Health of {name}</h2>
          <p className="text-xs text-slate-500">Deliveries created per hour, by where they are now; latency from the event to the destination&apos;s 2xx.</p>
        </div>
        <div role="group" aria-label="Window" className="inline-flex rounded-md border border-slate-200 text-sm">
          {(["24h", "7d"] as const).map((w) => (
            <button key={w} type="button" aria-pressed={window === w} onClick={() => setWindow(w)} className={cx("px-3 py-1", window === w ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-50")}>
              {w === "24h" ? "Last 24 h" : "Last 7 d"}
            </button>
          ))}
        </div>
      </div>
      {health.isError && <Alert>Delivery health is unavailable: {health.error.message}</Alert>}
      {health.data && data && (
        <>
          <dl className="mt-3 grid grid-cols-2 gap-2 text-sm sm:grid-cols-7" data-testid="health-totals">
            {OUTCOMES.map((o) => (
              <div key={o.key}>
                <dt className="text-xs text-slate-500">{o.label}</dt>
                <dd className="font-semibold tabular-nums">{health.data.totals[o.key]}</dd>
              </div>
            ))}
            {PERCENTILES.map((p) => (
              <div key={p.key}>
                <dt className="text-xs text-slate-500">Latency {p.label}</dt>
                <dd className="font-semibold tabular-nums">{formatMs(health.data.latency[p.key])}</dd>
              </div>
            ))}
          </dl>
          <div className="mt-4 grid gap-4 lg:grid-cols-2">
            <figure aria-label="Deliveries per hour by outcome" className="h-56">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={24} />
                  <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {OUTCOMES.map((o) => (
                    <Bar key={o.key} dataKey={o.key} name={o.label} stackId="outcome" fill={o.color} isAnimationActive={false} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </figure>
            <figure aria-label="Delivery latency percentiles per hour" className="h-56">
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" minTickGap={24} />
                  <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => formatMs(v)} />
                  <Tooltip formatter={(v) => formatMs(typeof v === "number" ? v : null)} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {PERCENTILES.map((p) => (
                    <Line key={p.key} type="monotone" dataKey={p.key} name={p.label} stroke={p.color} dot={false} connectNulls isAnimationActive={false} />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </figure>
          </div>
        </>
      )}
    </section>
  );
}
