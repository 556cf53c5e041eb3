"use client";

import { useState, type ReactNode } from "react";
import { Alert, Button } from "~/components/ui";

/** Shared by the Automations, API keys and Audit log settings pages. */

export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60 ? [abs, "s"] : abs < 3600 ? [Math.round(abs / 60), "min"] : abs < 86_400 ? [Math.round(abs / 3600), "h"] : [Math.round(abs / 86_400), "d"];
  return seconds >= 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

export const absoluteTime = (iso: string) => new Date(iso).toLocaleString();

/** The field a failed mutation names (`data.path` from the API's error formatter). */
export function errorPath(error: unknown): string | undefined {
  const path = (error as { data?: { path?: unknown } } | null)?.data?.path;
  return typeof path === "string" && path ? path : undefined;
}

export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  return (
    <Button
      type="button"
      variant="secondary"
      onClick={() =>
        navigator.clipboard
          .writeText(value)
          .then(() => setCopied("yes"))
          .catch(() => setCopied("failed"))
          .finally(() => setTimeout(() => setCopied(null), 2000))
      }
    >
      {copied === "yes" ? "Copied" : copied === "failed" ? "Copy failed: select and copy" : label}
    </Button>
  );
}

/** A credential shown exactly once, with a copy button and a plain warning. */
export function ShownOnce({ title, value, children, onDismiss }: { title: string; value: string; children?: ReactNode; onDismiss: () => void }) {
  return (
    <section aria-label={title} className="space-y-3 rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="shown-once">
      <h3 className="font-semibold text-amber-900">{title}</h3>
      <p className="text-sm text-amber-900">
        <strong>Copy it now: it will not be shown again.</strong> Alfred stores it encrypted (or hashed) and only ever shows a masked form afterwards. If you lose it,
        rotate or create a new one.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded border border-amber-200 bg-white px-3 py-2 font-mono text-sm" data-testid="shown-once-value">
          {value}
        </code>
        <CopyButton value={value} />
      </div>
      {children}
      <Button type="button" variant="secondary" onClick={onDismiss}>
        I have stored it
      </Button>
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="text-sm text-slate-500" role="status">
      Loading {what}…
    </p>
  );
}

export function LoadError({ what, error, retry }: { what: string; error: { message: string }; retry?: () => void }) {
  return (
    <Alert>
      Could not load {what}: {error.message}{" "}
      {retry && (
        <button type="button" className="underline" onClick={retry}>
          Try again
        </button>
      )}
    </Alert>
  );
}
