"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { errorPath, Loading, LoadError } from "./shared";

export interface DestinationFormValues {
  name: string;
  url: string;
  event_types: string[];
  enabled: boolean;
}

/**
 * Create / edit form. URL problems (SSRF rules, DNS) come back from the API as 422 with
 * `path: "url"` and a reason, shown under the field; anything else above the buttons.
 */
export function DestinationForm({
  initial,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  initial?: DestinationFormValues;
  submitLabel: string;
  pending: boolean;
  error: { message: string } | null;
  onSubmit: (values: DestinationFormValues) => void;
  onCancel?: () => void;
}) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.automation.eventTypes.queryOptions());
  const [selected, setSelected] = useState<string[]>(initial?.event_types ?? []);
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [localError, setLocalError] = useState("");
  const path = errorPath(error);
  const fieldMessage = (field: string) => (path === field || path?.startsWith(`${field}.`) ? error?.message.replace(new RegExp(`^${field}(\\.\\d+)?: `), "") : undefined);
  const generalError = error && !["name", "url", "event_types"].some((f) => fieldMessage(f)) ? error.message : "";

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (selected.length === 0) {
      setLocalError("Pick at least one event type.");
      return;
    }
    setLocalError("");
    onSubmit({ name: String(form.get("name")).trim(), url: String(form.get("url")).trim(), event_types: selected, enabled });
  }

  const toggle = (type: string) => setSelected((current) => (current.includes(type) ? current.filter((t) => t !== type) : [...current, type]));

  return (
    <form onSubmit={submit} className="space-y-4" aria-label={submitLabel}>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field label="Name" error={fieldMessage("name")}>
          <Input name="name" required maxLength={120} defaultValue={initial?.name} placeholder="Activepieces" />
        </Field>
        <Field label="URL" error={fieldMessage("url")} hint="An Activepieces Catch Webhook URL or any HTTPS receiver. Private and internal addresses are refused.">
          <Input name="url" required maxLength={2048} defaultValue={initial?.url} placeholder="https://cloud.activepieces.com/api/v1/webhooks/…" aria-invalid={Boolean(fieldMessage("url"))} />
        </Field>
      </div>

      <fieldset className="space-y-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">Event types</legend>
        {catalog.isPending && <Loading what="the event catalog" />}
        {catalog.isError && <LoadError what="the event catalog" error={catalog.error} retry={() => void catalog.refetch()} />}
        {catalog.data && (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white">
            {catalog.data.items
              .filter((item) => item.subscribable)
              .map((item) => (
                <li key={item.type} className="px-3 py-2">
                  <label className="flex items-start gap-2 text-sm">
                    <input type="checkbox" className="mt-1" checked={selected.includes(item.type)} onChange={() => toggle(item.type)} name="event_types" value={item.type} />
                    <span>
                      <span className="font-mono font-medium">{item.type}</span>
                      <span className="block text-slate-500">{item.description}</span>
                    </span>
                  </label>
                  <details className="ml-6 mt-1 text-xs">
                    <summary className="cursor-pointer text-slate-500">Sample payload</summary>
                    <pre className="mt-1 max-h-64 overflow-auto rounded bg-slate-900 p-2 text-slate-100">{JSON.stringify(item.sample, null, 2)}</pre>
                  </details>
                </li>
              ))}
          </ul>
        )}
        {(localError || fieldMessage("event_types")) && (
          <p role="alert" className="text-xs text-red-700">
            {localError || fieldMessage("event_types")}
          </p>
        )}
      </fieldset>

      <label className="flex items-center gap-3 text-sm">
        <button
          type="button"
          role="switch"
          aria-checked={enabled}
          aria-label="Enabled"
          onClick={() => setEnabled((v) => !v)}
          className={`relative h-6 w-11 rounded-full transition ${enabled ? "bg-brand-600" : "bg-slate-300"}`}
        >
          <span className={`absolute top-0.5 h-5 w-5 rounded-full bg-white shadow transition ${enabled ? "left-5" : "left-0.5"}`} />
        </button>
        <span>{enabled ? "Enabled: events are delivered" : "Disabled: nothing is sent (test events still are)"}</span>
      </label>

      {generalError && <Alert>{generalError}</Alert>}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </Button>
        {onCancel && (
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
