import { sql } from "@alfred/db";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

const withTimeout = <T,>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms))]);

/** 200 when Postgres and Redis both answer within 2 s; 503 naming the failing part otherwise. */
export async function GET() {
  const { db, redis } = deps();
  const [pg, rd] = await Promise.allSettled([withTimeout(db.execute(sql`select 1`), 2_000), withTimeout(redis.ping(), 2_000)]);
  const body = { status: "ok", db: pg.status === "fulfilled" ? "ok" : "down", redis: rd.status === "fulfilled" ? "ok" : "down" };
  if (body.db !== "ok" || body.redis !== "ok") body.status = "degraded";
  return Response.json(body, { status: body.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
