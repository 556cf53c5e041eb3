"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CHANNEL_LABELS } from "~/components/inbox/format";
import { ChannelBadge } from "~/components/inbox/icons";
import type { Channel, ChannelType } from "~/components/inbox/types";
import { Alert, Button, EmptyState, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

export interface ChannelSpec {
  type: ChannelType;
  accountField: string | null;
  settings: { name: string; optional: boolean }[];
  secrets: string[];
}

const LABELS: Record<string, string> = {
  phone_number_id: "Phone number ID",
  access_token: "Access token",
  app_secret: "App secret",
  verify_token: "Verify token",
  api_base_url: "API base URL",
  page_id: "Page ID",
  page_access_token: "Page access token",
  instagram_account_id: "Instagram account ID",
  inbound_address: "Inbound address",
  from_address: "From address",
  signing_key: "Webhook signing key",
  smtp_url: "SMTP URL",
  secret: "Signing secret",
  send_url: "Send URL",
};

const HINTS: Record<string, string> = {
  api_base_url: "Optional. Defaults to Meta's Graph API; set it for a Cloud-API-compatible provider.",
  verify_token: "Any string you choose; enter the same one at Meta when subscribing the webhook.",
  app_secret: "Verifies the X-Hub-Signature-256 of every webhook.",
  inbound_address: "The address your e-mail provider forwards to the webhook below.",
  from_address: "Optional. Replies are sent from this address.",
  signing_key: "Your Mailgun HTTP webhook signing key.",
  smtp_url: "Optional, needed to reply: smtp(s)://user:password@host:port.",
  secret: "Verifies X-Alfred-Signature on inbound requests.",
  send_url: "Optional. Replies are POSTed here; without it the channel is receive-only.",
};

const URL_FIELDS = new Set(["api_base_url", "send_url"]);
const EMAIL_FIELDS = new Set(["inbound_address", "from_address"]);
/** Secrets a channel can be created without (mirrors the API's rule; the API has the last word). */
const OPTIONAL_SECRETS = new Set(["smtp_url"]);

const label = (name: string) => LABELS[name] ?? name.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());
const inputType = (name: string) => (URL_FIELDS.has(name) ? "url" : EMAIL_FIELDS.has(name) ? "email" : "text");
const webhookUrl = (origin: string, type: ChannelType) => `${origin}/api/v1/webhooks/${type}`;

function collectConfig(form: FormData, spec: ChannelSpec, previous?: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const { name } of spec.settings) {
    const value = String(form.get(name) ?? "").trim();
    if (value && value !== previous?.[name]) config[name] = value;
  }
  for (const name of spec.secrets) {
    const value = String(form.get(name) ?? "");
    if (value) config[name] = value;
  }
  return config;
}

export function ChannelsAdmin({ specs, origin }: { specs: ChannelSpec[]; origin: string }) {
  const trpc = useTRPC();
  const channels = useQuery(trpc.channels.list.queryOptions());
  const [notice, setNotice] = useState("");

  return (
    <div className="space-y-8">
      <div>
        <h2 className="text-base font-semibold">Channels</h2>
        <p className="text-sm text-slate-500">Connect WhatsApp, Messenger, Instagram, e-mail or your own integration. Secrets are encrypted and only ever shown masked after saving.</p>
      </div>

      {notice && <Alert tone="success">{notice}</Alert>}
      {channels.isPending && (
        <p className="text-sm text-slate-500" role="status">
          Loading channels…
        </p>
      )}
      {channels.isError && <Alert>Could not load channels: {channels.error.message}</Alert>}
      {channels.data && channels.data.items.length === 0 && <EmptyState title="No channels yet">Add your first channel below; conversations arrive once its webhook is configured.</EmptyState>}
      {channels.data && channels.data.items.length > 0 && (
        <ul aria-label="Channels" className="space-y-3">
          {channels.data.items.map((channel) => (
            <ChannelCard key={channel.id} channel={channel} spec={specs.find((s) => s.type === channel.type)!} origin={origin} onNotice={setNotice} />
          ))}
        </ul>
      )}

      <CreateChannel specs={specs} origin={origin} onCreated={(c) => setNotice(`${c.name} is connected. Configure the webhook URL shown on it at ${CHANNEL_LABELS[c.type]}.`)} />
    </div>
  );
}

function ChannelCard({ channel, spec, origin, onNotice }: { channel: Channel; spec: ChannelSpec; origin: string; onNotice: (n: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries(trpc.channels.list.pathFilter());
  const update = useMutation(trpc.channels.update.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.channels.delete.mutationOptions({ onSuccess: invalidate }));
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);
  const url = webhookUrl(origin, channel.type);
  const titleId = `channel-${channel.id}`;

  const onSave = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const config = collectConfig(form, spec, channel.config);
    // The API re-derives the account id from the merged settings on every settings change; send it
    // along so channels whose settings lack it (e.g. seeded ones) keep their account id.
    const accountValue = spec.accountField ? String(form.get(spec.accountField) ?? "").trim() : "";
    if (Object.keys(config).length && spec.accountField && accountValue) config[spec.accountField] = accountValue;
    update.mutate(
      { id: channel.id, name: String(form.get("name")).trim(), enabled: form.get("enabled") === "on", config: Object.keys(config).length ? config : undefined },
      {
        onSuccess: (saved) => {
          setEditing(false);
          onNotice(`${saved.name} saved.`);
        },
      },
    );
  };

  const copy = async () => {
    await navigator.clipboard?.writeText(url).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  const settings = spec.settings.filter(({ name }) => channel.config[name] !== undefined && name !== spec.accountField);
  const error = update.error ?? remove.error;
  return (
    <li aria-labelledby={titleId} className="rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center gap-3 px-4 py-3">
        <ChannelBadge type={channel.type} size="md" />
        <div className="min-w-0">
          <h3 id={titleId} className="font-medium text-slate-900">
            {channel.name}
          </h3>
          <p className="text-xs text-slate-500">{CHANNEL_LABELS[channel.type]}</p>
        </div>
        <label className="ml-auto inline-flex items-center gap-2 text-sm text-slate-600">
          <button
            type="button"
            role="switch"
            aria-checked={channel.enabled}
            aria-label={`${channel.name} enabled`}
            disabled={update.isPending}
            onClick={() => update.mutate({ id: channel.id, enabled: !channel.enabled })}
            className={`relative inline-flex h-5 w-9 items-center rounded-full transition ${channel.enabled ? "bg-emerald-500" : "bg-slate-300"}`}
          >
            <span className={`inline-block h-4 w-4 rounded-full bg-white shadow transition ${channel.enabled ? "translate-x-4.5" : "translate-x-0.5"}`} />
          </button>
          {channel.enabled ? "Enabled" : "Disabled"}
        </label>
        <Button variant="secondary" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
          {editing ? "Close" : "Edit"}
        </Button>
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Delete
        </Button>
      </div>

      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 border-t border-slate-100 px-4 py-3 text-sm sm:grid-cols-[11rem_1fr]">
        <dt className="text-slate-500">Account ID</dt>
        <dd className="font-mono text-xs leading-5 text-slate-800">{channel.account_id ?? "—"}</dd>
        <dt className="text-slate-500">Webhook URL</dt>
        <dd className="flex min-w-0 items-center gap-2">
          <code className="truncate rounded bg-slate-50 px-1.5 py-0.5 text-xs text-slate-800">{url}</code>
          <button type="button" onClick={() => void copy()} className="shrink-0 text-xs font-medium text-brand-700 hover:underline">
            {copied ? "Copied" : "Copy"}
          </button>
        </dd>
        {settings.map(({ name }) => (
          <div key={name} className="contents">
            <dt className="text-slate-500">{label(name)}</dt>
            <dd className="truncate text-xs leading-5 text-slate-800">{String(channel.config[name])}</dd>
          </div>
        ))}
        {Object.entries(channel.secrets_masked).map(([name, masked]) => (
          <div key={name} className="contents">
            <dt className="text-slate-500">{label(name)}</dt>
            <dd className="font-mono text-xs leading-5 text-slate-800" data-testid={`secret-${name}`}>
              {masked} <span className="font-sans text-slate-400">(hidden)</span>
            </dd>
          </div>
        ))}
      </dl>

      {error && (
        <div className="px-4 pb-3">
          <Alert>{error.message}</Alert>
        </div>
      )}

      {confirming && <ConfirmDelete channel={channel} pending={remove.isPending} onCancel={() => setConfirming(false)} onConfirm={() => remove.mutate({ id: channel.id }, { onSuccess: () => onNotice(`${channel.name} was deleted.`) })} />}

      {editing && (
        <form onSubmit={onSave} aria-label={`Edit ${channel.name}`} className="space-y-4 border-t border-slate-100 bg-slate-50 px-4 py-4">
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <Field label="Name">
              <Input name="name" defaultValue={channel.name} required maxLength={120} />
            </Field>
            <label className="flex items-center gap-2 self-end pb-2 text-sm">
              <input type="checkbox" name="enabled" defaultChecked={channel.enabled} className="h-4 w-4 accent-brand-600" />
              Enabled (receives webhooks and sends replies)
            </label>
            {spec.settings.map(({ name, optional }) => (
              <Field key={name} label={`${label(name)}${optional ? " (optional)" : ""}`} hint={HINTS[name]}>
                <Input name={name} type={inputType(name)} defaultValue={typeof channel.config[name] === "string" ? (channel.config[name] as string) : name === spec.accountField ? (channel.account_id ?? "") : ""} />
              </Field>
            ))}
            {spec.secrets.map((name) => (
              <Field key={name} label={`${label(name)} (replace)`} hint={channel.secrets_masked[name] ? `Current: ${channel.secrets_masked[name]}. Leave empty to keep it.` : "Not set. Leave empty to keep it unset."}>
                <Input name={name} type="password" autoComplete="new-password" placeholder="Unchanged" />
              </Field>
            ))}
          </div>
          <div className="flex gap-2">
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save changes"}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
    </li>
  );
}

function ConfirmDelete({ channel, pending, onCancel, onConfirm }: { channel: Channel; pending: boolean; onCancel: () => void; onConfirm: () => void }) {
  return (
    <div
      role="alertdialog"
      aria-labelledby={`delete-${channel.id}`}
      aria-describedby={`delete-${channel.id}-desc`}
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
      className="border-t border-red-100 bg-red-50 px-4 py-3"
    >
      <p id={`delete-${channel.id}`} className="font-medium text-red-900">
        Delete {channel.name}?
      </p>
      <p id={`delete-${channel.id}-desc`} className="mt-0.5 text-sm text-red-800">
        Its conversations and messages are deleted with it, and webhooks for it will be refused. This cannot be undone.
      </p>
      <div className="mt-3 flex gap-2">
        <Button variant="danger" className="border-red-600 bg-red-600 text-white hover:bg-red-700" onClick={onConfirm} disabled={pending}>
          {pending ? "Deleting…" : "Delete channel"}
        </Button>
        <Button autoFocus variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

function CreateChannel({ specs, origin, onCreated }: { specs: ChannelSpec[]; origin: string; onCreated: (c: Channel) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [type, setType] = useState<ChannelType>(specs[0]!.type);
  const spec = specs.find((s) => s.type === type)!;
  const create = useMutation(trpc.channels.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.channels.list.pathFilter()) }));

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    create.mutate(
      { type, name: String(form.get("name")).trim(), config: collectConfig(form, spec) },
      {
        onSuccess: (channel) => {
          formElement.reset();
          onCreated(channel);
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label="Add a channel" className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
      <h3 className="font-semibold">Add a channel</h3>
      {create.error && <Alert>{create.error.message}</Alert>}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field label="Type">
          <Select
            value={type}
            onChange={(e) => {
              setType(e.target.value as ChannelType);
              create.reset();
            }}
            className="w-full py-2"
          >
            {specs.map((s) => (
              <option key={s.type} value={s.type}>
                {CHANNEL_LABELS[s.type]}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Name" hint="Shown to agents in the inbox, e.g. “WhatsApp · Support”.">
          <Input name="name" required maxLength={120} />
        </Field>
        {spec.settings.map(({ name, optional }) => (
          <Field key={`${type}-${name}`} label={`${label(name)}${optional ? " (optional)" : ""}`} hint={HINTS[name]}>
            <Input name={name} type={inputType(name)} required={!optional} />
          </Field>
        ))}
        {spec.secrets.map((name) => (
          <Field key={`${type}-${name}`} label={`${label(name)}${OPTIONAL_SECRETS.has(name) ? " (optional)" : ""}`} hint={HINTS[name]}>
            <Input name={name} type="password" autoComplete="new-password" required={!OPTIONAL_SECRETS.has(name)} />
          </Field>
        ))}
      </div>
      <p className="text-sm text-slate-500">
        Webhook URL to configure at {CHANNEL_LABELS[type]}: <code className="rounded bg-slate-50 px-1.5 py-0.5 text-xs text-slate-800">{webhookUrl(origin, type)}</code>
      </p>
      <Button type="submit" disabled={create.isPending}>
        {create.isPending ? "Connecting…" : "Add channel"}
      </Button>
    </form>
  );
}
