"use client";

import { CopyButton } from "./shared";

const NODE = `import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * headers: the request headers (lower-cased keys, as in Node/Express).
 * rawBody: the body exactly as received (Buffer), BEFORE any JSON parsing.
 */
export function verifyAlfred(headers, rawBody, secret = process.env.ALFRED_WEBHOOK_SECRET) {
  const timestamp = String(headers["x-alfred-timestamp"] ?? "");
  const eventId = String(headers["x-alfred-event-id"] ?? "");
  const tenantId = String(headers["x-alfred-tenant-id"] ?? "");
  // Refuse old or future-dated deliveries (replays).
  if (!/^\\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac("sha256", secret) // key: the secret string exactly as shown, whsec_ included
    .update(\`\${timestamp}.\${eventId}.\${tenantId}.\`)
    .update(rawBody)
    .digest();
  // During a secret rotation the header carries one value per valid secret, comma-separated.
  return String(headers["x-alfred-signature"] ?? "")
    .split(",")
    .map((value) => value.trim())
    .filter((value) => /^sha256=[0-9a-f]{64}$/.test(value))
    .some((value) => timingSafeEqual(Buffer.from(value.slice(7), "hex"), expected));
}`;

const PYTHON = `import hashlib
import hmac
import time

def verify_alfred(headers, raw_body: bytes, secret: str) -> bool:
    """headers: the request headers; raw_body: the body exactly as received (bytes)."""
    timestamp = headers.get("X-Alfred-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False  # old or future-dated: a replay
    signed = f'{timestamp}.{headers.get("X-Alfred-Event-Id", "")}.{headers.get("X-Alfred-Tenant-Id", "")}.'.encode() + raw_body
    # Key: the secret string exactly as shown, whsec_ included.
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    # During a secret rotation the header carries one value per valid secret, comma-separated.
    return any(hmac.compare_digest(expected, value.strip()) for value in headers.get("X-Alfred-Signature", "").split(","))`;

/** The five headers of a signed callback, with this destination's values filled in. */
const CALLBACK_HEADERS = (destinationId: string, tenantId: string): [string, string][] => [
  ["X-Alfred-Destination-Id", `${destinationId} (also on every delivery as X-Alfred-Destination-Id)`],
  ["X-Alfred-Tenant-Id", tenantId],
  ["X-Alfred-Event-Id", "the idempotency key, equal to event_id in the body (the delivery's event id, or a fresh one): the first callback with it acts, repeats get its answer"],
  ["X-Alfred-Timestamp", "unix seconds now; refused more than 5 minutes away from Alfred's clock"],
  ["X-Alfred-Signature", "sha256=<hex HMAC-SHA256(secret, \"{timestamp}.{event_id}.{tenant_id}.{raw body}\")>"],
];

function Snippet({ title, code }: { title: string; code: string }) {
  return (
    <div>
      <div className="mb-1 flex items-center justify-between">
        <h5 className="text-sm font-medium">{title}</h5>
        <CopyButton value={code} label={`Copy ${title} snippet`} />
      </div>
      <pre className="max-h-80 overflow-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100">{code}</pre>
    </div>
  );
}

/** How a receiver checks that a delivery really comes from Alfred, for one destination. */
export function VerifyPanel({ destinationId, tenantId, secretMasked }: { destinationId: string; tenantId: string; secretMasked: string }) {
  const headers: [string, string][] = [
    ["Content-Type", "application/json"],
    ["User-Agent", "Alfred-Webhooks/1.0"],
    ["X-Alfred-Event-Id", "the event id (uuid); also the idempotency key: the same event may arrive twice"],
    ["X-Alfred-Tenant-Id", tenantId],
    ["X-Alfred-Destination-Id", `${destinationId} (this destination; not secret: send it back on callbacks)`],
    ["X-Alfred-Timestamp", "unix seconds when this attempt was signed"],
    ["X-Alfred-Signature", "sha256=<hex HMAC-SHA256(secret, signed string)>; comma-separated, one per valid secret, during a rotation"],
    [
      "X-Alfred-Body-Signature",
      "sha256=<hex HMAC-SHA256(secret, raw body)> with ONE secret (for Activepieces): during a rotation the previous secret, until the overlap ends or you confirm the receiver was updated",
    ],
    ["webhook-id / webhook-timestamp / webhook-signature", "Standard Webhooks (v1,<base64>), verifiable with its libraries and the whsec_ secret"],
    ["X-Correlation-Id", "traces the request that caused the event"],
  ];
  return (
    <section aria-label="How to verify" className="space-y-4 rounded-md border border-slate-200 bg-slate-50 p-4 text-sm" data-testid={`verify-${destinationId}`}>
      <div>
        <h4 className="font-semibold">How to verify a delivery</h4>
        <p className="text-slate-600">
          Every delivery is a <code>POST</code> with a JSON envelope <code>{"{ event_id, tenant_id, occurred_at, type, payload }"}</code> and these headers. The key of every
          HMAC is your secret (<code>{secretMasked}</code>) exactly as it was shown, <code>whsec_</code> prefix included. Always verify against the raw body, before parsing it.
        </p>
      </div>
      <table className="w-full text-left text-xs">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 pr-3">Header</th>
            <th className="py-1">Value</th>
          </tr>
        </thead>
        <tbody>
          {headers.map(([name, value]) => (
            <tr key={name} className="border-t border-slate-200 align-top">
              <td className="py-1 pr-3 font-mono">{name}</td>
              <td className="py-1 break-all">{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div>
        <h5 className="text-sm font-medium">The signed string (X-Alfred-Signature)</h5>
        <pre className="mt-1 rounded-md bg-white p-2 font-mono text-xs">{"{timestamp}.{event_id}.{tenant_id}.{raw_body}"}</pre>
        <p className="mt-1 text-xs text-slate-600">
          The values of <code>X-Alfred-Timestamp</code>, <code>X-Alfred-Event-Id</code> and <code>X-Alfred-Tenant-Id</code> as received, joined with dots, then the body
          bytes. Reject timestamps more than 5 minutes away from your clock, and compare in constant time.
        </p>
      </div>
      <div>
        <h5 className="text-sm font-medium">Calling back (POST /api/v1/automations/callbacks)</h5>
        <p className="mt-1 text-xs text-slate-600">A flow acts in Alfred with a JSON body <code>{"{ tenant_id, event_id, action, params }"}</code> and these five headers:</p>
        <table className="mt-1 w-full text-left text-xs" data-testid="callback-headers">
          <tbody>
            {CALLBACK_HEADERS(destinationId, tenantId).map(([name, value]) => (
              <tr key={name} className="border-t border-slate-200 align-top">
                <td className="py-1 pr-3 font-mono">{name}</td>
                <td className="py-1 break-all">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Snippet title="Node.js" code={NODE} />
      <Snippet title="Python" code={PYTHON} />
      <div>
        <h5 className="text-sm font-medium">Activepieces Catch Webhook</h5>
        <p className="text-xs text-slate-600">In the Catch Webhook trigger, set Authentication to HMAC with:</p>
        <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 rounded-md bg-white p-2 text-xs">
          <dt className="text-slate-500">Signature header</dt>
          <dd className="font-mono">X-Alfred-Body-Signature</dd>
          <dt className="text-slate-500">Algorithm</dt>
          <dd className="font-mono">sha256</dd>
          <dt className="text-slate-500">Encoding</dt>
          <dd className="font-mono">hex</dd>
          <dt className="text-slate-500">Signature prefix</dt>
          <dd className="font-mono">sha256=</dd>
          <dt className="text-slate-500">Secret</dt>
          <dd>
            the destination secret exactly as shown (<code>whsec_…</code>)
          </dd>
        </dl>
        <p className="mt-1 text-xs text-slate-600">
          The body signature covers the body only; the flow should also ignore an <code>event_id</code> it has already handled, and check <code>X-Alfred-Timestamp</code> when
          it can.
        </p>
      </div>
    </section>
  );
}
