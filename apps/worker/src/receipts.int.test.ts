import { createHash, randomBytes } from "node:crypto";
import { createRedis, EnvKeyRing, generateKeyRingEntry } from "@alfred/core";
import { createChannel, storeReceipts, type ReceiptDraft } from "@alfred/crm";
import { schema } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { EMPTY_ALLOWLIST } from "@alfred/egress";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, TestProcesses, type RunningWorker } from "./testing/processes";

/**
 * The worker turning receipts into messages, as a real process SIGKILLed in the middle of a batch:
 * a killed transaction rolls back whole, so the next worker processes every receipt exactly once in
 * effect (one message, one event each), none lost, none stuck.
 */

const PREFIX = `alfred_test_wreceipts_${randomBytes(4).toString("hex")}`;
const KEYRING = generateKeyRingEntry("wr");
const PHONE = "106540352240001";
const processes = new TestProcesses();

let db: TestDatabase;
let tenantId: string;
let channelId: string;

const count = async (sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);

async function spawnWorker(): Promise<RunningWorker> {
  const worker = await processes.spawnWorker({ DATABASE_URL: db.url, REDIS_URL: "redis://127.0.0.1:6379", QUEUE_PREFIX: PREFIX, AUTOMATION_ENCRYPTION_KEYS: KEYRING });
  await expect.poll(() => worker.logs.some((l) => l.msg === "worker started"), { timeout: 30_000, interval: 100 }).toBe(true);
  return worker;
}

function receipt(i: number): ReceiptDraft {
  const from = `1555000${String(i % 25).padStart(4, "0")}`;
  const body = Buffer.from(
    JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { phone_number_id: PHONE }, contacts: [{ profile: { name: `C ${from}` }, wa_id: from }], messages: [{ from, id: `wamid.kill.${i}`, timestamp: "1749416383", type: "text", text: { body: `message ${i}` } }] } }] }],
    }),
  );
  return { tenantId, channelId, channelType: "whatsapp", orderingKey: from, body, bodySha256: createHash("sha256").update(body).digest("hex"), contentType: "application/json", correlationId: null };
}

beforeAll(async () => {
  db = await createTestDatabase();
  const [tenant] = await db.db.insert(schema.tenants).values({ name: "Receipts Co" }).returning();
  tenantId = tenant!.id;
  channelId = (await createChannel(db.db, new EnvKeyRing(KEYRING), { ssrfAllowlist: EMPTY_ALLOWLIST }, tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: PHONE, access_token: "t", app_secret: "s", verify_token: "v" } })).id;
});

afterAll(async () => {
  processes.killAll();
  const redis = createRedis("redis://127.0.0.1:6379", "client");
  await deleteKeys(redis, `${PREFIX}*`);
  redis.disconnect();
  await db.destroy();
});

describe("receipt worker process", () => {
  it("SIGKILLed mid-batch: the next worker processes every receipt exactly once", async () => {
    // Slow each message down so the kill lands while batches are open.
    await db.pool.query(`create function slow_message() returns trigger language plpgsql as $$ begin perform pg_sleep(0.01); return new; end $$`);
    await db.pool.query(`create trigger slow_message before insert on messages for each row execute function slow_message()`);
    const total = 400;
    const stored = await storeReceipts(db.db, Array.from({ length: total }, (_, i) => receipt(i)));
    expect(stored.stored).toBe(total);

    const first = await spawnWorker();
    await expect.poll(() => count(`select count(*) as n from messages`), { timeout: 30_000, interval: 20 }).toBeGreaterThan(20);
    first.child.kill("SIGKILL");
    await first.exit;
    const processedBeforeKill = await count(`select count(*) as n from inbound_receipts where status = 'processed'`);
    expect(processedBeforeKill).toBeLessThan(total);
    // Exactly what committed: a message for each processed receipt, nothing half-written.
    expect(await count(`select count(*) as n from messages`)).toBe(processedBeforeKill);

    const second = await spawnWorker();
    await expect.poll(() => count(`select count(*) as n from inbound_receipts where status = 'processed'`), { timeout: 60_000, interval: 200 }).toBe(total);
    expect(await count(`select count(*) as n from messages`)).toBe(total);
    expect(await count(`select count(distinct external_id) as n from messages`)).toBe(total);
    expect(await count(`select count(*) as n from automation_events where type = 'message.ingested'`)).toBe(total);
    expect(await count(`select count(*) as n from inbound_receipts where attempts <> 1`)).toBe(0);
    expect(await count(`select count(*) as n from conversations`)).toBe(25);
    second.child.kill("SIGTERM");
    await second.exit;
  }, 120_000);
});
