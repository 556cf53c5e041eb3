"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CHANNEL_LABELS, contactName, fullTime, STATUS_LABELS, toLocalInputValue } from "./format";
import { ChannelBadge } from "./icons";
import { useConversationUpdate } from "./use-conversation-actions";
import type { ConversationItem, ConversationStatus } from "./types";

const STATUS_STYLE: Record<ConversationStatus, string> = {
  open: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  pending: "bg-amber-50 text-amber-800 ring-amber-200",
  snoozed: "bg-violet-50 text-violet-700 ring-violet-200",
  resolved: "bg-slate-100 text-slate-600 ring-slate-200",
};

function snoozePresets(now: Date): { value: string; label: string; until: Date }[] {
  const at = (days: number, hour: number) => {
    const d = new Date(now);
    d.setDate(d.getDate() + days);
    d.setHours(hour, 0, 0, 0);
    return d;
  };
  const nextMonday = at(((8 - now.getDay()) % 7) || 7, 9);
  return [
    { value: "1h", label: "For 1 hour", until: new Date(now.getTime() + 3_600_000) },
    { value: "4h", label: "For 4 hours", until: new Date(now.getTime() + 4 * 3_600_000) },
    { value: "tomorrow", label: "Until tomorrow 9:00", until: at(1, 9) },
    { value: "monday", label: "Until next Monday 9:00", until: nextMonday },
  ];
}

export function ThreadHeader({ conversation, currentUserId }: { conversation: ConversationItem; currentUserId: string }) {
  const trpc = useTRPC();
  const directory = useQuery(trpc.users.directory.queryOptions());
  const update = useConversationUpdate();
  const [customSnooze, setCustomSnooze] = useState<string | null>(null);
  const busy = update.isPending;

  const setStatus = (status: ConversationStatus, snoozedUntil?: Date) =>
    update.mutate({ id: conversation.id, status, snoozed_until: snoozedUntil ? snoozedUntil.toISOString() : undefined });

  const onSnoozeChoice = (value: string) => {
    if (value === "custom") {
      setCustomSnooze(toLocalInputValue(new Date(Date.now() + 3_600_000)));
      return;
    }
    const preset = snoozePresets(new Date()).find((p) => p.value === value);
    if (preset) setStatus("snoozed", preset.until);
  };

  const users = directory.data?.items ?? [];
  const assigneeKnown = !conversation.assignee_id || users.some((u) => u.id === conversation.assignee_id);

  return (
    <header className="border-b border-slate-200 bg-white px-4 py-3">
      <div className="flex flex-wrap items-center gap-3">
        <div className="min-w-0 flex-1 basis-64">
          <h2 className="truncate text-base font-semibold text-slate-900">{contactName(conversation.contact.name)}</h2>
          <p className="mt-0.5 flex flex-wrap items-center gap-2 text-xs text-slate-500">
            <ChannelBadge type={conversation.channel.type} />
            <span>
              <span className="sr-only">{CHANNEL_LABELS[conversation.channel.type]}: </span>
              {conversation.channel.name}
            </span>
            <span className={`rounded-full px-2 py-0.5 font-medium ring-1 ${STATUS_STYLE[conversation.status]}`} data-testid="conversation-status">
              {STATUS_LABELS[conversation.status]}
              {conversation.status === "snoozed" && conversation.snoozed_until ? ` until ${fullTime(conversation.snoozed_until)}` : ""}
            </span>
            {conversation.subject && <span className="truncate">“{conversation.subject}”</span>}
          </p>
        </div>
        <div className="flex flex-wrap items-center justify-end gap-2">
          <Select
            aria-label="Assignee"
            value={conversation.assignee_id ?? ""}
            disabled={busy || directory.isPending}
            onChange={(e) => update.mutate({ id: conversation.id, assignee_id: e.target.value || null })}
            className="max-w-44"
          >
            <option value="">Unassigned</option>
            {!assigneeKnown && <option value={conversation.assignee_id!}>Former teammate</option>}
            {users.map((user) => (
              <option key={user.id} value={user.id}>
                {user.id === currentUserId ? `${user.name} (you)` : user.name}
              </option>
            ))}
          </Select>
          {conversation.status !== "pending" && conversation.status !== "resolved" && (
            <Button variant="secondary" disabled={busy} onClick={() => setStatus("pending")}>
              Pending
            </Button>
          )}
          {conversation.status !== "resolved" && (
            <Select aria-label="Snooze" value="" disabled={busy} onChange={(e) => onSnoozeChoice(e.target.value)} className="py-2">
              <option value="" disabled>
                Snooze…
              </option>
              {snoozePresets(new Date()).map((preset) => (
                <option key={preset.value} value={preset.value}>
                  {preset.label}
                </option>
              ))}
              <option value="custom">Pick a date and time…</option>
            </Select>
          )}
          {conversation.status === "resolved" || conversation.status === "pending" || conversation.status === "snoozed" ? (
            <Button variant={conversation.status === "resolved" ? "primary" : "secondary"} disabled={busy} onClick={() => setStatus("open")}>
              Reopen
            </Button>
          ) : null}
          {conversation.status !== "resolved" && (
            <Button disabled={busy} onClick={() => setStatus("resolved")} title="Resolve (e)">
              Resolve
            </Button>
          )}
        </div>
      </div>
      {customSnooze !== null && (
        <form
          aria-label="Snooze until"
          className="mt-2 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            const until = new Date(customSnooze);
            if (!Number.isNaN(until.getTime())) setStatus("snoozed", until);
            setCustomSnooze(null);
          }}
        >
          <label className="text-sm">
            <span className="mb-1 block text-xs font-medium text-slate-600">Snooze until</span>
            <input
              type="datetime-local"
              required
              value={customSnooze}
              min={toLocalInputValue(new Date())}
              onChange={(e) => setCustomSnooze(e.target.value)}
              className="rounded-md border border-slate-300 px-2 py-1.5 text-sm"
            />
          </label>
          <Button type="submit">Snooze</Button>
          <Button type="button" variant="secondary" onClick={() => setCustomSnooze(null)}>
            Cancel
          </Button>
        </form>
      )}
      {update.error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {update.error.message}
        </p>
      )}
    </header>
  );
}
