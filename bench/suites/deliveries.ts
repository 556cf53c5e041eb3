import { randomUUID } from "node:crypto";
import { PostCommitEffects, recordEvent, type EventType } from "@alfred/automation";
import { Agent, request } from "undici";
import type { BenchFigure, BenchSuite } from "../lib/report";
import type { BenchStack } from "../lib/stack";
import { atFixedRate, percentile, until } from "../lib/stats";

const CONTACT = "3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d";
/** As many requests in flight as the worker's engine keeps by default (AUTOMATION_DELIVERY_CONCURRENCY). */
const IN_FLIGHT = 64;

/** Commits one event (fan-out to every subscribed destination in the same transaction), then wakes the engines. */
async function emit(stack: BenchStack, type: EventType): Promise<{ eventId: string; committedAt: number }> {
  const effects = new PostCommitEffects();
  const payload =
    type === "contact.updated"
      ? { contact_id: CONTACT, changes: ["name"], name: "Bench", email: null, phone: null }
      : type === "task.completed"
        ? { task_id: randomUUID(), title: "Bench", status: "done", due_at: null, assignee_id: null, conversation_id: null, contact_id: null }
        : { contact_id: CONTACT, previous_score: 10, score: 90 };
  const recorded = await stack.db.db.transaction((tx) => recordEvent(tx, { tenantId: stack.tenantId, type, payload: payload as never, sourceEventId: `bench:${randomUUID()}` }, effects));
  const committedAt = Date.now();
  void stack.producer.flush(effects);
  return { eventId: recorded.eventId, committedAt };
}

const delivered = (stack: BenchStack, since: Date) =>
  stack.db.pool.query<{ status: string; n: string }>("select status, count(*) as n from automation_deliveries where created_at >= $1 group by status", [since]).then((r) =>
    Object.fromEntries(r.rows.map((row) => [row.status, Number(row.n)])),
  );

/** The same-run ceiling: a plain undici loop POSTing to the same sink with as many in flight. */
async function plainUndiciLoop(url: string, total: number): Promise<number> {
  const agent = new Agent({ connections: IN_FLIGHT });
  const body = JSON.stringify({ event_id: randomUUID(), tenant_id: randomUUID(), occurred_at: new Date().toISOString(), type: "lead.score_changed", payload: { contact_id: CONTACT, previous_score: 10, score: 90 } });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        const i = next++;
        const res = await request(url, { method: "POST", body, headers: { "content-type": "application/json", "x-alfred-event-id": `baseline-${i}`, "x-alfred-signature": "sha256=".padEnd(71, "0") }, dispatcher: agent });
        await res.body.dump();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  return total / seconds;
}

/**
 * 100 events x 20 destinations = 2,000 deliveries, next to a plain undici loop. Measured twice:
 * from a committed backlog (the events are committed while the worker is paused with SIGSTOP, then
 * it resumes: the pipeline's own pace, claim -> sign -> send -> record), and end to end with the
 * events committed one by one while the worker drains (the committing then sets the pace).
 */
export const drainSuite: BenchSuite = {
  id: "drain",
  title: "Delivery drain",
  async run(context) {
    const stack = await context.stack();
    for (let d = 0; d < 20; d++) await stack.destination(["lead.score_changed"], `drain-${d}`);
    await stack.sink.reset();
    const baseline = await plainUndiciLoop(`${stack.sink.url}/baseline`, 2_000);

    const arrived = (n: number) => until(() => stack.sink.stats().then((s) => s.count), (count) => count >= n, 120_000, 20);

    await stack.sink.reset();
    const backlogSince = new Date(Date.now() - 1_000);
    stack.worker.kill("SIGSTOP");
    const commitStarted = performance.now();
    try {
      for (let e = 0; e < 100; e++) await emit(stack, "lead.score_changed");
    } finally {
      stack.worker.kill("SIGCONT");
    }
    const commitSeconds = (performance.now() - commitStarted) / 1000;
    const resumed = performance.now();
    await arrived(2_000);
    const backlogSeconds = (performance.now() - resumed) / 1000;
    await until(() => delivered(stack, backlogSince), (s) => (s.delivered ?? 0) >= 2_000, 60_000, 100);

    await stack.sink.reset();
    const since = new Date(Date.now() - 1_000);
    const started = performance.now();
    for (let e = 0; e < 100; e++) await emit(stack, "lead.score_changed");
    const committed = performance.now();
    await arrived(2_000);
    const seconds = (performance.now() - started) / 1000;
    const states = await until(() => delivered(stack, since), (s) => (s.delivered ?? 0) >= 2_000, 60_000, 100);
    const rss = stack.rss();
    return [
      { name: "2,000 deliveries from a committed backlog", value: 2_000 / backlogSeconds, unit: "deliveries/s", baseline: { name: "plain undici loop, same sink", value: baseline }, better: "higher", goal: ">= 0.5x", note: `committing the 100 events (20 deliveries each) beforehand took ${commitSeconds.toFixed(2)} s` },
      { name: "2,000 deliveries, events committed while draining", value: 2_000 / seconds, unit: "deliveries/s", baseline: { name: "plain undici loop, same sink", value: baseline }, better: "higher", note: `committing the events took ${((committed - started) / 1000).toFixed(2)} s of it` },
      { name: "recorded delivered in Postgres (second run)", value: states.delivered ?? 0, unit: "rows", note: JSON.stringify(states) },
      { name: "worker RSS after the drain", value: rss.worker, unit: "MiB" },
    ];
  },
};

async function latencyAt(stack: BenchStack, perSecond: number, seconds: number): Promise<number[]> {
  await stack.sink.reset();
  const committed = new Map<string, number>();
  await atFixedRate(perSecond, seconds, async () => {
    const { eventId, committedAt } = await emit(stack, "contact.updated");
    committed.set(eventId, committedAt);
  });
  const stats = await until(() => stack.sink.stats(), (s) => s.count >= committed.size, 60_000, 100);
  return [...committed].filter(([id]) => stats.arrivals[id]).map(([id, at]) => stats.arrivals[id]![0]! - at);
}

/** Event committed -> first byte at the receiver, at a fixed event rate (an open loop, as real traffic is). */
export const latencySuite: BenchSuite = {
  id: "latency",
  title: "Event -> delivery latency",
  async run(context) {
    const stack = await context.stack();
    await stack.destination(["contact.updated"], "latency");
    const figures: BenchFigure[] = [];
    for (const rate of [100, 300]) {
      const ms = await latencyAt(stack, rate, 10);
      figures.push(
        { name: `at ${rate} events/s, p50`, value: percentile(ms, 50), unit: "ms", note: `${ms.length} events` },
        { name: `at ${rate} events/s, p99`, value: percentile(ms, 99), unit: "ms", goal: rate === 300 ? "< 250 ms" : undefined },
      );
    }
    return figures;
  },
};

/** Retries fire when due, not at the next polling tick: the second attempt's start minus the time it was scheduled for. */
export const retriesSuite: BenchSuite = {
  id: "retries",
  title: "Retry lateness",
  async run(context) {
    const stack = await context.stack();
    await stack.destination(["task.completed"], "retries");
    await stack.sink.reset("fail-first");
    const since = new Date(Date.now() - 1_000);
    await atFixedRate(50, 4, async () => void (await emit(stack, "task.completed")));
    await until(() => delivered(stack, since), (s) => (s.delivered ?? 0) >= 200, 60_000, 200);
    const { rows } = await stack.db.pool.query<{ late_ms: number }>(
      `select extract(epoch from second.started_at - first.retry_at) * 1000 as late_ms
       from automation_delivery_attempts first join automation_delivery_attempts second on second.delivery_id = first.delivery_id and second.number = 2
       where first.number = 1 and first.retry_at is not null and first.started_at >= $1`,
      [since],
    );
    const late = rows.map((r) => Number(r.late_ms));
    await stack.sink.reset();
    return [
      { name: "second attempt after its due time, p50", value: percentile(late, 50), unit: "ms", note: `${late.length} retries, schedule 1 s` },
      { name: "second attempt after its due time, p99", value: percentile(late, 99), unit: "ms" },
      { name: "second attempt after its due time, max", value: Math.max(...late), unit: "ms" },
    ];
  },
};
