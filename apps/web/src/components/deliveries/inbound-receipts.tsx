"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert, Button } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { cx, formatDuration, relativeTime, useNow } from "./format";

/**
 * Inbound webhooks that did not become messages: how many wait for the worker, how old the oldest
 * is, and every parked one with the reason and the start of its body, with a way to send it through
 * again once the cause is fixed. Nothing a provider sent is ever dropped silently.
 */
export function InboundReceiptsPanel({ refetchInterval }: { refetchInterval: number | false }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(5000);
  const counts = useQuery({ ...trpc.operations.receiptCounts.queryOptions(), refetchInterval, placeholderData: keepPreviousData });
  const parked = useQuery({ ...trpc.operations.receipts.queryOptions({ status: "parked", limit: 20 }), refetchInterval, placeholderData: keepPreviousData });
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const retry = useMutation(
    trpc.operations.retryReceipt.mutationOptions({
      onSuccess: () => {
        setNotice({ tone: "success", text: "Sent to the worker again." });
        void queryClient.invalidateQueries({ queryKey: trpc.operations.receipts.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.operations.receiptCounts.queryKey() });
      },
      onError: (err) => setNotice({ tone: "error", text: err.message }),
    }),
  );

  const c = counts.data;
  const waitingFor = c?.oldest_pending_at ? Math.max(0, (now - Date.parse(c.oldest_pending_at)) / 1000) : null;
  return (
    <section aria-label="Inbound webhooks" className="rounded-lg border border-slate-200 bg-white">
      <header className="flex items-center justify-between border-b border-slate-100 px-4 py-2">
        <h2 className="text-sm font-semibold">Inbound webhooks</h2>
        {c && (
          <p className="text-xs text-slate-600" data-testid="receipt-counts">
            <span className="tabular-nums">{c.pending}</span> waiting{waitingFor !== null && <> (oldest {formatDuration(waitingFor)})</>} ·{" "}
            <span className={cx("tabular-nums", c.parked > 0 && "font-semibold text-red-700")}>{c.parked}</span> parked
          </p>
        )}
      </header>
      <div className="space-y-2 p-4">
        {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
        {(counts.isError || parked.isError) && <Alert>Inbound webhooks are unavailable: {(counts.error ?? parked.error)?.message}</Alert>}
        {parked.data && parked.data.items.length === 0 && <p className="text-sm text-slate-500">Every webhook received became messages; none is parked.</p>}
        {parked.data && parked.data.items.length > 0 && (
          <table className="w-full text-sm" aria-label="Parked receipts">
            <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="pb-1 font-medium">Received</th>
                <th className="pb-1 font-medium">Channel</th>
                <th className="pb-1 font-medium">Why it was parked</th>
                <th className="pb-1" />
              </tr>
            </thead>
            <tbody>
              {parked.data.items.map((r) => (
                <tr key={r.id} className="border-t border-slate-100 align-top" data-testid="parked-receipt">
                  <td className="whitespace-nowrap py-2 pr-3 text-xs text-slate-600" title={r.received_at}>
                    {relativeTime(r.received_at, now)}
                    <div className="text-slate-400">
                      {r.attempts} {r.attempts === 1 ? "try" : "tries"} · {r.size_bytes} B
                    </div>
                  </td>
                  <td className="py-2 pr-3 font-mono text-xs">{r.channel_type}</td>
                  <td className="py-2 pr-3">
                    <p className="break-words text-xs text-red-800">{r.last_error}</p>
                    {r.preview && (
                      <details className="mt-1">
                        <summary className="cursor-pointer text-xs text-slate-500">Body as received</summary>
                        <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs">{r.preview}</pre>
                      </details>
                    )}
                  </td>
                  <td className="py-2 text-right">
                    <Button variant="secondary" disabled={retry.isPending} onClick={() => retry.mutate({ id: r.id })}>
                      Retry
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
