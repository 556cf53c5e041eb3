import { existsSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { closedLoop, type LoadResult } from "../lib/load";
import { freePort, ROOT, start, stop, waitForPort } from "../lib/processes";
import type { BenchFigure, BenchSuite } from "../lib/report";
import { APP_SECRET, BENCH_DATABASE_URL, PHONE_NUMBER_ID } from "../lib/stack";
import { percentile, until } from "../lib/stats";
import { paddedBody, signedWhatsApp } from "../lib/whatsapp";

const CONNECTIONS = 32;
const SECONDS = 10;
const SENDERS = 500;
/** The reference: an empty route handler answering a POST of 1.5 KB. The webhook is padded to the same size. */
const BODY_BYTES = 1536;

const TEXT = "Olá! Gostaria de saber o preço do pedido e se a entrega para São Paulo ainda chega esta semana. ".repeat(9).slice(0, 860);

async function emptyNextRoute(): Promise<LoadResult> {
  const dir = path.join(ROOT, "bench/next-baseline");
  if (!existsSync(path.join(dir, ".next/BUILD_ID"))) {
    const built = spawnSync("pnpm", ["--filter", "@alfred/bench-next-baseline", "bench:build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    if (built.status !== 0) throw new Error("building bench/next-baseline failed");
  }
  const port = await freePort();
  const server = start("next-baseline", process.execPath, [path.join(dir, "node_modules/next/dist/bin/next"), "start", "--port", String(port)], { cwd: dir, env: { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" } });
  try {
    const url = `http://127.0.0.1:${port}/api/empty`;
    await waitForPort(port, server);
    const body = paddedBody(BODY_BYTES);
    return await closedLoop({ url, connections: CONNECTIONS, seconds: SECONDS, serverPid: server.pid, next: () => ({ body, headers: { "content-type": "application/json" } }) });
  } finally {
    await stop(server);
  }
}

async function bareIntake(): Promise<LoadResult> {
  const port = await freePort();
  const server = start("bare-intake", process.execPath, ["--import", "tsx", path.join(ROOT, "bench/baselines/bare-intake.ts"), String(port), BENCH_DATABASE_URL, APP_SECRET], { cwd: path.join(ROOT, "bench") });
  try {
    await waitForPort(port, server);
    let i = 0;
    return await closedLoop({
      url: `http://127.0.0.1:${port}/`,
      connections: CONNECTIONS,
      seconds: SECONDS,
      serverPid: server.pid,
      next: () => signedWhatsApp({ phoneNumberId: PHONE_NUMBER_ID, appSecret: APP_SECRET, from: `1555${String(i % SENDERS).padStart(7, "0")}`, id: `wamid.bare.${i++}`, text: TEXT }),
    });
  } finally {
    await stop(server);
  }
}

/**
 * Signed WhatsApp webhooks from 500 senders, 32 in flight, against the production build, next to an
 * empty Next.js route handler and a bare Node http + HMAC + insert server measured in the same run.
 *
 * Twice: first with the worker paused (SIGSTOP), which is the acknowledgement path alone, what a
 * provider waits for; then with the worker turning the receipts into messages and events (two
 * destinations get every message) on the same two cores, as a one-machine install runs. Besides
 * throughput, the CPU time the web process spends per request: on a shared machine other processes
 * take the cores and move throughput a lot, but barely move the work a request costs.
 */
export const intakeSuite: BenchSuite = {
  id: "intake",
  title: "Webhook intake",
  async run(context) {
    const stack = await context.stack();
    await stack.destination(["message.ingested"], "intake-a");
    await stack.destination(["message.ingested"], "intake-b");
    const idle = stack.rss();

    const empty = await emptyNextRoute();
    const bare = await bareIntake();
    let i = 0;
    const load = () =>
      closedLoop({
        url: `${stack.webUrl}/api/v1/webhooks/whatsapp`,
        connections: CONNECTIONS,
        seconds: SECONDS,
        serverPid: stack.web.pid,
        next: () => signedWhatsApp({ phoneNumberId: PHONE_NUMBER_ID, appSecret: APP_SECRET, from: `1556${String(i % SENDERS).padStart(7, "0")}`, id: `wamid.intake.${i++}`, text: TEXT }),
      });
    const pending = () => stack.db.pool.query<{ n: string }>("select count(*) as n from inbound_receipts where status = 'pending'").then((r) => Number(r.rows[0]!.n));

    stack.worker.kill("SIGSTOP");
    let ackOnly: LoadResult;
    try {
      ackOnly = await load();
    } finally {
      stack.worker.kill("SIGCONT");
    }
    await until(pending, (n) => n === 0, 300_000, 250);

    const startedAt = new Date();
    const alfred = await load();
    const loaded = stack.rss();
    const drainStarted = Date.now();
    await until(pending, (n) => n === 0, 300_000, 250);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    const { rows } = await stack.db.pool.query<{ ms: number }>(
      "select extract(epoch from processed_at - received_at) * 1000 as ms from inbound_receipts where received_at >= $1 and status = 'processed'",
      [startedAt],
    );
    const storedMs = rows.map((r) => Number(r.ms));
    const afterDrain = stack.rss();

    const note = `c=${CONNECTIONS}, ${SECONDS}s, ${BODY_BYTES} B bodies`;
    const figures: BenchFigure[] = [
      { name: "ack path (worker paused): throughput vs empty Next route", value: ackOnly.requestsPerSecond, unit: "req/s", baseline: { name: "empty Next route handler", value: empty.requestsPerSecond }, better: "higher", goal: ">= 0.8x", note },
      { name: "ack path: web CPU per webhook vs per empty request", value: ackOnly.cpuMsPerRequest ?? 0, unit: "ms", baseline: { name: "empty Next route", value: empty.cpuMsPerRequest ?? 0 }, better: "lower" },
      { name: "ack path: ack p50", value: ackOnly.p50, unit: "ms", baseline: { name: "empty Next route p50", value: empty.p50 }, better: "lower" },
      { name: "ack path: ack p99", value: ackOnly.p99, unit: "ms", baseline: { name: "empty Next route p99", value: empty.p99 }, better: "lower", goal: "< 100 ms" },
      { name: "worker running: throughput vs empty Next route", value: alfred.requestsPerSecond, unit: "req/s", baseline: { name: "empty Next route handler", value: empty.requestsPerSecond }, better: "higher", note: "web, worker, Postgres and the load on 2 shared cores" },
      { name: "worker running: throughput vs bare Node + HMAC + insert", value: alfred.requestsPerSecond, unit: "req/s", baseline: { name: "bare node http", value: bare.requestsPerSecond }, better: "higher" },
      { name: "worker running: ack p50", value: alfred.p50, unit: "ms", baseline: { name: "empty Next route p50", value: empty.p50 }, better: "lower" },
      { name: "worker running: ack p99", value: alfred.p99, unit: "ms", baseline: { name: "empty Next route p99", value: empty.p99 }, better: "lower" },
      { name: "bare server p99", value: bare.p99, unit: "ms" },
      { name: "non-2xx / errors", value: ackOnly.non2xx + ackOnly.errors + alfred.non2xx + alfred.errors, unit: "responses", note: `of ${ackOnly.total + alfred.total}` },
      { name: "receipts left when the load stopped, stored within", value: drainSeconds, unit: "s" },
      { name: "ack -> stored under saturation, p50", value: percentile(storedMs, 50), unit: "ms", note: "closed loop: the backlog is the point; see burst for a fixed rate" },
      { name: "ack -> stored under saturation, p99", value: percentile(storedMs, 99), unit: "ms" },
      { name: "web RSS idle -> loaded -> drained", value: loaded.web, unit: "MiB", baseline: { name: "idle", value: idle.web }, note: `drained ${afterDrain.web.toFixed(0)} MiB` },
      { name: "worker RSS idle -> loaded -> drained", value: afterDrain.worker, unit: "MiB", baseline: { name: "idle", value: idle.worker } },
    ];
    return figures;
  },
};
