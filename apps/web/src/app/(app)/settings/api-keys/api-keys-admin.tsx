"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert, Button, EmptyState, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { absoluteTime, Loading, LoadError, relativeTime, ShownOnce } from "../automations/shared";

const ROLES = ["admin", "manager", "agent"] as const;
type Role = (typeof ROLES)[number];

export function ApiKeysAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const [revealed, setRevealed] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess: (k) => (setRevealed({ name: k.name, key: k.key }), void invalidate()) }));
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: () => (setConfirming(null), void invalidate()) }));

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    create.mutate({ name: String(form.get("name")).trim(), role: String(form.get("role")) as Role }, { onSuccess: () => formElement.reset() });
  }

  return (
    <div className="space-y-6">
      <div>
        <h2 className="text-base font-semibold">API keys</h2>
        <p className="text-sm text-slate-500">
          For the REST API (<code>Authorization: Bearer alf_…</code>), e.g. from an Activepieces HTTP step. A key acts as the admin who created it, never above its own role,
          and stops working when revoked or when its creator is deactivated.
        </p>
      </div>

      {revealed && (
        <ShownOnce title={`API key "${revealed.name}"`} value={revealed.key} onDismiss={() => setRevealed(null)}>
          <p className="text-sm text-amber-900">Only a hash is stored: nobody, Alfred included, can show this key again.</p>
        </ShownOnce>
      )}

      {revoke.error && <Alert>{revoke.error.message}</Alert>}
      {keys.isPending && <Loading what="API keys" />}
      {keys.isError && <LoadError what="API keys" error={keys.error} retry={() => void keys.refetch()} />}
      {keys.data && keys.data.items.length === 0 && <EmptyState title="No API keys yet">Create one below to call the REST API from scripts and automations.</EmptyState>}
      {keys.data && keys.data.items.length > 0 && (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">Name</th>
              <th className="px-3 py-2">Key</th>
              <th className="px-3 py-2">Role</th>
              <th className="px-3 py-2">Created</th>
              <th className="px-3 py-2">Last used</th>
              <th className="px-3 py-2 text-right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.items.map((key) => (
              <tr key={key.id} className="border-t border-slate-100 align-top" data-testid={`api-key-${key.name}`}>
                <td className="px-3 py-2 font-medium">{key.name}</td>
                <td className="px-3 py-2 font-mono text-xs text-slate-600">{key.prefix}…</td>
                <td className="px-3 py-2">{key.role}</td>
                <td className="px-3 py-2 text-slate-600" title={absoluteTime(key.created_at)}>
                  {relativeTime(key.created_at)}
                </td>
                <td className="px-3 py-2 text-slate-600" title={key.last_used_at ? absoluteTime(key.last_used_at) : undefined}>
                  {relativeTime(key.last_used_at)}
                </td>
                <td className="px-3 py-2 text-right">
                  {key.revoked_at ? (
                    <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-500">revoked {relativeTime(key.revoked_at)}</span>
                  ) : confirming === key.id ? (
                    <span className="inline-flex gap-2" role="alertdialog" aria-label={`Revoke ${key.name}`}>
                      <Button variant="danger" onClick={() => revoke.mutate({ id: key.id })} disabled={revoke.isPending}>
                        {revoke.isPending ? "Revoking…" : "Revoke now"}
                      </Button>
                      <Button variant="secondary" onClick={() => setConfirming(null)}>
                        Cancel
                      </Button>
                    </span>
                  ) : (
                    <Button variant="danger" onClick={() => setConfirming(key.id)}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirming && <p className="text-sm text-slate-600">Revoking stops the key at once: anything still using it gets 401.</p>}

      <form onSubmit={onCreate} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5" aria-label="Create an API key">
        <h3 className="font-semibold">Create an API key</h3>
        {create.error && <Alert>{create.error.message}</Alert>}
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field label="Name" hint="Where it is used, e.g. “Activepieces production”.">
            <Input name="name" required maxLength={120} />
          </Field>
          <Field label="Role" hint="The most the key may do; choose the lowest that works.">
            <Select name="role" defaultValue="manager" className="w-full py-2">
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
      </form>
    </div>
  );
}
