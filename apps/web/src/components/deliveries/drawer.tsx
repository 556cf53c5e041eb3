"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { Alert, Button } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { ConfirmDialog } from "./confirm-dialog";
import { CodeChip, CopyButton, Countdown, cx, formatTime, JsonBlock, relativeTime, shortId, StatusBadge, useNow } from "./format";
import type { Attempt, CallbackItem, DeliveryDetail } from "./types";

/** Where a callback's resulting object can be opened, when the app has a page for it. */
export function resultHref(result: { type: string; id: string } | null | undefined): string | null {
  if (!result) return null;
  if (result.type === "conversation") return `/inbox?c=${result.id}`;
  if (result.type === "delivery") return `/deliveries?d=${result.id}`;
  return null;
}

export function DeliveryDrawer({
  id,
  isAdmin,
  names,
  onClose,
  onOpen,
}: {
  id: string;
  isAdmin: boolean;
  names: Map<string, string>;
  onClose: () => void;
  onOpen: (id: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const panel = useRef<HTMLDivElement>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string; open?: string } | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);

  const detail = useQuery({
    ...trpc.automation.deliveries.get.queryOptions({ id }),
    refetchInterval: (query) => (["pending", "delivering"].includes(query.state.data?.status ?? "") ? 2000 : 5000),
    retry: false,
  });
  const d = detail.data;
  const callbacks = useQuery({
    ...trpc.callbacks.list.queryOptions({ linked_event_id: d?.event_id ?? "" }),
    enabled: Boolean(d?.event_id),
    refetchInterval: 4000,
  });

  useEffect(() => setNotice(null), [id]);
  useEffect(() => {
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector("[role=alertdialog]")) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.automation.deliveries.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.operations.pathKey() });
  };
  const fail = (err: { message: string }) => setNotice({ tone: "error", text: err.message });
  const retry = useMutation(
    trpc.automation.deliveries.retry.mutationOptions({ onSuccess: () => (setNotice({ tone: "success", text: "A new attempt is on its way." }), refresh()), onError: fail }),
  );
  const replay = useMutation(
    trpc.automation.events.replay.mutationOptions({
      onSuccess: (r) => {
        setNotice({ tone: "success", text: `Replayed: ${r.delivery_ids.length} new ${r.delivery_ids.length === 1 ? "delivery" : "deliveries"}.`, open: r.delivery_ids[0] });
        refresh();
      },
      onError: fail,
    }),
  );
  const cancel = useMutation(
    trpc.automation.deliveries.cancel.mutationOptions({
      onSuccess: ({ count }) => {
        setNotice({ tone: "success", text: count ? "Pending retries cancelled." : "Nothing was waiting to be cancelled." });
        refresh();
      },
      onError: fail,
      onSettled: () => setConfirmCancel(false),
    }),
  );
  const busy = retry.isPending || replay.isPending || cancel.isPending;

  return (
    <div className="fixed inset-0 z-40 flex justify-end">
      <button type="button" aria-label="Close the delivery" className="absolute inset-0 cursor-default bg-slate-900/20" onClick={onClose} tabIndex={-1} />
      <div
        ref={panel}
        tabIndex={-1}
        role="dialog"
        aria-modal="true"
        aria-label="Delivery details"
        className="relative flex h-full w-full max-w-3xl flex-col overflow-hidden bg-slate-50 shadow-2xl outline-none"
      >
        <header className="flex items-start gap-3 border-b border-slate-200 bg-white px-5 py-4">
          <div className="min-w-0 flex-1">
            <div className="flex items-center gap-2">
              <h2 className="truncate text-base font-semibold">{d?.event_type ?? "Delivery"}</h2>
              {d && <StatusBadge status={d.status} className="text-sm" />}
            </div>
            <p className="mt-0.5 flex items-center gap-1 font-mono text-xs text-slate-500">
              delivery {id}
              <CopyButton text={id} />
            </p>
          </div>
          <button type="button" onClick={onClose} className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800" aria-label="Close">
            <svg viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor" aria-hidden>
              <path d="M5.3 4.3a1 1 0 0 1 1.4 0L10 7.6l3.3-3.3a1 1 0 1 1 1.4 1.4L11.4 9l3.3 3.3a1 1 0 0 1-1.4 1.4L10 10.4l-3.3 3.3a1 1 0 0 1-1.4-1.4L8.6 9 5.3 5.7a1 1 0 0 1 0-1.4Z" />
            </svg>
          </button>
        </header>

        <div className="flex-1 space-y-5 overflow-y-auto px-5 py-4">
          {detail.isPending && <p className="text-sm text-slate-500" role="status">Loading the delivery…</p>}
          {detail.isError && <Alert>Could not load this delivery: {detail.error.message}</Alert>}
          {d && (
            <>
              <Summary d={d} destinationName={names.get(d.destination_id)} callbacks={callbacks.data?.items} />

              <div className="flex flex-wrap items-center gap-2">
                <Button onClick={() => retry.mutate({ id })} disabled={busy || d.status === "delivering"}>
                  {retry.isPending ? "Retrying…" : "Retry now"}
                </Button>
                <Button variant="secondary" onClick={() => replay.mutate({ id: d.event_id, destination_id: d.destination_id })} disabled={busy}>
                  Replay event to this destination
                </Button>
                {d.status === "pending" && (
                  <Button variant="danger" onClick={() => setConfirmCancel(true)} disabled={busy}>
                    Cancel pending retries
                  </Button>
                )}
                <Link href={`/deliveries/timeline?event_id=${d.event_id}`} className="ml-auto text-sm font-medium text-brand-700 hover:underline">
                  Event timeline →
                </Link>
              </div>
              {notice && (
                <Alert tone={notice.tone}>
                  {notice.text}{" "}
                  {notice.open && notice.open !== id && (
                    <button type="button" className="font-medium underline" onClick={() => onOpen(notice.open!)}>
                      Open it
                    </button>
                  )}
                </Alert>
              )}

              <Section title={`Attempts (${d.attempt_log.length})`}>
                {d.attempt_log.length === 0 ? (
                  <p className="text-sm text-slate-500">No attempt yet{d.next_retry_at ? "; the first one is queued." : "."}</p>
                ) : (
                  <ol className="space-y-3" aria-label="Attempts">
                    {[...d.attempt_log].reverse().map((a, i) => (
                      <AttemptCard key={a.number} attempt={a} defaultOpen={i === 0} />
                    ))}
                  </ol>
                )}
              </Section>

              <Section title="Callbacks for this event" hint="What the automation sent back (signed callbacks linked to this event by correlation_id).">
                {callbacks.isPending && <p className="text-sm text-slate-500">Loading…</p>}
                {callbacks.isError && <Alert>Could not load callbacks: {callbacks.error.message}</Alert>}
                {callbacks.data && callbacks.data.items.length === 0 && <p className="text-sm text-slate-500">No callback has come back for this event yet.</p>}
                {callbacks.data && callbacks.data.items.length > 0 && (
                  <ul className="space-y-2" aria-label="Callbacks">
                    {callbacks.data.items.map((c) => (
                      <CallbackCard key={c.id} callback={c} />
                    ))}
                  </ul>
                )}
              </Section>

              <Section title="Event envelope" hint="The body sent to the destination (pretty-printed).">
                <div className="mb-2 flex items-center gap-2 font-mono text-xs text-slate-500">
                  event {d.event.event_id} <CopyButton text={d.event.event_id} />
                </div>
                <JsonBlock label="Event envelope" value={d.event} />
              </Section>
            </>
          )}
        </div>
      </div>
      {confirmCancel && d && (
        <ConfirmDialog
          title="Cancel the pending retries of this delivery?"
          confirmLabel="Cancel retries"
          tone="danger"
          busy={cancel.isPending}
          onCancel={() => setConfirmCancel(false)}
          onConfirm={() => cancel.mutate({ ids: [d.id] })}
        >
          <p>No further attempt is made unless someone retries it by hand. {isAdmin ? "" : "An admin can also disable the destination."}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function Section({ title, hint, children }: { title: string; hint?: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="text-sm font-semibold">{title}</h3>
      {hint && <p className="mb-3 text-xs text-slate-500">{hint}</p>}
      <div className={cx(!hint && "mt-3")}>{children}</div>
    </section>
  );
}

function Summary({ d, destinationName, callbacks }: { d: DeliveryDetail; destinationName?: string; callbacks?: CallbackItem[] }) {
  const now = useNow(5000);
  const last = d.attempt_log.at(-1);
  const items: [string, React.ReactNode][] = [
    ["Destination", destinationName ?? <span className="font-mono text-xs">{d.destination_id}</span>],
    ["Attempts", d.attempts],
    ["Last answer", <CodeChip key="c" code={d.last_status_code} />],
    ["Created", <span key="t" title={d.created_at}>{formatTime(d.created_at)}</span>],
    ["Delivered", d.delivered_at ? <span title={d.delivered_at}>{formatTime(d.delivered_at)} ({relativeTime(d.delivered_at, now)})</span> : "—"],
    [
      "Next retry",
      d.status === "pending" && d.next_retry_at ? (
        <span>
          <Countdown at={d.next_retry_at} className="font-semibold text-amber-800" />
          <span className="ml-1 text-xs text-slate-500">({formatTime(d.next_retry_at)})</span>
        </span>
      ) : (
        "—"
      ),
    ],
  ];
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-3">
        {items.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs uppercase tracking-wide text-slate-500">{label}</dt>
            <dd className="mt-0.5">{value}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-3 border-t border-slate-100 pt-3 text-sm text-slate-700" data-testid="delivery-outcome">
        <span className="font-medium">Outcome: </span>
        {d.status === "delivered"
          ? `received on attempt ${d.attempts}${last?.status_code ? ` (HTTP ${last.status_code})` : ""}`
          : d.status === "pending"
            ? d.attempts
              ? `not received yet: ${d.attempts} failed ${d.attempts === 1 ? "attempt" : "attempts"}, retrying`
              : "queued"
            : d.status === "delivering"
              ? "being sent now"
              : `not received (${d.status})`}
        {" · "}
        {callbacks === undefined
          ? "checking callbacks…"
          : callbacks.length === 0
            ? "no callback yet"
            : callbacks
                .map((c) => `${c.action} ${c.status}${c.result ? ` → ${c.result.type} ${shortId(c.result.id)}` : ""}`)
                .join("; ")}
      </p>
      {d.last_error && d.status !== "delivered" && (
        <p className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          <span className="font-medium">Last error:</span> {d.last_error}
        </p>
      )}
    </div>
  );
}

function AttemptCard({ attempt: a, defaultOpen }: { attempt: Attempt; defaultOpen: boolean }) {
  const ok = a.error_class === null;
  return (
    <li className={cx("rounded-md border p-3", ok ? "border-emerald-200" : "border-red-200")} data-testid={`attempt-${a.number}`}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <span className="font-semibold">#{a.number}</span>
        <CodeChip code={a.status_code} />
        <span className={cx("text-xs font-medium", ok ? "text-emerald-700" : "text-red-700")}>{ok ? "delivered" : a.error_class}</span>
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{a.trigger}</span>
        <span className="ml-auto text-xs text-slate-500" title={a.started_at}>
          {formatTime(a.started_at)} · {a.duration_ms} ms
        </span>
      </div>
      {a.error_message && <p className="mt-1 text-xs text-red-800">{a.error_message}</p>}
      {a.response_snippet && (
        <div className="mt-2">
          <p className="text-xs font-medium text-slate-600">Response</p>
          <pre className="mt-1 max-h-32 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs text-slate-800">{a.response_snippet}</pre>
        </div>
      )}
      <details className="mt-2" open={defaultOpen}>
        <summary className="cursor-pointer text-xs font-medium text-slate-600">Request headers ({Object.keys(a.request_headers).length})</summary>
        <table className="mt-1 w-full font-mono text-xs" aria-label={`Request headers of attempt ${a.number}`}>
          <tbody>
            {Object.entries(a.request_headers).map(([name, value]) => (
              <tr key={name} className="border-t border-slate-100 align-top">
                <td className="whitespace-nowrap py-0.5 pr-3 text-slate-500">{name}</td>
                <td className="break-all py-0.5 text-slate-800">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </li>
  );
}

function CallbackCard({ callback: c }: { callback: CallbackItem }) {
  const href = resultHref(c.result);
  return (
    <li className="rounded-md border border-slate-200 p-3 text-sm" data-testid="callback">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className="font-medium">{c.action}</span>
        <StatusBadge status={c.status} />
        <CodeChip code={c.response_status} />
        {c.result && (
          <span className="text-xs text-slate-700" data-testid="callback-result">
            created {c.result.type}{" "}
            {href ? (
              <Link href={href} className="font-mono text-brand-700 hover:underline">
                {shortId(c.result.id)}
              </Link>
            ) : (
              <span className="font-mono">{shortId(c.result.id)}</span>
            )}
          </span>
        )}
        <span className="ml-auto text-xs text-slate-500">{formatTime(c.created_at)}</span>
      </div>
      <p className="mt-1 font-mono text-xs text-slate-500">callback event {c.event_id}</p>
      <details className="mt-1">
        <summary className="cursor-pointer text-xs font-medium text-slate-600">Request and answer</summary>
        <div className="mt-1 grid gap-2 sm:grid-cols-2">
          <JsonBlock label="Callback request" value={c.request_body} maxHeight="max-h-48" />
          <JsonBlock label="Callback answer" value={c.response_body} maxHeight="max-h-48" />
        </div>
      </details>
    </li>
  );
}
