"use client";

import type { RuleEventType } from "@alfred/rules";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert, Button, EmptyState, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { absoluteTime, Loading, LoadError, relativeTime } from "../automations/shared";
import { ACTION_FIELDS, ACTION_LABELS, definitionToForm, emptyForm, EVENT_TYPES, fieldOptions, formToDefinition, OPERATOR_LABELS, type RuleForm } from "./form-model";

type Editing = { id: string | null; name: string; definition: Record<string, unknown> };

/** Settings -> Rules: the workspace's rules, a form editor with a dry run, the execution log, and flows from words. */
export function RulesAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.rules.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.rules.list.queryKey() });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [logFor, setLogFor] = useState<string | null>(null);
  const toggle = useMutation(trpc.rules.update.mutationOptions({ onSuccess: () => void invalidate() }));
  const remove = useMutation(trpc.rules.delete.mutationOptions({ onSuccess: () => void invalidate() }));

  return (
    <div className="space-y-8">
      <div>
        <h2 className="text-base font-semibold">Rules</h2>
        <p className="text-sm text-slate-500">
          A rule runs in the background on every event of its trigger (a WhatsApp message arriving, a task created…): when its conditions hold, its actions run once for that
          event. A rule never re-triggers itself through its own actions.
        </p>
      </div>

      {toggle.error && <Alert>{toggle.error.message}</Alert>}
      {remove.error && <Alert>{remove.error.message}</Alert>}
      {rules.isPending && <Loading what="rules" />}
      {rules.isError && <LoadError what="rules" error={rules.error} retry={() => void rules.refetch()} />}
      {rules.data && rules.data.items.length === 0 && !editing && <EmptyState title="No rules yet">Create one below, or describe a flow in words.</EmptyState>}
      {rules.data && rules.data.items.length > 0 && (
        <table className="w-full overflow-hidden rounded-lg border border-slate-200 bg-white text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">Name</th>
              <th className="px-3 py-2">Trigger</th>
              <th className="px-3 py-2">Enabled</th>
              <th className="px-3 py-2">Changed</th>
              <th className="px-3 py-2 text-right">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rules.data.items.map((rule) => (
              <tr key={rule.id} className="border-t border-slate-100" data-testid={`rule-${rule.name}`}>
                <td className="px-3 py-2 font-medium">{rule.name}</td>
                <td className="px-3 py-2 font-mono text-xs">{rule.event_type}</td>
                <td className="px-3 py-2">
                  <label className="inline-flex items-center gap-2">
                    <input type="checkbox" checked={rule.enabled} onChange={(e) => toggle.mutate({ id: rule.id, enabled: e.target.checked })} aria-label={`Enabled: ${rule.name}`} />
                    {rule.enabled ? "on" : "off"}
                  </label>
                </td>
                <td className="px-3 py-2 text-slate-600" title={absoluteTime(rule.updated_at)}>
                  {relativeTime(rule.updated_at)} (v{rule.version})
                </td>
                <td className="space-x-2 px-3 py-2 text-right">
                  <Button variant="secondary" onClick={() => setEditing({ id: rule.id, name: rule.name, definition: rule.definition })}>
                    Edit
                  </Button>
                  <Button variant="secondary" onClick={() => setLogFor(rule.id)}>
                    Log
                  </Button>
                  <Button variant="danger" onClick={() => window.confirm(`Delete the rule "${rule.name}" and its log?`) && remove.mutate({ id: rule.id })}>
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {editing ? (
        <RuleEditor key={editing.id ?? "new"} editing={editing} onDone={() => (setEditing(null), void invalidate())} />
      ) : (
        <Button onClick={() => setEditing({ id: null, name: "", definition: formToDefinition(emptyForm()) })}>New rule</Button>
      )}

      <ExecutionLog ruleId={logFor} onAll={() => setLogFor(null)} />
      <FlowFromText />
    </div>
  );
}

function RuleEditor({ editing, onDone }: { editing: Editing; onDone: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState(editing.name);
  const initialForm = definitionToForm(editing.definition);
  const [form, setForm] = useState<RuleForm>(initialForm ?? emptyForm());
  const [jsonView, setJsonView] = useState(initialForm === null);
  const [json, setJson] = useState(JSON.stringify(editing.definition, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [eventId, setEventId] = useState("");
  const users = useQuery(trpc.users.list.queryOptions());
  const destinations = useQuery(trpc.automation.destinations.names.queryOptions());
  const recent = useQuery(trpc.rules.recentEvents.queryOptions({ event_type: form.eventType, limit: 20 }));
  const simulate = useMutation(trpc.rules.simulateDraft.mutationOptions());
  const validate = useMutation(trpc.rules.validate.mutationOptions());
  const create = useMutation(trpc.rules.create.mutationOptions({ onSuccess: onDone }));
  const update = useMutation(trpc.rules.update.mutationOptions({ onSuccess: onDone }));

  /** The definition as it stands: the JSON text in the JSON view, else the form's. */
  function definition(): Record<string, unknown> | null {
    if (!jsonView) return formToDefinition(form);
    try {
      const parsed = JSON.parse(json) as unknown;
      setJsonError(null);
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : null;
    } catch (err) {
      setJsonError(`not JSON: ${(err as Error).message}`);
      return null;
    }
  }

  function switchView() {
    if (jsonView) {
      const d = definition();
      const back = d && definitionToForm(d);
      if (!back) return setJsonError("the form cannot show this definition (nested groups or advanced options): keep editing it as JSON");
      setForm(back);
      setJsonView(false);
    } else {
      setJson(JSON.stringify(formToDefinition(form), null, 2));
      setJsonView(true);
    }
  }

  const set = (patch: Partial<RuleForm>) => setForm((f) => ({ ...f, ...patch }));
  const fields = fieldOptions(form.eventType);
  const problems = validate.data && !validate.data.ok ? validate.data.errors : [];
  const saveError = create.error ?? update.error;

  function onSave() {
    const d = definition();
    if (!d) return;
    if (editing.id) update.mutate({ id: editing.id, name, definition: d });
    else create.mutate({ name, definition: d });
  }

  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-5" aria-label="Rule editor">
      <div className="flex items-center justify-between">
        <h3 className="font-semibold">{editing.id ? `Edit "${editing.name}"` : "New rule"}</h3>
        <Button variant="secondary" onClick={switchView}>
          {jsonView ? "Form view" : "JSON view"}
        </Button>
      </div>
      <Field label="Name">
        <Input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} required aria-label="Rule name" />
      </Field>

      {jsonView ? (
        <Field label="Definition (JSON)" hint="Version 1: trigger, conditions (all/any groups), actions. The form shows one group of tests.">
          <textarea className="h-72 w-full rounded-md border border-slate-300 p-2 font-mono text-xs" value={json} onChange={(e) => setJson(e.target.value)} aria-label="Definition JSON" />
        </Field>
      ) : (
        <>
          <Field label="When">
            <Select value={form.eventType} onChange={(e) => set({ eventType: e.target.value as RuleEventType, tests: [] })} aria-label="Trigger" className="w-full py-2">
              {EVENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </Select>
          </Field>

          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">
              If{" "}
              <Select value={form.match} onChange={(e) => set({ match: e.target.value as "all" | "any" })} aria-label="Match">
                <option value="all">all</option>
                <option value="any">any</option>
              </Select>{" "}
              of these hold
            </legend>
            {form.tests.map((test, i) => (
              <div key={i} className="flex gap-2" data-testid={`condition-${i}`}>
                <Select value={test.path} onChange={(e) => set({ tests: form.tests.map((t, j) => (j === i ? { ...t, path: e.target.value } : t)) })} aria-label={`Condition ${i + 1} field`}>
                  {!fields.some((f) => f.path === test.path) && <option value={test.path}>{test.path}</option>}
                  {fields.map((f) => (
                    <option key={f.path} value={f.path}>
                      {f.path}
                    </option>
                  ))}
                </Select>
                <Select value={test.op} onChange={(e) => set({ tests: form.tests.map((t, j) => (j === i ? { ...t, op: e.target.value } : t)) })} aria-label={`Condition ${i + 1} operator`}>
                  {Object.entries(OPERATOR_LABELS).map(([op, label]) => (
                    <option key={op} value={op}>
                      {label}
                    </option>
                  ))}
                </Select>
                {test.op !== "is_set" && (
                  <Input value={test.value} onChange={(e) => set({ tests: form.tests.map((t, j) => (j === i ? { ...t, value: e.target.value } : t)) })} aria-label={`Condition ${i + 1} value`} />
                )}
                <Button variant="secondary" onClick={() => set({ tests: form.tests.filter((_, j) => j !== i) })} aria-label={`Remove condition ${i + 1}`}>
                  ×
                </Button>
              </div>
            ))}
            <Button variant="secondary" onClick={() => set({ tests: [...form.tests, { path: fields[0]?.path ?? "event.body", op: "contains", value: "" }] })}>
              Add condition
            </Button>
            {form.tests.length === 0 && <p className="text-xs text-slate-500">No conditions: the rule acts on every {form.eventType} event.</p>}
          </fieldset>

          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">Then</legend>
            {form.actions.map((action, i) => (
              <div key={i} className="flex flex-wrap items-end gap-2 rounded-md border border-slate-100 p-2" data-testid={`action-${i}`}>
                <Select
                  value={action.type}
                  onChange={(e) => set({ actions: form.actions.map((a, j) => (j === i ? { type: e.target.value, params: {} } : a)) })}
                  aria-label={`Action ${i + 1}`}
                >
                  {Object.entries(ACTION_LABELS).map(([type, label]) => (
                    <option key={type} value={type}>
                      {label}
                    </option>
                  ))}
                </Select>
                {(ACTION_FIELDS[action.type] ?? []).map((field) => {
                  const value = action.params[field.name] ?? "";
                  const change = (v: string) => set({ actions: form.actions.map((a, j) => (j === i ? { ...a, params: { ...a.params, [field.name]: v } } : a)) });
                  const label = `Action ${i + 1} ${field.label}`;
                  if (field.kind === "text") return <Input key={field.name} placeholder={field.label} value={value} onChange={(e) => change(e.target.value)} aria-label={label} className="min-w-48 flex-1" />;
                  const options =
                    field.kind === "select"
                      ? (field.options ?? []).map((o) => ({ value: o, label: o }))
                      : field.kind === "user"
                        ? (users.data?.items ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.role})` }))
                        : (destinations.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }));
                  return (
                    <Select key={field.name} value={value} onChange={(e) => change(e.target.value)} aria-label={label}>
                      <option value="">{field.label}…</option>
                      {options.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                    </Select>
                  );
                })}
                <Button variant="secondary" onClick={() => set({ actions: form.actions.filter((_, j) => j !== i) })} aria-label={`Remove action ${i + 1}`}>
                  ×
                </Button>
              </div>
            ))}
            <Button variant="secondary" onClick={() => set({ actions: [...form.actions, { type: "create_task", params: { title: "", due_in: "1d" } }] })}>
              Add action
            </Button>
          </fieldset>
        </>
      )}

      {jsonError && <Alert>{jsonError}</Alert>}
      {problems.length > 0 && (
        <Alert>
          <ul className="list-disc pl-4">
            {problems.map((p) => (
              <li key={`${p.path}${p.message}`}>
                <code>{p.path}</code>: {p.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {validate.data?.ok && <Alert tone="success">The rule compiles.</Alert>}

      <div className="space-y-2 rounded-md bg-slate-50 p-3">
        <h4 className="text-sm font-semibold">Simulate before saving</h4>
        <div className="flex flex-wrap gap-2">
          <Select value={eventId} onChange={(e) => setEventId(e.target.value)} aria-label="Event to simulate against" className="min-w-72">
            <option value="">{recent.data?.items.length ? "A recent event…" : `No recent ${form.eventType} events`}</option>
            {recent.data?.items.map((e) => (
              <option key={e.id} value={e.id}>
                {relativeTime(e.occurred_at)} · {e.type} {e.summary ? `· ${e.summary}` : ""}
              </option>
            ))}
          </Select>
          <Button
            variant="secondary"
            disabled={!eventId || simulate.isPending}
            onClick={() => {
              const d = definition();
              if (d) simulate.mutate({ definition: d, event_id: eventId });
            }}
          >
            {simulate.isPending ? "Simulating…" : "Simulate"}
          </Button>
          <Button
            variant="secondary"
            onClick={() => {
              const d = definition();
              if (d) validate.mutate({ definition: d });
            }}
          >
            Check
          </Button>
        </div>
        {simulate.error && <Alert>{simulate.error.message}</Alert>}
        {simulate.data && (
          <div className="space-y-1 text-sm" data-testid="simulation">
            <p className={simulate.data.matched ? "font-medium text-emerald-700" : "font-medium text-slate-700"}>{simulate.data.summary}</p>
            <ul className="list-disc pl-5 text-slate-600">
              {simulate.data.conditions.map((c, i) => (
                <li key={i}>{c.text}</li>
              ))}
            </ul>
            {simulate.data.actions.length > 0 && (
              <ol className="list-decimal pl-5">
                {simulate.data.actions.map((a, i) => (
                  <li key={i}>
                    {a.text}
                    {a.skipped ? ` (skipped: ${a.skipped})` : ""}
                  </li>
                ))}
              </ol>
            )}
          </div>
        )}
      </div>

      {saveError && <Alert>{saveError.message}</Alert>}
      <div className="flex gap-2">
        <Button onClick={onSave} disabled={!name.trim() || create.isPending || update.isPending}>
          {create.isPending || update.isPending ? "Saving…" : "Save rule"}
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </section>
  );
}

function ExecutionLog({ ruleId, onAll }: { ruleId: string | null; onAll: () => void }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.rules.executions.queryOptions({ rule_id: ruleId ?? undefined, limit: 25 }, { refetchInterval: 5_000 }));
  return (
    <section className="space-y-2" aria-label="Execution log">
      <div className="flex items-center justify-between">
        <h3 className="font-semibold">Execution log{ruleId ? " (one rule)" : ""}</h3>
        {ruleId && (
          <Button variant="secondary" onClick={onAll}>
            All rules
          </Button>
        )}
      </div>
      {log.isError && <LoadError what="executions" error={log.error} />}
      {log.data && log.data.items.length === 0 && <p className="text-sm text-slate-500">Nothing has run yet.</p>}
      {log.data && log.data.items.length > 0 && (
        <table className="w-full rounded-lg border border-slate-200 bg-white text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">When</th>
              <th className="px-3 py-2">Event</th>
              <th className="px-3 py-2">Matched</th>
              <th className="px-3 py-2">Actions</th>
            </tr>
          </thead>
          <tbody>
            {log.data.items.map((x) => (
              <tr key={x.id} className="border-t border-slate-100 align-top" data-testid="execution">
                <td className="px-3 py-2 text-slate-600" title={absoluteTime(x.created_at)}>
                  {relativeTime(x.created_at)}
                </td>
                <td className="px-3 py-2 font-mono text-xs">
                  {x.event_type}
                  {x.flow_id && <span className="ml-1 text-slate-500">{x.step === null ? "flow start" : `flow step ${x.step + 1}`}</span>}
                </td>
                <td className="px-3 py-2">{x.matched ? "yes" : x.skipped ? `skipped (${x.skipped.replace(/_/g, " ")})` : "no"}</td>
                <td className="px-3 py-2">
                  {x.actions.map((a, i) => (
                    <div key={i} className={a.outcome === "failed" ? "text-red-700" : a.outcome === "skipped" ? "text-slate-500" : ""}>
                      {a.type}: {a.outcome}
                      {a.detail ? ` — ${a.detail}` : ""}
                    </div>
                  ))}
                  {x.errors.length > 0 && x.actions.length === 0 && <div className="text-red-700">{x.errors.join("; ")}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function FlowFromText() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [name, setName] = useState("");
  const build = useMutation(trpc.flows.fromText.mutationOptions());
  const flows = useQuery(trpc.flows.list.queryOptions());
  const save = useMutation(trpc.flows.create.mutationOptions({ onSuccess: () => (build.reset(), void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() })) }));
  const toggle = useMutation(trpc.flows.update.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() }) }));
  const result = build.data;

  return (
    <section className="space-y-3 rounded-lg border border-slate-200 bg-white p-5" aria-label="Describe a flow in words">
      <h3 className="font-semibold">Describe it in words</h3>
      <p className="text-sm text-slate-500">
        For example: “when a WhatsApp message mentions price, assign it to any online agent and create a follow-up task for tomorrow” or “quando uma mensagem do WhatsApp mencionar
        preço, atribuir a qualquer agente online e criar uma tarefa para amanhã”. You get a flow to review; nothing is saved until you save it.
      </p>
      <textarea className="h-20 w-full rounded-md border border-slate-300 p-2 text-sm" value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} aria-label="Instruction" />
      <Button onClick={() => build.mutate({ text })} disabled={!text.trim() || build.isPending}>
        {build.isPending ? "Reading…" : "Build flow"}
      </Button>
      {build.error && <Alert>{build.error.message}</Alert>}
      {result && (
        <div className="space-y-2 text-sm" data-testid="flow-from-text">
          <p className="text-xs text-slate-500">Read by: {result.provider.label}</p>
          {result.understood.length > 0 && (
            <ul className="list-disc pl-5">
              {result.understood.map((u) => (
                <li key={u}>{u}</li>
              ))}
            </ul>
          )}
          {!result.ok && (
            <Alert>
              {result.message}
              {result.errors.map((e) => (
                <div key={e.path + e.message}>
                  <code>{e.path}</code>: {e.message}
                </div>
              ))}
            </Alert>
          )}
          {result.ok && result.definition && (
            <>
              <pre className="max-h-72 overflow-auto rounded-md bg-slate-50 p-2 text-xs">{JSON.stringify(result.definition, null, 2)}</pre>
              <div className="flex gap-2">
                <Input placeholder="Flow name" value={name} onChange={(e) => setName(e.target.value)} aria-label="Flow name" />
                <Button disabled={!name.trim() || save.isPending} onClick={() => save.mutate({ name, definition: result.definition!, source_prompt: text })}>
                  Save flow (disabled)
                </Button>
              </div>
              {save.error && <Alert>{save.error.message}</Alert>}
            </>
          )}
        </div>
      )}
      {flows.data && flows.data.items.length > 0 && (
        <ul className="divide-y divide-slate-100 text-sm">
          {flows.data.items.map((flow) => (
            <li key={flow.id} className="flex items-center justify-between py-2" data-testid={`flow-${flow.name}`}>
              <span>
                <span className="font-medium">{flow.name}</span> <span className="font-mono text-xs text-slate-500">{flow.event_type}</span>
              </span>
              <label className="inline-flex items-center gap-2">
                <input type="checkbox" checked={flow.enabled} onChange={(e) => toggle.mutate({ id: flow.id, enabled: e.target.checked })} aria-label={`Enabled: ${flow.name}`} />
                {flow.enabled ? "on" : "off"}
              </label>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
