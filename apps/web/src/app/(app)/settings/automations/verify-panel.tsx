"use client";

import { Fragment, type ReactNode } from "react";
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
type Credential = { kind: "basic"; username: string; password_masked: string } | { kind: "header"; header_name: string; value_masked: string } | null;

function Settings({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 rounded-md bg-white p-2 text-xs">
      {rows.map(([label, value]) => (
        <Fragment key={label}>
          <dt className="text-slate-500">{label}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function VerifyPanel({ destinationId, tenantId, secretMasked, credential }: { destinationId: string; tenantId: string; secretMasked: string; credential: Credential }) {
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
    ...(credential
      ? ([[credential.kind === "basic" ? "Authorization" : credential.header_name, credential.kind === "basic" ? "Basic <username:password> (the static credential)" : "the static credential's value"]] as [string, string][])
      : []),
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
      <div data-testid="activepieces-settings">
        <h5 className="text-sm font-medium">Activepieces Catch Webhook</h5>
        <p className="text-xs text-slate-600">
          Recent releases of the Catch Webhook trigger have an <strong>HMAC Signature</strong> authentication. Set it to:
        </p>
        <Settings
          rows={[
            ["Signature header", <code key="h">X-Alfred-Body-Signature</code>],
            ["Secret", <>the destination secret exactly as shown ({secretMasked}), as UTF-8 text</>],
            ["Algorithm", <code key="a">sha256</code>],
            ["Encoding", <code key="e">hex</code>],
            ["Signature prefix", <code key="p">sha256=</code>],
          ]}
        />
        <p className="mt-2 text-xs text-slate-600">
          Older releases (including <code>@activepieces/piece-webhook</code> 0.1.29 on npm) offer only None, Basic Auth and Header Auth. Give the destination a static
          credential above and set the trigger to the same:
        </p>
        <Settings
          rows={
            credential?.kind === "basic"
              ? [
                  ["Authentication", "Basic Auth"],
                  ["Username", <code key="u">{credential.username}</code>],
                  ["Password", <>the credential value shown once ({credential.password_masked})</>],
                ]
              : [
                  ["Authentication", "Header Auth"],
                  ["Header Name", <code key="n">{credential?.kind === "header" ? credential.header_name : "the credential's header name"}</code>],
                  ["Header Value", <>the credential value shown once{credential?.kind === "header" ? ` (${credential.value_masked})` : ""}</>],
                ]
          }
        />
        <p className="mt-1 text-xs text-slate-600">
          Either way a failed check still answers 200 and starts no run, so Alfred records the delivery as delivered: test with &quot;Send test event&quot; and look for the
          run. The body signature covers the body only; the flow should also ignore an <code>event_id</code> it has already handled. During a secret rotation the body
          signature keeps the previous secret until you confirm the receiver was updated.
        </p>
      </div>
      <div data-testid="callback-recipe">
        <h5 className="text-sm font-medium">Calling back without code (Activepieces)</h5>
        <ol className="mt-1 list-decimal space-y-1 pl-5 text-xs text-slate-700">
          <li>
            <strong>Date Helper</strong> → Get Current Date, format <code>X</code> (unix seconds): the timestamp <code>{"{ts}"}</code>.
          </li>
          <li>
            Write the JSON body once, e.g. <code>{`{"tenant_id":"${tenantId}","event_id":"{event_id}","action":"create_task","params":{"title":"Call back"}}`}</code>, with{" "}
            <code>{"{event_id}"}</code> the trigger body&apos;s <code>event_id</code> (one action per event; use a suffix such as <code>{"{event_id}:task"}</code> for a second
            one).
          </li>
          <li>
            <strong>Crypto</strong> → Generate HMAC Signature: algorithm SHA256, key = the destination secret as shown, text ={" "}
            <code>{"{ts}.{event_id}"}</code>
            <code>.{tenantId}.</code>
            <code>{"{body}"}</code> (the same body, byte for byte), hex output.
          </li>
          <li>
            <strong>HTTP</strong> → Send HTTP Request: <code>POST {"<Alfred URL>"}/api/v1/automations/callbacks</code>, Body type <strong>Raw</strong> with the same body,{" "}
            <code>Content-Type: application/json</code> and the five headers above (<code>X-Alfred-Signature</code> = <code>sha256=</code> followed by the HMAC;{" "}
            <code>X-Alfred-Destination-Id</code> may be taken from the trigger&apos;s <code>x-alfred-destination-id</code> header).
          </li>
        </ol>
      </div>
    </section>
  );
}
