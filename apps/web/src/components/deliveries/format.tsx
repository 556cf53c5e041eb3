"use client";

import { useEffect, useState } from "react";

export const DELIVERY_STATUSES = ["pending", "delivering", "delivered", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const cx = (...classes: (string | false | null | undefined)[]) => classes.filter(Boolean).join(" ");
export { cx };

export const STATUS_STYLE: Record<string, string> = {
  pending: "bg-amber-50 text-amber-800 ring-amber-200",
  delivering: "bg-sky-50 text-sky-800 ring-sky-200",
  delivered: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  cancelled: "bg-slate-100 text-slate-600 ring-slate-200",
  succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  processing: "bg-sky-50 text-sky-800 ring-sky-200",
};

export function StatusBadge({ status, className }: { status: string; className?: string }) {
  return (
    <span className={cx("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", STATUS_STYLE[status] ?? STATUS_STYLE.cancelled, className)}>
      {status}
    </span>
  );
}

/** A status code as a coloured monospace chip (2xx green, 4xx amber, 5xx red, none grey). */
export function CodeChip({ code }: { code: number | null | undefined }) {
  const tone =
    code == null ? "bg-slate-100 text-slate-500" : code < 300 ? "bg-emerald-50 text-emerald-700" : code < 500 ? "bg-amber-50 text-amber-800" : "bg-red-50 text-red-700";
  return <span className={cx("rounded px-1.5 py-0.5 font-mono text-xs", tone)}>{code ?? "—"}</span>;
}

/** The current time, re-rendered every `intervalMs` (for countdowns and "x ago"). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return "—";
  const diff = (now - new Date(iso).getTime()) / 1000;
  if (Math.abs(diff) < 5) return "just now";
  return diff > 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(-diff)}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
export const formatTime = (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : "—");

export const shortId = (id: string) => id.slice(0, 8);

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What Alfred accepts as a correlation id (packages/core correlation.ts). */
export const CORRELATION_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Ticks every second: "in 0m 27s" until the instant, then "due now". */
export function Countdown({ at, className }: { at: string; className?: string }) {
  const now = useNow(1000);
  const seconds = (new Date(at).getTime() - now) / 1000;
  return (
    <span className={className} data-testid="retry-countdown" title={new Date(at).toISOString()}>
      {seconds > 0.5 ? `in ${formatDuration(seconds)}` : "due now"}
    </span>
  );
}

export function JsonBlock({ value, label, maxHeight = "max-h-80" }: { value: unknown; label: string; maxHeight?: string }) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return (
    <pre aria-label={label} className={cx("overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100", maxHeight)}>
      {text}
    </pre>
  );
}

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="rounded px-1.5 py-0.5 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-800"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? "Copied" : label}
    </button>
  );
}
