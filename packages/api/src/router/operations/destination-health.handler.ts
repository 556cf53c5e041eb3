import type { Principal } from "@alfred/auth";
import { AppError } from "@alfred/core";
import { and, eq, sql } from "@alfred/db";
import { automationDestinations } from "@alfred/db/schema";
import type { z } from "zod";
import type { Context } from "../../context";
import { HEALTH_WINDOWS, type destinationHealthInput, type destinationHealthOutput } from "./operations.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };
type Output = z.infer<typeof destinationHealthOutput>;

const HOUR_MS = 3_600_000;

type HourRow = {
  hour: string | null;
  delivered: number;
  failed: number;
  pending: number;
  cancelled: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
};

const ms = (value: number | null) => (value === null ? null : Math.round(Number(value)));

/**
 * One destination's deliveries per hour over the last 24 h or 7 days, by outcome, with latency
 * percentiles (event committed -> delivered; a delivery row is written in the event's
 * transaction). One GROUP BY on `automation_deliveries_tenant_destination_idx`; a destination the
 * tenant does not have is NOT_FOUND.
 */
export async function destinationHealthHandler({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof destinationHealthInput> }): Promise<Output> {
  const [destination] = await ctx.db
    .select({ id: automationDestinations.id })
    .from(automationDestinations)
    .where(and(eq(automationDestinations.tenantId, ctx.tenantId), eq(automationDestinations.id, input.id)));
  if (!destination) throw new AppError("not_found", "destination not found");

  const hours = HEALTH_WINDOWS[input.window];
  const until = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const since = until - hours * HOUR_MS;
  const latencyMs = sql`extract(epoch from delivered_at - created_at) * 1000`;
  const percentiles = sql`percentile_cont(array[0.5, 0.95, 0.99]) within group (order by ${latencyMs}) filter (where status = 'delivered')`;
  const counts = sql`count(*) filter (where status = 'delivered')::int as delivered, count(*) filter (where status = 'failed')::int as failed,
    count(*) filter (where status in ('pending', 'delivering'))::int as pending, count(*) filter (where status = 'cancelled')::int as cancelled`;
  const scope = sql`tenant_id = ${ctx.tenantId} and destination_id = ${input.id} and created_at >= ${new Date(since).toISOString()}::timestamptz and created_at < ${new Date(until).toISOString()}::timestamptz`;
  const result = await ctx.db.execute<HourRow>(sql`
    with grouped as (
      select date_trunc('hour', created_at) as hour, ${counts}, ${percentiles} as p
      from automation_deliveries where ${scope} group by grouping sets ((date_trunc('hour', created_at)), ())
    )
    select hour, delivered, failed, pending, cancelled, p[1] as p50, p[2] as p95, p[3] as p99 from grouped`);

  const byHour = new Map<number, HourRow>();
  let total: HourRow | undefined;
  for (const row of result.rows) {
    if (row.hour === null) total = row;
    else byHour.set(new Date(row.hour).getTime(), row);
  }
  const empty = { delivered: 0, failed: 0, pending: 0, cancelled: 0, p50: null, p95: null, p99: null };
  return {
    destination_id: destination.id,
    window: input.window,
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    hours: Array.from({ length: hours }, (_, i) => {
      const at = since + i * HOUR_MS;
      const row = byHour.get(at) ?? { hour: null, ...empty };
      return { hour: new Date(at).toISOString(), delivered: row.delivered, failed: row.failed, pending: row.pending, cancelled: row.cancelled, p50_ms: ms(row.p50), p95_ms: ms(row.p95), p99_ms: ms(row.p99) };
    }),
    totals: { delivered: total?.delivered ?? 0, failed: total?.failed ?? 0, pending: total?.pending ?? 0, cancelled: total?.cancelled ?? 0 },
    latency: { p50_ms: ms(total?.p50 ?? null), p95_ms: ms(total?.p95 ?? null), p99_ms: ms(total?.p99 ?? null) },
  };
}
