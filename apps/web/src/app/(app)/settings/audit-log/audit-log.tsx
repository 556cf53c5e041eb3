"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, type FormEvent } from "react";
import { Button, EmptyState, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { absoluteTime, Loading, LoadError, relativeTime } from "../automations/shared";

const FILTERS = ["action", "actor_id", "target_id", "correlation_id", "since", "until"] as const;
type Filter = (typeof FILTERS)[number];

/** Actions worth a shortcut; any other action can be typed. */
const COMMON_ACTIONS = [
  "automation_event_sent",
  "automation_callback_executed",
  "automation.destinations.create",
  "automation.destinations.update",
  "automation.destinations.delete",
  "automation.destinations.rotateSecret",
  "automation.deliveries.retry",
  "automation.deliveries.bulkRetry",
  "apiKeys.create",
  "apiKeys.revoke",
  "users.create",
  "users.changeRole",
  "users.deactivate",
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const validInstant = (v: string | null) => (v && !Number.isNaN(Date.parse(v)) ? v : undefined);
/** `datetime-local` wants local "YYYY-MM-DDTHH:mm". */
const toLocalInput = (iso: string | undefined) => {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** The tenant's audit log: filters and the keyset cursor live in the URL (shareable, Back works). */
export function AuditLog() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();

  const filters = useMemo(() => {
    const value = (k: Filter) => search.get(k)?.trim() || undefined;
    return {
      action: value("action"),
      actor_id: value("actor_id") && UUID.test(value("actor_id")!) ? value("actor_id") : undefined,
      target_id: value("target_id"),
      correlation_id: value("correlation_id"),
      since: validInstant(search.get("since")),
      until: validInstant(search.get("until")),
    };
  }, [search]);
  const cursor = search.get("cursor") ?? undefined;
  const invalidActor = Boolean(search.get("actor_id") && !filters.actor_id);

  const page = useQuery(
    trpc.auditLogs.list.queryOptions(
      { ...filters, since: filters.since ? new Date(filters.since) : undefined, until: filters.until ? new Date(filters.until) : undefined, cursor, limit: 50 },
      { placeholderData: keepPreviousData },
    ),
  );

  const navigate = (next: Partial<Record<Filter | "cursor", string | undefined>>, resetCursor = true) => {
    const params = new URLSearchParams(search);
    if (resetCursor) params.delete("cursor");
    for (const [k, v] of Object.entries(next)) {
      if (v) params.set(k, v);
      else params.delete(k);
    }
    const qs = params.toString();
    router.push(qs ? `${pathname}?${qs}` : pathname);
  };

  function applyFilters(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (k: string) => String(form.get(k) ?? "").trim() || undefined;
    const instant = (k: string) => (text(k) ? new Date(text(k)!).toISOString() : undefined);
    navigate({ action: text("action"), actor_id: text("actor_id"), target_id: text("target_id"), correlation_id: text("correlation_id"), since: instant("since"), until: instant("until") });
  }

  const anyFilter = FILTERS.some((k) => search.get(k));

  return (
    <div className="space-y-6">
      <div>
        <h2 className="text-base font-semibold">Audit log</h2>
        <p className="text-sm text-slate-500">
          Who did what, and when: every change made in Alfred or through the API, every event delivered (<code>automation_event_sent</code>) and every callback executed (
          <code>automation_callback_executed</code>).
        </p>
      </div>

      <form key={search.toString()} onSubmit={applyFilters} className="grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-3" aria-label="Filter the audit log">
        <Field label="Action">
          <Input name="action" list="audit-actions" defaultValue={filters.action ?? ""} placeholder="any" />
          <datalist id="audit-actions">
            {COMMON_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </Field>
        <Field label="Actor id" error={invalidActor ? "not a valid id" : undefined}>
          <Input name="actor_id" defaultValue={search.get("actor_id") ?? ""} placeholder="user, API key or destination id" />
        </Field>
        <Field label="Target id">
          <Input name="target_id" defaultValue={filters.target_id ?? ""} />
        </Field>
        <Field label="Correlation id">
          <Input name="correlation_id" defaultValue={filters.correlation_id ?? ""} />
        </Field>
        <Field label="From">
          <Input name="since" type="datetime-local" defaultValue={toLocalInput(filters.since)} />
        </Field>
        <Field label="Until">
          <Input name="until" type="datetime-local" defaultValue={toLocalInput(filters.until)} />
        </Field>
        <div className="flex gap-2 sm:col-span-3">
          <Button type="submit">Apply filters</Button>
          {anyFilter && (
            <Button type="button" variant="secondary" onClick={() => router.push(pathname)}>
              Clear
            </Button>
          )}
        </div>
      </form>

      {page.isPending && <Loading what="the audit log" />}
      {page.isError && <LoadError what="the audit log" error={page.error} retry={() => void page.refetch()} />}
      {page.data && page.data.items.length === 0 && (
        <EmptyState title={anyFilter ? "Nothing matches these filters" : "Nothing recorded yet"}>{cursor ? "This page is empty; go back to the first page." : null}</EmptyState>
      )}
      {page.data && page.data.items.length > 0 && (
        <table className={`w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm ${page.isPlaceholderData ? "opacity-60" : ""}`} data-testid="audit-log">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">When</th>
              <th className="px-3 py-2">Who</th>
              <th className="px-3 py-2">Action</th>
              <th className="px-3 py-2">Target</th>
              <th className="px-3 py-2">Correlation id</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((entry) => (
              <tr key={entry.id} className="border-t border-slate-100 align-top">
                <td className="whitespace-nowrap px-3 py-2 text-slate-600" title={absoluteTime(entry.at)}>
                  {relativeTime(entry.at)}
                </td>
                <td className="px-3 py-2">
                  <span className="block font-medium">{entry.actor.name ?? (entry.actor.type === "system" ? "Alfred" : "unknown")}</span>
                  <span className="text-xs text-slate-500">
                    {entry.actor.type === "api_key" ? "API key" : entry.actor.type}
                    {entry.actor.id && (
                      <>
                        {" · "}
                        <button type="button" className="font-mono underline" onClick={() => navigate({ actor_id: entry.actor.id! })} title="Only this actor">
                          {entry.actor.id.slice(0, 8)}
                        </button>
                      </>
                    )}
                  </span>
                </td>
                <td className="px-3 py-2">
                  <button type="button" className="font-mono text-xs underline decoration-dotted" onClick={() => navigate({ action: entry.action })} title="Only this action">
                    {entry.action}
                  </button>
                  {Object.keys(entry.metadata).length > 0 && (
                    <details className="mt-1 text-xs">
                      <summary className="cursor-pointer text-slate-500">details</summary>
                      <pre className="mt-1 max-w-md overflow-auto rounded bg-slate-50 p-2">{JSON.stringify(entry.metadata, null, 2)}</pre>
                    </details>
                  )}
                </td>
                <td className="px-3 py-2 text-xs">
                  {entry.target ? (
                    <button type="button" className="text-left underline decoration-dotted" onClick={() => navigate({ target_id: entry.target!.id })} title="Only this target">
                      {entry.target.type && <span className="block text-slate-500">{entry.target.type}</span>}
                      <span className="font-mono break-all">{entry.target.id}</span>
                    </button>
                  ) : (
                    <span className="text-slate-400">–</span>
                  )}
                </td>
                <td className="px-3 py-2 text-xs">
                  {entry.correlation_id ? (
                    <button type="button" className="font-mono break-all underline decoration-dotted" onClick={() => navigate({ correlation_id: entry.correlation_id! })} title="Everything with this correlation id">
                      {entry.correlation_id}
                    </button>
                  ) : (
                    <span className="text-slate-400">–</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {(cursor || page.data?.next_cursor) && (
        <nav aria-label="Audit log pages" className="flex gap-2">
          {cursor && (
            <Button variant="secondary" onClick={() => navigate({}, true)}>
              First page
            </Button>
          )}
          {page.data?.next_cursor && (
            <Button variant="secondary" onClick={() => navigate({ cursor: page.data.next_cursor! }, false)}>
              Older entries
            </Button>
          )}
        </nav>
      )}
    </div>
  );
}
