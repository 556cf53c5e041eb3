import { createHmac } from "node:crypto";
import { handleWebhook } from "@alfred/api";
import { createDestination } from "@alfred/automation";
import { createChannel } from "@alfred/crm";
import { registerTenant } from "@alfred/auth";
import { benchDeps, drive, fmt } from "./harness";

/**
 * Signed WhatsApp webhooks through the real handler (signature check, channel lookup, contact and
 * conversation upsert, message insert, outbox event with fan-out to 2 destinations, live publish),
 * against real Postgres and Redis. Prints throughput and latency; never fails on a time.
 */
const TOTAL = Number(process.env.BENCH_TOTAL ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SENDERS = 200;

const bench = await benchDeps();
const { deps } = bench;
const admin = await registerTenant(deps.db, { email: "bench@example.test", password: "bench-password", name: "Bench", tenantName: "Bench" });
await deps.db.transaction((tx) =>
  createChannel(tx, deps.keys, deps.automation, admin.tenantId, { type: "whatsapp", name: "Bench WA", config: { phone_number_id: "900000000000001", access_token: "t", app_secret: "bench-app-secret", verify_token: "v" } }),
);
deps.automation = { ...deps.automation, ssrfAllowlist: { entries: [] }, resolve: async () => [{ address: "93.184.215.14", family: 4 }] };
for (const name of ["flow-a", "flow-b"]) {
  await createDestination({ db: deps.db, keys: deps.keys, settings: deps.automation }, admin.tenantId, { name, url: `https://example.com/${name}`, event_types: ["message.ingested"] });
}

function signedRequest(i: number, id = `wamid.bench-${i}`): Request {
  const sender = String(15550000000 + (i % SENDERS));
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1555", phone_number_id: "900000000000001" }, contacts: [{ profile: { name: `Customer ${i % SENDERS}` }, wa_id: sender }], messages: [{ from: sender, id, timestamp: "1749416383", type: "text", text: { body: `message ${i}` } }] } }] }],
  });
  const signature = `sha256=${createHmac("sha256", "bench-app-secret").update(body).digest("hex")}`;
  return new Request("http://bench/api/v1/webhooks/whatsapp", { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body });
}

async function post(request: Request) {
  const res = await handleWebhook(request, "whatsapp", deps);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
}

console.log(`webhook ingestion: ${TOTAL} signed WhatsApp messages from ${SENDERS} senders, ${CONCURRENCY} in flight, 2 destinations subscribed`);
await drive(50, 4, (i) => post(signedRequest(1_000_000 + i)));
const fresh = await drive(TOTAL, CONCURRENCY, (i) => post(signedRequest(i)));
console.log(`  new messages      ${fmt(fresh)}`);
const redelivered = await drive(TOTAL, CONCURRENCY, (i) => post(signedRequest(i)));
console.log(`  re-deliveries     ${fmt(redelivered)}   (idempotent: nothing stored)`);

const counts = await bench.pool.query("select (select count(*) from messages)::int as messages, (select count(*) from automation_events)::int as events, (select count(*) from automation_deliveries)::int as deliveries");
console.log(`  rows: ${JSON.stringify(counts.rows[0])}`);
console.log(`  rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
await bench.close();
