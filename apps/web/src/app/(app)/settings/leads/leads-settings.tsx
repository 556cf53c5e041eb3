"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { Loading, LoadError } from "../automations/shared";

/** Workspace lead settings: how long a lead may stay quiet before its assignee is reminded. */
export function LeadsSettings() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.settings.get.queryOptions());
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: (next) => {
        queryClient.setQueryData(trpc.settings.get.queryKey(), next);
        setSaved(true);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const days = Number(new FormData(event.currentTarget).get("lead_stall_days"));
    update.mutate({ lead_stall_days: days });
  }

  return (
    <div className="space-y-6">
      <div>
        <h2 className="text-base font-semibold">Leads</h2>
        <p className="text-sm text-slate-500">
          A lead (a contact with an open lead task) whose conversations have been quiet for the stall period is flagged: its assignee, or the admins when nobody is
          assigned, get a &ldquo;Lead stalled&rdquo; notification, at most once per period. Lead scores move with each classified customer message.
        </p>
      </div>
      {settings.isPending && <Loading what="lead settings" />}
      {settings.isError && <LoadError what="lead settings" error={settings.error} retry={() => void settings.refetch()} />}
      {settings.data && (
        <form onSubmit={onSubmit} aria-label="Lead settings" className="max-w-sm space-y-3 rounded-lg border border-slate-200 bg-white p-4">
          <Field label="Stall period (days)" hint="1 to 365 days; 7 by default." error={update.error?.message}>
            <Input key={settings.data.lead_stall_days} name="lead_stall_days" type="number" min={1} max={365} step={1} required defaultValue={settings.data.lead_stall_days} onChange={() => setSaved(false)} className="w-28" />
          </Field>
          <div className="flex items-center gap-3">
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save"}
            </Button>
            {saved && <Alert tone="success">Saved.</Alert>}
          </div>
        </form>
      )}
    </div>
  );
}
