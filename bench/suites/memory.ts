import { Agent, request } from "undici";
import type { BenchFigure, BenchSuite } from "../lib/report";
import { APP_SECRET, PHONE_NUMBER_ID } from "../lib/stack";
import { atFixedRate, sleep, until } from "../lib/stats";
import { signedWhatsApp } from "../lib/whatsapp";

const RATE = Number(process.env.BENCH_MEMORY_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 60);
const ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 3);
const IDLE_SECONDS = 30;
const SENDERS = 500;

/**
 * The hostile-input issue's memory check: the web process under repeated sustained load (50 signed
 * webhooks/s for 60 s, three times) must come back near its idle size
 * after each round, not climb from round to round. Each round ends when the worker has drained the
 * receipts, then 30 s of idle before the reading. RSS is what an operator's dashboard shows, so it
 * is what we read (with child processes, from /proc).
 */
export const memorySuite: BenchSuite = {
  id: "memory",
  title: "Web memory under repeated load",
  async run(context) {
    const stack = await context.stack();
    await stack.destination(["message.ingested"], "memory");
    const agent = new Agent({ connections: 64 });
    const pending = () => stack.db.pool.query<{ n: string }>("select count(*) as n from inbound_receipts where status = 'pending'").then((r) => Number(r.rows[0]!.n));

    await sleep(5_000);
    const idle = stack.rss().web;
    const figures: BenchFigure[] = [];
    let afterFirst = 0;
    const run = Date.now();
    for (let round = 1; round <= ROUNDS; round++) {
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, stack.rss().web)), 1_000);
      let failures = 0;
      const { sent, skipped } = await atFixedRate(RATE, SECONDS, async (i) => {
        const { body, headers } = signedWhatsApp({ phoneNumberId: PHONE_NUMBER_ID, appSecret: APP_SECRET, from: `1557${String(i % SENDERS).padStart(7, "0")}`, id: `wamid.memory.${run}.${round}.${i}`, text: `round ${round} message ${i}` });
        const res = await request(`${stack.webUrl}/api/v1/webhooks/whatsapp`, { method: "POST", body, headers, dispatcher: agent });
        await res.body.dump();
        if (res.statusCode !== 200) failures++;
      });
      clearInterval(sampler);
      await until(pending, (n) => n === 0, 300_000, 500);
      await sleep(IDLE_SECONDS * 1_000);
      const settled = stack.rss().web;
      if (round === 1) afterFirst = settled;
      figures.push(
        { name: `round ${round}: web RSS peak under load`, value: peak, unit: "MiB", baseline: { name: "idle before round 1", value: idle }, better: "lower", note: `${RATE}/s for ${SECONDS}s, ${sent - skipped} sent, ${failures} non-200, ${skipped} skipped` },
        { name: `round ${round}: web RSS after drain + ${IDLE_SECONDS}s idle`, value: settled, unit: "MiB", baseline: { name: "idle before round 1", value: idle }, better: "lower", goal: "near idle; no growth round to round" },
      );
    }
    await agent.close();
    const last = figures.at(-1)!.value;
    figures.push({ name: `growth from round 1 to round ${ROUNDS} (settled)`, value: last - afterFirst, unit: "MiB", goal: "about 0" });
    return figures;
  },
};
