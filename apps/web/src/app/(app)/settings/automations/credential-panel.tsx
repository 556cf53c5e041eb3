"use client";

import type { AppRouter } from "@alfred/api";
import { useMutation } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { errorPath } from "./shared";

type Destination = inferRouterOutputs<AppRouter>["automation"]["destinations"]["list"]["items"][number];

/**
 * The destination's static credential (Basic, or a named header): for Activepieces Catch Webhook
 * releases that offer Basic Auth / Header Auth but no HMAC. Its value is shown once, by the caller.
 */
export function CredentialPanel({ destination, onChanged, onSecret }: { destination: Destination; onChanged: () => void; onSecret: (value: string) => void }) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [kind, setKind] = useState<"header" | "basic">(destination.credential?.kind ?? "header");
  const set = useMutation(
    trpc.automation.destinations.setCredential.mutationOptions({
      onSuccess: (updated) => {
        setEditing(false);
        onSecret(updated.credential_secret);
        onChanged();
      },
    }),
  );
  const remove = useMutation(trpc.automation.destinations.removeCredential.mutationOptions({ onSuccess: onChanged }));
  const path = errorPath(set.error);
  const current = destination.credential;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const secret = String(form.get("secret") ?? "");
    const value = secret === "" ? undefined : secret;
    set.mutate({
      id: destination.id,
      credential: kind === "basic" ? { kind, username: name, password: value } : { kind, header_name: name, value },
    });
  };

  return (
    <div className="space-y-2 rounded-md border border-slate-200 p-3 text-sm" data-testid="credential-panel">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p>
          <span className="font-medium">Static credential: </span>
          {current === null && <span className="text-slate-500">none (the signatures alone)</span>}
          {current?.kind === "basic" && (
            <span>
              Basic, user <code>{current.username}</code>, password <code>{current.password_masked}</code>
            </span>
          )}
          {current?.kind === "header" && (
            <span>
              header <code>{current.header_name}</code>: <code>{current.value_masked}</code>
            </span>
          )}
        </p>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={() => (set.reset(), setEditing(!editing))}>
            {current ? "Replace / rotate" : "Add credential"}
          </Button>
          {current && (
            <Button variant="secondary" onClick={() => remove.mutate({ id: destination.id })} disabled={remove.isPending}>
              Remove
            </Button>
          )}
        </div>
      </div>
      <p className="text-xs text-slate-500">
        For Activepieces Catch Webhook releases without HMAC (Basic Auth or Header Auth): sent with every delivery next to the signatures. Its value is shown once and masked
        in the delivery log.
      </p>
      {remove.error && <Alert>{remove.error.message}</Alert>}
      {editing && (
        <form onSubmit={submit} className="grid gap-3 sm:grid-cols-3">
          <Field label="Kind">
            <Select value={kind} onChange={(e) => setKind(e.target.value as "header" | "basic")} aria-label="Credential kind">
              <option value="header">Header (Header Auth)</option>
              <option value="basic">Basic (Basic Auth)</option>
            </Select>
          </Field>
          <Field label={kind === "basic" ? "Username" : "Header name"} error={path === "credential.username" || path === "credential.header_name" ? set.error?.message : undefined}>
            <Input name="name" required defaultValue={current?.kind === "basic" ? current.username : current?.kind === "header" ? current.header_name : ""} placeholder={kind === "basic" ? "alfred" : "X-Alfred-Token"} />
          </Field>
          <Field
            label={kind === "basic" ? "Password" : "Value"}
            hint="Leave empty to generate a random one"
            error={path === "credential.password" || path === "credential.value" ? set.error?.message : undefined}
          >
            <Input name="secret" type="password" autoComplete="off" />
          </Field>
          <div className="flex gap-2 sm:col-span-3">
            <Button type="submit" disabled={set.isPending}>
              {set.isPending ? "Saving…" : "Save credential"}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </div>
          {set.error && !path?.startsWith("credential.") && <Alert>{set.error.message}</Alert>}
        </form>
      )}
    </div>
  );
}
