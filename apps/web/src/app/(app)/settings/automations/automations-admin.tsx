"use client";

import type { AppRouter } from "@alfred/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState } from "react";
import { Alert, Button, EmptyState } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CredentialPanel } from "./credential-panel";
import { DestinationForm, type DestinationFormValues } from "./destination-form";
import { absoluteTime, Loading, LoadError, relativeTime, ShownOnce } from "./shared";
import { VerifyPanel } from "./verify-panel";

type Destination = inferRouterOutputs<AppRouter>["automation"]["destinations"]["list"]["items"][number];

const DISABLED_REASON: Record<NonNullable<Destination["disabled_reason"]>, string> = {
  manual: "disabled by an admin",
  auto_failures: "auto-disabled after failing for too long",
  gone: "auto-disabled: the receiver answered 410 Gone",
};

export function AutomationsAdmin({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.automation.destinations.list.queryOptions(undefined, { refetchInterval: 30_000 }));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.automation.destinations.list.queryKey() });
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<{ name: string; secret: string; why: "created" | "rotated" | "credential" } | null>(null);
  const create = useMutation(
    trpc.automation.destinations.create.mutationOptions({
      onSuccess: (created) => {
        setRevealed({ name: created.name, secret: created.secret, why: "created" });
        setCreating(false);
        void invalidate();
      },
    }),
  );

  return (
    <div className="space-y-6">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 className="text-base font-semibold">Automations</h2>
          <p className="text-sm text-slate-500">
            Destinations receive signed events (an Activepieces Catch Webhook, or any HTTPS receiver) and may call back to act in Alfred. Follow every delivery on the{" "}
            <Link href="/deliveries" className="text-brand-700 underline">
              Deliveries
            </Link>{" "}
            page.
          </p>
        </div>
        {!creating && (
          <Button
            onClick={() => {
              create.reset();
              setCreating(true);
            }}
          >
            New destination
          </Button>
        )}
      </div>

      {revealed && (
        <ShownOnce
          title={
            revealed.why === "created"
              ? `Signing secret of "${revealed.name}"`
              : revealed.why === "credential"
                ? `Static credential value of "${revealed.name}"`
                : `New signing secret of "${revealed.name}"`
          }
          value={revealed.secret}
          onDismiss={() => setRevealed(null)}
        >
          {revealed.why === "rotated" && (
            <p className="text-sm text-amber-900">
              The previous secret keeps signing (and verifying callbacks) for 24 hours, next to this one. <code>X-Alfred-Body-Signature</code>, which an Activepieces
              Catch Webhook checks against one secret, stays on the previous secret until then: paste this secret into the flow, then press &quot;Receiver updated&quot; on the
              destination.
            </p>
          )}
        </ShownOnce>
      )}

      {creating && (
        <section className="rounded-lg border border-slate-200 bg-white p-5">
          <h3 className="mb-4 font-semibold">New destination</h3>
          <DestinationForm
            submitLabel="Create destination"
            pending={create.isPending}
            error={create.error}
            onSubmit={(values) => create.mutate(values as Parameters<typeof create.mutate>[0])}
            onCancel={() => setCreating(false)}
          />
        </section>
      )}

      {list.isPending && <Loading what="destinations" />}
      {list.isError && <LoadError what="destinations" error={list.error} retry={() => void list.refetch()} />}
      {list.data && list.data.items.length === 0 && !creating && (
        <EmptyState title="No destinations yet">Create one to send Alfred&apos;s events (new messages, tasks, status changes…) to your automations.</EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <ul className="space-y-4">
          {list.data.items.map((destination) => (
            <DestinationCard
              key={destination.id}
              destination={destination}
              tenantId={tenantId}
              onChanged={invalidate}
              onSecret={(secret) => setRevealed({ name: destination.name, secret, why: "rotated" })}
              onCredential={(secret) => setRevealed({ name: destination.name, secret, why: "credential" })}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function StatusBadge({ destination }: { destination: Destination }) {
  if (destination.enabled) {
    return (
      <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700" data-testid="destination-status">
        {destination.failing_since ? `enabled, failing since ${relativeTime(destination.failing_since)}` : "enabled"}
      </span>
    );
  }
  const why = destination.disabled_reason ? DISABLED_REASON[destination.disabled_reason] : "disabled";
  return (
    <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${destination.disabled_reason === "manual" ? "bg-slate-100 text-slate-600" : "bg-red-50 text-red-700"}`} data-testid="destination-status">
      {destination.disabled_reason === "manual" ? "disabled" : "auto-disabled"}: {why}
      {destination.disabled_at ? ` (${relativeTime(destination.disabled_at)})` : ""}
    </span>
  );
}

function Health({ destination }: { destination: Destination }) {
  const { health } = destination;
  const rate = health.success_rate_24h === null ? "no attempts" : `${(health.success_rate_24h * 100).toFixed(health.success_rate_24h === 1 ? 0 : 1)} %`;
  return (
    <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-testid="destination-health">
      <div>
        <dt className="text-xs text-slate-500">Success (24 h)</dt>
        <dd className={health.success_rate_24h !== null && health.success_rate_24h < 0.9 ? "font-medium text-red-700" : "font-medium"}>{rate}</dd>
      </div>
      <div>
        <dt className="text-xs text-slate-500">p95 latency (24 h)</dt>
        <dd className="font-medium">{health.p95_latency_ms_24h === null ? "–" : `${health.p95_latency_ms_24h} ms`}</dd>
      </div>
      <div>
        <dt className="text-xs text-slate-500">Failed deliveries</dt>
        <dd className="font-medium">
          {health.failed_deliveries > 0 ? (
            <Link className="text-red-700 underline" href={`/deliveries?status=failed&destination=${destination.id}`}>
              {health.failed_deliveries}
            </Link>
          ) : (
            0
          )}
        </dd>
      </div>
      <div>
        <dt className="text-xs text-slate-500">Last failure</dt>
        <dd className="font-medium">
          {health.last_failure ? (
            <span title={`${absoluteTime(health.last_failure.at)}${health.last_failure.error ? `: ${health.last_failure.error}` : ""}`}>
              {health.last_failure.status_code ? `HTTP ${health.last_failure.status_code}` : (health.last_failure.error ?? "error")}, {relativeTime(health.last_failure.at)}
            </span>
          ) : (
            "none"
          )}
        </dd>
      </div>
    </dl>
  );
}

function DestinationCard({
  destination,
  tenantId,
  onChanged,
  onSecret,
  onCredential,
}: {
  destination: Destination;
  tenantId: string;
  onChanged: () => void;
  onSecret: (secret: string) => void;
  onCredential: (value: string) => void;
}) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<"view" | "edit" | "confirm-delete" | "confirm-rotate">("view");
  const [showVerify, setShowVerify] = useState(false);
  const [testDeliveryId, setTestDeliveryId] = useState<string | null>(null);
  const update = useMutation(trpc.automation.destinations.update.mutationOptions({ onSuccess: () => (setMode("view"), onChanged()) }));
  const remove = useMutation(trpc.automation.destinations.delete.mutationOptions({ onSuccess: onChanged }));
  const rotate = useMutation(
    trpc.automation.destinations.rotateSecret.mutationOptions({
      onSuccess: (rotated) => {
        setMode("view");
        onSecret(rotated.secret);
        onChanged();
      },
    }),
  );
  const test = useMutation(trpc.automation.destinations.test.mutationOptions({ onSuccess: (sent) => setTestDeliveryId(sent.delivery_id) }));
  const actionError = remove.error ?? rotate.error ?? test.error ?? (mode === "view" ? update.error : null);

  const save = (values: DestinationFormValues) => update.mutate({ id: destination.id, ...values } as Parameters<typeof update.mutate>[0]);

  return (
    <li className="space-y-4 rounded-lg border border-slate-200 bg-white p-5" data-testid={`destination-${destination.name}`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="font-semibold">{destination.name}</h3>
            <StatusBadge destination={destination} />
          </div>
          <p className="mt-1 break-all font-mono text-xs text-slate-600">{destination.url}</p>
          <p className="mt-1 text-xs text-slate-500">
            Secret <code>{destination.secret_masked}</code>
            {destination.previous_secret_expires_at && <> · previous secret still valid until {absoluteTime(destination.previous_secret_expires_at)}</>}
          </p>
          <SigningStatus destination={destination} onChanged={onChanged} />
          <ul className="mt-2 flex flex-wrap gap-1">
            {destination.event_types.map((type) => (
              <li key={type} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">
                {type}
              </li>
            ))}
          </ul>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" onClick={() => update.mutate({ id: destination.id, enabled: !destination.enabled })} disabled={update.isPending}>
            {destination.enabled ? "Disable" : "Enable"}
          </Button>
          <Button variant="secondary" onClick={() => (update.reset(), setMode(mode === "edit" ? "view" : "edit"))}>
            Edit
          </Button>
          <Button variant="secondary" onClick={() => test.mutate({ id: destination.id })} disabled={test.isPending}>
            {test.isPending ? "Sending…" : "Send test event"}
          </Button>
          <Button variant="secondary" onClick={() => setMode("confirm-rotate")}>
            Rotate secret
          </Button>
          <Button variant="secondary" aria-expanded={showVerify} onClick={() => setShowVerify((v) => !v)}>
            How to verify
          </Button>
          <Button variant="danger" onClick={() => setMode("confirm-delete")}>
            Delete
          </Button>
        </div>
      </div>

      <Health destination={destination} />
      <CredentialPanel destination={destination} onChanged={onChanged} onSecret={onCredential} />
      {actionError && <Alert>{actionError.message}</Alert>}

      {mode === "confirm-rotate" && (
        <div role="alertdialog" aria-label="Rotate secret" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm">
          <p>
            A new secret is generated and shown once. For the next <strong>24 hours</strong> <code>X-Alfred-Signature</code> and <code>webhook-signature</code> carry a
            signature from each secret (and callbacks signed with either are accepted), while <code>X-Alfred-Body-Signature</code> keeps using the previous secret, so a
            receiver that checks one secret (Activepieces&apos; Catch Webhook) keeps working until you update it and confirm. After 24 hours only the new one works.
          </p>
          <div className="flex gap-2">
            <Button onClick={() => rotate.mutate({ id: destination.id })} disabled={rotate.isPending}>
              {rotate.isPending ? "Rotating…" : "Rotate now"}
            </Button>
            <Button variant="secondary" onClick={() => setMode("view")}>
              Cancel
            </Button>
          </div>
        </div>
      )}

      {mode === "confirm-delete" && (
        <div role="alertdialog" aria-label="Delete destination" className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm">
          <p>
            Delete <strong>{destination.name}</strong>? Its delivery history goes with it and callbacks signed with its secret stop working. This cannot be undone.
          </p>
          <div className="flex gap-2">
            <Button variant="danger" onClick={() => remove.mutate({ id: destination.id })} disabled={remove.isPending}>
              {remove.isPending ? "Deleting…" : "Delete destination"}
            </Button>
            <Button variant="secondary" onClick={() => setMode("view")}>
              Cancel
            </Button>
          </div>
        </div>
      )}

      {mode === "edit" && (
        <div className="rounded-md border border-slate-200 p-4">
          <DestinationForm
            initial={{ name: destination.name, url: destination.url, event_types: destination.event_types, enabled: destination.enabled }}
            submitLabel="Save changes"
            pending={update.isPending}
            error={update.error}
            onSubmit={save}
            onCancel={() => setMode("view")}
          />
        </div>
      )}

      {testDeliveryId && <TestResult deliveryId={testDeliveryId} onClose={() => setTestDeliveryId(null)} />}
      {showVerify && <VerifyPanel destinationId={destination.id} tenantId={tenantId} secretMasked={destination.secret_masked} credential={destination.credential} />}
    </li>
  );
}

/**
 * Which secret each signature header uses right now, and when that changes: only shown while a
 * rotation's overlap runs (outside it every header uses the one secret there is).
 */
function SigningStatus({ destination, onChanged }: { destination: Destination; onChanged: () => void }) {
  const trpc = useTRPC();
  const confirm = useMutation(trpc.automation.destinations.confirmNewSecret.mutationOptions({ onSuccess: onChanged }));
  const until = destination.previous_secret_expires_at;
  if (!until) return null;
  const pending = destination.body_signature_secret === "previous";
  return (
    <div className="mt-2 space-y-1 rounded-md border border-amber-200 bg-amber-50 p-2 text-xs text-amber-900" data-testid="signing-status">
      <p>
        <code>X-Alfred-Signature</code>, <code>webhook-signature</code>: the new and the previous secret until {absoluteTime(until)}, then the new one only.
      </p>
      <p data-testid="body-signature-secret">
        <code>X-Alfred-Body-Signature</code>:{" "}
        {pending ? (
          <>
            the <strong>previous</strong> secret until {absoluteTime(until)} or until you confirm the receiver checks the new one.
          </>
        ) : (
          <>
            the <strong>new</strong> secret (receiver confirmed {destination.new_secret_confirmed_at ? relativeTime(destination.new_secret_confirmed_at) : ""}).
          </>
        )}
      </p>
      {pending && (
        <div className="flex items-center gap-2">
          <Button variant="secondary" onClick={() => confirm.mutate({ id: destination.id })} disabled={confirm.isPending}>
            {confirm.isPending ? "Switching…" : "Receiver updated: sign the body with the new secret"}
          </Button>
          {confirm.error && <span className="text-red-700">{confirm.error.message}</span>}
        </div>
      )}
    </div>
  );
}

/** The test delivery's outcome, polled until it is final. */
function TestResult({ deliveryId, onClose }: { deliveryId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const delivery = useQuery(
    trpc.automation.deliveries.get.queryOptions(
      { id: deliveryId },
      { refetchInterval: (query) => (query.state.data && !["pending", "delivering"].includes(query.state.data.status) ? false : 1000) },
    ),
  );
  const attempt = delivery.data?.attempt_log.at(-1);
  const final = delivery.data && !["pending", "delivering"].includes(delivery.data.status);
  return (
    <div role="status" aria-live="polite" className="space-y-1 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm" data-testid="test-result">
      <div className="flex items-center justify-between">
        <strong>Test event</strong>
        <button type="button" className="text-xs text-slate-500 underline" onClick={onClose}>
          Close
        </button>
      </div>
      {delivery.isError && <p className="text-red-700">Could not read the test delivery: {delivery.error.message}</p>}
      {!final && !delivery.isError && <p className="text-slate-600">Sending alfred.test…</p>}
      {final && attempt && (
        <p className={attempt.error_class ? "text-red-700" : "text-emerald-700"} data-testid="test-result-outcome">
          {attempt.error_class ? "Failed" : "Delivered"}: {attempt.status_code !== null ? `HTTP ${attempt.status_code}` : attempt.error_class} in {attempt.duration_ms} ms
          {attempt.error_message ? ` (${attempt.error_message})` : ""}
        </p>
      )}
      {final && !attempt && <p className="text-slate-600">Not sent: {delivery.data?.last_error ?? delivery.data?.status}</p>}
      {attempt?.response_snippet && <pre className="max-h-32 overflow-auto rounded bg-white p-2 text-xs">{attempt.response_snippet}</pre>}
      {final && (
        <Link className="text-xs text-brand-700 underline" href={`/deliveries?d=${deliveryId}`}>
          Open in Deliveries
        </Link>
      )}
    </div>
  );
}
