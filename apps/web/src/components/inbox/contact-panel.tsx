"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Alert, Button, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CHANNEL_LABELS, relativeTime, STATUS_LABELS } from "./format";
import { ChannelBadge } from "./icons";
import { useNow } from "./use-now";
import type { ChannelType, Contact, ConversationStatus, Task } from "./types";

export function ContactPanel({ contactId, conversationId, onOpenConversation }: { contactId: string; conversationId: string; onOpenConversation: (id: string) => void }) {
  const trpc = useTRPC();
  const contact = useQuery(trpc.contacts.get.queryOptions({ id: contactId }));
  return (
    <aside aria-label="Contact" className="hidden w-80 shrink-0 overflow-y-auto border-l border-slate-200 bg-white xl:block">
      {contact.isPending && (
        <p role="status" className="p-4 text-sm text-slate-500">
          Loading contact…
        </p>
      )}
      {contact.isError && (
        <div className="p-4">
          <Alert>Could not load the contact: {contact.error.message}</Alert>
        </div>
      )}
      {contact.data && <ContactDetails key={contact.data.id} contact={contact.data} />}
      <Tasks contactId={contactId} conversationId={conversationId} />
      <PreviousConversations contactId={contactId} currentId={conversationId} onOpen={onOpenConversation} />
    </aside>
  );
}

function Section({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <section className="border-b border-slate-100 p-4" aria-label={title}>
      <div className="mb-2 flex items-center">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
        <div className="ml-auto">{action}</div>
      </div>
      {children}
    </section>
  );
}

type AttributeRow = { key: string; value: string };
const attributeRows = (attributes: Record<string, unknown>): AttributeRow[] =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: typeof value === "string" ? value : JSON.stringify(value) }));

function ContactDetails({ contact }: { contact: Contact }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState(() => ({ name: contact.name ?? "", email: contact.email ?? "", phone: contact.phone ?? "", leadScore: String(contact.lead_score) }));
  const [attributes, setAttributes] = useState<AttributeRow[]>(() => attributeRows(contact.attributes));
  const [saved, setSaved] = useState(false);
  // The score moves on its own (each classified message): follow it unless the field is being edited.
  const shownScore = useRef(contact.lead_score);
  useEffect(() => {
    const previous = String(shownScore.current);
    shownScore.current = contact.lead_score;
    setForm((f) => (f.leadScore === previous ? { ...f, leadScore: String(contact.lead_score) } : f));
  }, [contact.lead_score]);
  const save = useMutation(
    trpc.contacts.update.mutationOptions({
      onSuccess: (updated) => {
        queryClient.setQueryData(trpc.contacts.get.queryKey({ id: updated.id }), updated);
        void queryClient.invalidateQueries(trpc.conversations.list.pathFilter());
        void queryClient.invalidateQueries(trpc.conversations.get.pathFilter());
        setAttributes(attributeRows(updated.attributes));
        setSaved(true);
      },
    }),
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const attrs: Record<string, unknown> = {};
    for (const row of attributes) if (row.key.trim()) attrs[row.key.trim()] = row.value;
    save.mutate({
      id: contact.id,
      name: form.name.trim() || null,
      email: form.email.trim() || null,
      phone: form.phone.trim() || null,
      // Sent only when edited here, so saving a name never overwrites a score that moved meanwhile.
      ...(form.leadScore !== String(contact.lead_score) ? { lead_score: Math.max(0, Math.min(100, Math.round(Number(form.leadScore) || 0))) } : {}),
      attributes: attrs,
    });
  };
  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => {
    setSaved(false);
    setForm((f) => ({ ...f, [field]: e.target.value }));
  };
  const score = Math.max(0, Math.min(100, Number(form.leadScore) || 0));

  return (
    <Section title="Contact">
      <form onSubmit={onSubmit} aria-label="Contact details" className="space-y-3">
        <SmallField label="Name">
          <Input value={form.name} onChange={set("name")} maxLength={200} />
        </SmallField>
        <SmallField label="E-mail">
          <Input type="email" value={form.email} onChange={set("email")} maxLength={254} />
        </SmallField>
        <SmallField label="Phone">
          <Input type="tel" value={form.phone} onChange={set("phone")} maxLength={40} />
        </SmallField>
        <SmallField label="Lead score">
          <div className="flex items-center gap-2">
            <Input type="number" min={0} max={100} value={form.leadScore} onChange={set("leadScore")} className="w-20" />
            <div className="h-2 flex-1 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
              <div className={`h-full rounded-full ${score >= 70 ? "bg-emerald-500" : score >= 40 ? "bg-amber-400" : "bg-slate-400"}`} style={{ width: `${score}%` }} />
            </div>
          </div>
        </SmallField>
        <fieldset>
          <legend className="mb-1 text-xs font-medium text-slate-600">Custom attributes</legend>
          {attributes.length === 0 && <p className="text-xs text-slate-400">None yet.</p>}
          <ul className="space-y-1.5">
            {attributes.map((row, index) => (
              <li key={index} className="flex gap-1.5">
                <Input
                  aria-label={`Attribute ${index + 1} name`}
                  placeholder="name"
                  value={row.key}
                  maxLength={100}
                  onChange={(e) => setAttributes((rows) => rows.map((r, i) => (i === index ? { ...r, key: e.target.value } : r)))}
                  className="w-28 px-2 py-1"
                />
                <Input
                  aria-label={`Attribute ${row.key || index + 1} value`}
                  placeholder="value"
                  value={row.value}
                  onChange={(e) => setAttributes((rows) => rows.map((r, i) => (i === index ? { ...r, value: e.target.value } : r)))}
                  className="min-w-0 flex-1 px-2 py-1"
                />
                <button
                  type="button"
                  aria-label={`Remove attribute ${row.key || index + 1}`}
                  onClick={() => setAttributes((rows) => rows.filter((_, i) => i !== index))}
                  className="rounded px-1.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setAttributes((rows) => [...rows, { key: "", value: "" }])} className="mt-1.5 text-xs font-medium text-brand-700 hover:underline">
            + Add attribute
          </button>
        </fieldset>
        {save.error && <Alert>{save.error.message}</Alert>}
        <div className="flex items-center gap-2">
          <Button type="submit" disabled={save.isPending} className="px-2.5 py-1.5">
            {save.isPending ? "Saving…" : "Save contact"}
          </Button>
          {saved && (
            <span role="status" className="text-xs text-emerald-700">
              Saved
            </span>
          )}
        </div>
      </form>
    </Section>
  );
}

function SmallField({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="block">
      <span className="mb-0.5 block text-xs font-medium text-slate-600">{label}</span>
      {children}
    </label>
  );
}

function Tasks({ contactId, conversationId }: { contactId: string; conversationId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const byContact = useQuery(trpc.tasks.list.queryOptions({ contact_id: contactId, limit: 50 }));
  const byConversation = useQuery(trpc.tasks.list.queryOptions({ conversation_id: conversationId, limit: 50 }));
  const tasks = useMemo(() => {
    const all = new Map<string, Task>();
    for (const task of [...(byConversation.data?.items ?? []), ...(byContact.data?.items ?? [])]) all.set(task.id, task);
    // Open first (soonest due first), then done.
    return [...all.values()].sort((a, b) => (a.status === b.status ? (a.due_at ?? "9").localeCompare(b.due_at ?? "9") : a.status === "open" ? -1 : 1));
  }, [byContact.data, byConversation.data]);
  const invalidate = () => queryClient.invalidateQueries(trpc.tasks.list.pathFilter());
  const create = useMutation(trpc.tasks.create.mutationOptions({ onSuccess: invalidate }));
  const toggle = useMutation(trpc.tasks.update.mutationOptions({ onSuccess: invalidate }));
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");

  const onCreate = (event: FormEvent) => {
    event.preventDefault();
    if (!title.trim()) return;
    create.mutate(
      { title: title.trim(), due_at: due ? new Date(due).toISOString() : undefined, conversation_id: conversationId, contact_id: contactId },
      {
        onSuccess: () => {
          setTitle("");
          setDue("");
        },
      },
    );
  };

  const loading = byContact.isPending || byConversation.isPending;
  const error = byContact.error ?? byConversation.error;
  const openCount = tasks.filter((t) => t.status === "open").length;
  return (
    <Section title={`Tasks${openCount ? ` (${openCount} open)` : ""}`}>
      {loading && (
        <p role="status" className="text-xs text-slate-500">
          Loading tasks…
        </p>
      )}
      {error && <Alert>Could not load tasks: {error.message}</Alert>}
      {!loading && !error && tasks.length === 0 && <p className="text-xs text-slate-400">No tasks for this contact.</p>}
      {(toggle.error ?? create.error) && <Alert>{(toggle.error ?? create.error)!.message}</Alert>}
      <ul className="space-y-1.5" aria-label="Tasks">
        {tasks.map((task) => (
          <li key={task.id} className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              className="mt-0.5 h-4 w-4 accent-brand-600"
              checked={task.status === "done"}
              disabled={toggle.isPending}
              aria-label={`${task.status === "done" ? "Reopen" : "Complete"} task: ${task.title}`}
              onChange={(e) => toggle.mutate({ id: task.id, status: e.target.checked ? "done" : "open" })}
            />
            <span className="min-w-0 flex-1">
              <span className={task.status === "done" ? "text-slate-400 line-through" : "text-slate-800"}>{task.title}</span>
              {task.lead && <span className="ml-1 rounded bg-violet-50 px-1 text-[10px] font-medium text-violet-700">lead</span>}
              {task.due_at && (
                <span className={`block text-xs ${task.overdue && task.status === "open" ? "font-medium text-red-700" : "text-slate-500"}`}>
                  {task.overdue && task.status === "open" ? "Overdue · " : "Due "}
                  {new Date(task.due_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}
                </span>
              )}
            </span>
          </li>
        ))}
      </ul>
      <form onSubmit={onCreate} aria-label="New task" className="mt-3 space-y-1.5">
        <Input aria-label="New task title" placeholder="Add a task…" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} className="px-2 py-1.5" />
        <div className="flex gap-1.5">
          <Input aria-label="Due" type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} className="min-w-0 flex-1 px-2 py-1 text-xs" />
          <Button type="submit" variant="secondary" disabled={create.isPending || !title.trim()} className="px-2.5 py-1">
            Add task
          </Button>
        </div>
      </form>
    </Section>
  );
}

function PreviousConversations({ contactId, currentId, onOpen }: { contactId: string; currentId: string; onOpen: (id: string) => void }) {
  const trpc = useTRPC();
  const now = useNow();
  const conversations = useQuery(trpc.contacts.conversations.queryOptions({ id: contactId }));
  const others = (conversations.data?.items ?? []).filter((c) => c.id !== currentId);
  return (
    <Section title="Previous conversations">
      {conversations.isPending && (
        <p role="status" className="text-xs text-slate-500">
          Loading…
        </p>
      )}
      {conversations.isError && <Alert>Could not load conversations: {conversations.error.message}</Alert>}
      {conversations.isSuccess && others.length === 0 && <p className="text-xs text-slate-400">This is the first conversation with this contact.</p>}
      <ul className="space-y-1">
        {others.map((c) => (
          <li key={c.id}>
            <button type="button" onClick={() => onOpen(c.id)} className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-slate-50">
              <ChannelBadge type={c.channel_type as ChannelType} />
              <span className="min-w-0 flex-1 truncate">{c.subject ?? CHANNEL_LABELS[c.channel_type as ChannelType] ?? c.channel_type}</span>
              <span className="text-xs text-slate-500">{STATUS_LABELS[c.status as ConversationStatus] ?? c.status}</span>
              <time dateTime={c.last_activity_at} className="text-xs text-slate-400">
                {relativeTime(c.last_activity_at, now)}
              </time>
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}
