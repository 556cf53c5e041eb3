import { randomBytes } from "node:crypto";
import { JOB_SCHEDULERS, QUEUE_NAMES } from "@alfred/automation";
import { createLogger, createRedis, generateKeyRingEntry } from "@alfred/core";
import { count, eq, schema, sql } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, TestProcesses, type RunningWorker } from "./testing/processes";
import { checkOverdueTasks } from "./jobs/check-overdue-tasks";

const REDIS_URL = "redis://127.0.0.1:6379";
const PREFIX = `alfred_test_worker_${randomBytes(4).toString("hex")}`;

let db: TestDatabase;
let redis: Redis;
const processes = new TestProcesses();



function spawnWorker(env: Record<string, string>): Promise<RunningWorker> {
  return processes.spawnWorker({ REDIS_URL, AUTOMATION_ENCRYPTION_KEYS: generateKeyRingEntry("test"), ...env });
}

async function getHealth(port: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3_000) });
  return { status: res.status, body: await res.json() };
}

/** Polls /health until it answers (the process needs a moment to start), returning that answer. */
async function firstHealthAnswer(worker: RunningWorker, timeoutMs = 20_000): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (worker.child.exitCode !== null) throw new Error(`worker exited with ${worker.child.exitCode}: ${worker.stderr()}`);
    try {
      return await getHealth(worker.port);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function exitWithin(worker: RunningWorker, ms: number): Promise<number | null | "timeout"> {
  return Promise.race([worker.exit, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);
}


beforeAll(async () => {
  db = await createTestDatabase();
  redis = createRedis(REDIS_URL, "worker");
});

afterAll(async () => {
  processes.killAll();
  await deleteKeys(redis, `${PREFIX}*`);
  await redis.quit();
  await db.destroy();
});

describe("worker process", () => {
  it("boots, reports healthy, upserts its job schedulers and shuts down cleanly on SIGTERM", async () => {
    const prefix = `${PREFIX}_boot`;
    const worker = await spawnWorker({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix });

    const health = await firstHealthAnswer(worker);
    expect(health).toEqual({ status: 200, body: { status: "ok", db: "ok", redis: "ok" } });

    await expect.poll(() => worker.logs.some((l) => l.msg === "worker started"), { timeout: 10_000 }).toBe(true);
    const queue = new Queue(QUEUE_NAMES.maintenance, { connection: redis, prefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      const found = schedulers.map((s) => ({ id: s.key, name: s.name, every: s.every ?? undefined, pattern: s.pattern ?? undefined }));
      const expected = JOB_SCHEDULERS.map((d) => ({ id: d.id, name: d.job.name, every: d.schedule.every, pattern: d.schedule.pattern }));
      expect(found.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        expected.sort((a, b) => a.id.localeCompare(b.id)),
      );
    } finally {
      await queue.close();
    }

    const notFound = await fetch(`http://127.0.0.1:${worker.port}/nope`);
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe("not_found");

    worker.child.kill("SIGTERM");
    expect(await exitWithin(worker, 8_000)).toBe(0);
    expect(worker.logs).toContainEqual(expect.objectContaining({ service: "worker", msg: "shutting down", signal: "SIGTERM" }));
    expect(worker.logs).toContainEqual(expect.objectContaining({ msg: "shutdown complete" }));
    await expect(getHealth(worker.port)).rejects.toThrow();
  });

  it("answers 503 naming the database when Postgres is unreachable, and still shuts down with 0", async () => {
    const unreachable = new URL(db.url);
    unreachable.pathname = `/alfred_test_missing_${randomBytes(4).toString("hex")}`;
    const worker = await spawnWorker({ DATABASE_URL: unreachable.toString(), QUEUE_PREFIX: `${PREFIX}_nodb` });

    const health = await firstHealthAnswer(worker);
    expect(health).toEqual({ status: 503, body: { status: "error", db: "error", redis: "ok" } });

    worker.child.kill("SIGTERM");
    expect(await exitWithin(worker, 8_000)).toBe(0);
  });

  it("refuses to start on a malformed variable, naming it", async () => {
    const worker = await spawnWorker({ DATABASE_URL: db.url, QUEUE_PREFIX: `${PREFIX}_badenv`, WORKER_HTTP_PORT: "not-a-port" });
    expect(await exitWithin(worker, 15_000)).toBe(1);
    expect(worker.stderr()).toMatch(/WORKER_HTTP_PORT: /);
  });
});

describe("check_overdue_tasks", () => {
  const logger = createLogger("worker-test", "silent");
  const { tenants, users, memberships, tasks, notifications } = schema;
  const hourAgo = () => new Date(Date.now() - 3_600_000);

  async function user(email: string) {
    const [row] = await db.db.insert(users).values({ email, name: email, passwordHash: "not-a-real-hash" }).returning();
    return row!;
  }

  it("notifies each overdue task exactly once, even with several runs at the same time", async () => {
    const [tenant] = await db.db.insert(tenants).values({ name: "Overdue Co" }).returning();
    const [otherTenant] = await db.db.insert(tenants).values({ name: "Other Co" }).returning();
    const agent = await user(`agent-${randomBytes(3).toString("hex")}@example.test`);
    const leaver = await user(`leaver-${randomBytes(3).toString("hex")}@example.test`);
    await db.db.insert(memberships).values([
      { tenantId: tenant!.id, userId: agent.id, role: "agent" },
      { tenantId: tenant!.id, userId: leaver.id, role: "agent", deactivatedAt: new Date() },
    ]);

    const [assigned] = await db.db
      .insert(tasks)
      .values({ tenantId: tenant!.id, title: "Call back", dueAt: hourAgo(), assigneeId: agent.id })
      .returning();
    const [orphaned] = await db.db
      .insert(tasks)
      .values({ tenantId: tenant!.id, title: "Left by a leaver", dueAt: hourAgo(), assigneeId: leaver.id })
      .returning();
    const untouched = await db.db
      .insert(tasks)
      .values([
        { tenantId: tenant!.id, title: "Not due yet", dueAt: new Date(Date.now() + 3_600_000), assigneeId: agent.id },
        { tenantId: tenant!.id, title: "No due date", assigneeId: agent.id },
        { tenantId: tenant!.id, title: "Done", dueAt: hourAgo(), status: "done", completedAt: new Date(), assigneeId: agent.id },
        { tenantId: tenant!.id, title: "Already told", dueAt: hourAgo(), overdueNotifiedAt: hourAgo(), assigneeId: agent.id },
      ])
      .returning();
    // Enough rows in another tenant that concurrent runs with small batches really contend.
    const bulk = await db.db
      .insert(tasks)
      .values(Array.from({ length: 240 }, (_, i) => ({ tenantId: otherTenant!.id, title: `Bulk ${i}`, dueAt: hourAgo() })))
      .returning({ id: tasks.id });

    const ctx = { db: db.db, logger };
    const runs = await Promise.all(Array.from({ length: 4 }, () => checkOverdueTasks(ctx, { batchSize: 25 })));
    const expectedCount = 2 + bulk.length;
    expect(runs.reduce((sum, r) => sum + r.notified, 0)).toBe(expectedCount);

    const [totals] = await db.db
      .select({ rows: count(), distinctTasks: sql<number>`count(distinct ${notifications.data}->>'task_id')::int` })
      .from(notifications);
    expect(totals).toEqual({ rows: expectedCount, distinctTasks: expectedCount });

    const forAssigned = await db.db.select().from(notifications).where(sql`${notifications.data}->>'task_id' = ${assigned!.id}`);
    expect(forAssigned).toEqual([
      expect.objectContaining({ tenantId: tenant!.id, userId: agent.id, kind: "task_overdue", title: "Task overdue: Call back" }),
    ]);
    // A deactivated assignee is not notified; the tenant's admins are (user_id null).
    const forOrphaned = await db.db.select().from(notifications).where(sql`${notifications.data}->>'task_id' = ${orphaned!.id}`);
    expect(forOrphaned).toEqual([expect.objectContaining({ tenantId: tenant!.id, userId: null, kind: "task_overdue" })]);

    for (const task of untouched) {
      const [row] = await db.db.select({ notifiedAt: tasks.overdueNotifiedAt }).from(tasks).where(eq(tasks.id, task.id));
      expect(row!.notifiedAt?.getTime() ?? null).toBe(task.overdueNotifiedAt?.getTime() ?? null);
    }
    const [stillUnmarked] = await db.db
      .select({ n: count() })
      .from(tasks)
      .where(sql`${tasks.status} = 'open' and ${tasks.dueAt} < now() and ${tasks.overdueNotifiedAt} is null`);
    expect(stillUnmarked!.n).toBe(0);

    expect(await checkOverdueTasks(ctx)).toEqual({ notified: 0 });
  });
});
