import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { alfredSignature } from "../signing";

/**
 * Prints a ready-to-run curl command for a signed callback, e.g.
 *   ALFRED_CALLBACK_SECRET=whsec_... pnpm automation:sign-callback --destination-id <id> --tenant-id <id> \
 *     --action create_task --params '{"title":"Call the customer"}'
 * The secret comes from ALFRED_CALLBACK_SECRET (or --secret), so it stays out of shell history.
 */
const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000/api/v1/automations/callbacks" },
    "destination-id": { type: "string" },
    "tenant-id": { type: "string" },
    secret: { type: "string" },
    action: { type: "string" },
    params: { type: "string", default: "{}" },
    "event-id": { type: "string" },
    "correlation-id": { type: "string" },
    timestamp: { type: "string" },
  },
});

const fail = (message: string): never => {
  console.error(`sign-callback: ${message}`);
  process.exit(2);
};

const destinationId = values["destination-id"] ?? fail("--destination-id is required");
const tenantId = values["tenant-id"] ?? fail("--tenant-id is required");
const action = values.action ?? fail("--action is required (create_task, update_conversation_status, add_internal_comment, send_message, update_contact)");
const secret = values.secret ?? process.env.ALFRED_CALLBACK_SECRET ?? fail("set ALFRED_CALLBACK_SECRET (or --secret) to the destination's secret");
let params: unknown;
try {
  params = JSON.parse(values.params!);
} catch {
  fail("--params must be a JSON object");
}
const eventId = values["event-id"] ?? randomUUID();
const timestamp = values.timestamp ?? String(Math.floor(Date.now() / 1000));
const body = JSON.stringify({
  tenant_id: tenantId,
  event_id: eventId,
  ...(values["correlation-id"] ? { correlation_id: values["correlation-id"] } : {}),
  action,
  params,
});
const signature = `sha256=${alfredSignature(secret, timestamp, eventId, tenantId, body)}`;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

console.log(
  [
    `curl -sS -X POST ${quote(values.url!)}`,
    `-H 'content-type: application/json'`,
    `-H ${quote(`x-alfred-destination-id: ${destinationId}`)}`,
    `-H ${quote(`x-alfred-tenant-id: ${tenantId}`)}`,
    `-H ${quote(`x-alfred-event-id: ${eventId}`)}`,
    `-H ${quote(`x-alfred-timestamp: ${timestamp}`)}`,
    `-H ${quote(`x-alfred-signature: ${signature}`)}`,
    `--data-raw ${quote(body)}`,
  ].join(" \\\n  "),
);
console.error(`# valid for ${process.env.AUTOMATION_REPLAY_WINDOW_SECONDS ?? 300} s; re-running it replays the stored response (same event id).`);
