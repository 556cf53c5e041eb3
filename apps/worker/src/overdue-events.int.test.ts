import { automationEnvSchema, automationSettingsFrom, createDestination, DeliveryEngine, envelopeSchema } from "@alfred/automation";
import { startSink, type Sink } from "@alfred/automation/testing";
import { createLogger, EnvKeyRing, generateKeyRingEntry } from "@alfred/core";
import { createDb, schema, sql, type DbHandle } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOverdueTasks } from "./jobs/check-overdue-tasks";

/**
 * `task.overdue` reaches a subscribed destination once per overdue task while two worker instances
 * (each its own database pool, overdue check and delivery engine) run the check at the same time.
 */

const KEYRING = generateKeyRingEntry("ov");
const keys = new EnvKeyRing(KEYRING);
const logger = createLogger("overdue-events-test", "silent");
const { tasks, tenants } = schema;

let db: TestDatabase;
let sink: Sink;
const pools: DbHandle[] = [];
const engines: DeliveryEngine[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sink = await startSink();
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await Promise.all(pools.map((p) => p.close()));
  await sink.close();
  await db.destroy();
});

describe("task.overdue", () => {
  it("is delivered exactly once per overdue task across two workers, with the task in its payload", async () => {
    const settings = automationSettingsFrom(automationEnvSchema.parse({ AUTOMATION_ENCRYPTION_KEYS: KEYRING, EGRESS_ALLOWLIST: `127.0.0.1:${sink.port}` }));
    const [tenant] = await db.db.insert(tenants).values({ name: "Overdue Co" }).returning();
    await createDestination({ db: db.db, keys, settings }, tenant!.id, { name: "sink", url: sink.url, event_types: ["task.overdue"] });
    const hourAgo = new Date(Date.now() - 3_600_000);
    const overdue = await db.db
      .insert(tasks)
      .values(Array.from({ length: 60 }, (_, i) => ({ tenantId: tenant!.id, title: `Overdue ${i}`, dueAt: hourAgo })))
      .returning();
    await db.db.insert(tasks).values([
      { tenantId: tenant!.id, title: "Not due yet", dueAt: new Date(Date.now() + 3_600_000) },
      { tenantId: tenant!.id, title: "Done", dueAt: hourAgo, status: "done", completedAt: new Date() },
    ]);

    const workers = [0, 1].map(() => {
      const pool = createDb(db.url, { max: 4, applicationName: "overdue-test-worker" });
      pools.push(pool);
      const engine = new DeliveryEngine({ db: pool.db, keys, settings, logger }, { sweepMs: 50 });
      engine.start();
      engines.push(engine);
      return { db: pool.db, engine };
    });
    // Both instances run the scheduled check at once, in small batches so they contend for the rows.
    const producerOf = (w: (typeof workers)[number]) => ({ publishLive: async () => {}, flush: async () => w.engine.wake() });
    const runs = await Promise.all(workers.map((w) => checkOverdueTasks({ db: w.db, logger, producer: producerOf(w) }, { batchSize: 7 })));
    expect(runs.reduce((sum, r) => sum + r.notified, 0)).toBe(overdue.length);
    expect((await checkOverdueTasks({ db: workers[0]!.db, logger }, { batchSize: 7 })).notified).toBe(0);

    await expect.poll(() => sink.requests.length, { timeout: 20_000, interval: 50 }).toBe(overdue.length);
    const envelopes = sink.requests.map((r) => envelopeSchema.parse(JSON.parse(r.body)));
    expect(new Set(envelopes.map((e) => e.type))).toEqual(new Set(["task.overdue"]));
    const taskIds = envelopes.map((e) => (e.payload as { task_id: string }).task_id);
    expect(new Set(taskIds).size).toBe(overdue.length);
    expect(new Set(taskIds)).toEqual(new Set(overdue.map((t) => t.id)));
    const first = envelopes.find((e) => (e.payload as { task_id: string }).task_id === overdue[0]!.id)!;
    expect(first.payload).toEqual({ task_id: overdue[0]!.id, title: "Overdue 0", status: "open", due_at: hourAgo.toISOString(), assignee_id: null, conversation_id: null, contact_id: null });

    // A task moved to a new due date that passes again is overdue again: one more event, not a duplicate.
    await db.db.execute(sql`update tasks set due_at = now() - interval '1 minute', overdue_notified_at = null where id = ${overdue[0]!.id}`);
    expect((await checkOverdueTasks({ db: workers[1]!.db, logger, producer: producerOf(workers[1]!) })).notified).toBe(1);
    await expect.poll(() => sink.requests.length, { timeout: 20_000, interval: 50 }).toBe(overdue.length + 1);
  }, 60_000);
});
