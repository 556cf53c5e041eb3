import { liveChannel, type LiveEvent } from "@alfred/automation";
import { createRedis } from "@alfred/core";
import { Agent, request } from "undici";
import type { BenchSuite } from "../lib/report";
import { APP_SECRET, PHONE_NUMBER_ID } from "../lib/stack";
import { atFixedRate, percentile, until } from "../lib/stats";
import { signedWhatsApp } from "../lib/whatsapp";

const RATE = 100;
const SECONDS = 10;

/**
 * One sender's burst at 100 webhooks/s (a customer sending photos, a bot, a load test by Meta), an
 * open loop as Meta sends: how fast each is acknowledged, how soon it is visible to an open inbox
 * (the live event a browser's feed receives, heard on Redis), and whether the thread keeps the order.
 */
export const burstSuite: BenchSuite = {
  id: "burst",
  title: "One sender's burst",
  async run(context) {
    const stack = await context.stack();
    const subscriber = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "worker");
    const visibleAt = new Map<string, number>();
    subscriber.on("message", (_channel: string, message: string) => {
      const event = JSON.parse(message) as LiveEvent;
      if (event.kind === "message.created" && event.messageId) visibleAt.set(event.messageId, Date.now());
    });
    await subscriber.subscribe(liveChannel(stack.prefix, stack.tenantId));

    const from = "5511988887777";
    const agent = new Agent({ connections: 64 });
    const ackMs: number[] = [];
    const ackedAt = new Map<string, number>();
    const sentOrder: string[] = [];
    let failures = 0;
    const run = `${Date.now()}`;
    const { skipped } = await atFixedRate(RATE, SECONDS, async (i) => {
      const id = `wamid.burst.${run}.${i}`;
      sentOrder.push(id);
      const { body, headers } = signedWhatsApp({ phoneNumberId: PHONE_NUMBER_ID, appSecret: APP_SECRET, from, id, text: `photo ${i}` });
      const t0 = performance.now();
      const res = await request(`${stack.webUrl}/api/v1/webhooks/whatsapp`, { method: "POST", body, headers, dispatcher: agent });
      await res.body.dump();
      ackMs.push(performance.now() - t0);
      ackedAt.set(id, Date.now());
      if (res.statusCode !== 200) failures++;
    });
    await until(async () => visibleAt.size, (n) => n >= sentOrder.length, 60_000, 100);
    subscriber.disconnect();
    await agent.close();

    const { rows } = await stack.db.pool.query<{ id: string; external_id: string; receipt_id: string }>(
      `select m.id, m.external_id, m.receipt_id from messages m join contact_identities i on i.contact_id = (select contact_id from conversations where id = m.conversation_id)
       where i.external_id = $1 and m.external_id like $2 order by m.created_at, m.id`,
      [from, `wamid.burst.${run}.%`],
    );
    const visibleMs = rows.filter((r) => visibleAt.has(r.id) && ackedAt.has(r.external_id)).map((r) => visibleAt.get(r.id)! - ackedAt.get(r.external_id)!);
    // Requests in flight at the same time have no order of their own; what Alfred promises is arrival order (receipt ids).
    const receiptOrder = rows.map((r) => Number(r.receipt_id));
    const inOrder = receiptOrder.every((id, i) => i === 0 || id > receiptOrder[i - 1]!);
    return [
      { name: "ack p50", value: percentile(ackMs, 50), unit: "ms", note: `${RATE}/s for ${SECONDS}s, one sender` },
      { name: "ack p99", value: percentile(ackMs, 99), unit: "ms", goal: "< 100 ms" },
      { name: "ack -> visible in an open inbox, p50", value: percentile(visibleMs, 50), unit: "ms" },
      { name: "ack -> visible in an open inbox, p99", value: percentile(visibleMs, 99), unit: "ms", goal: "< 1000 ms" },
      { name: "thread in arrival order", value: inOrder ? 1 : 0, unit: inOrder ? "yes" : "NO", note: `${rows.length} of ${sentOrder.length} stored, ${failures} non-200, ${skipped} not sent (too many in flight)` },
    ];
  },
};
