import { createRedis } from "@alfred/core";
import { createDb } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@alfred/db";
import journal from "../../db/drizzle/meta/_journal.json" with { type: "json" };
import { checkReadiness } from "./health";

let database: TestDatabase;
const liveRedis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "client");
// Nothing listens on port 1: a Redis that is really down, not a stub.
const deadRedis = createRedis("redis://127.0.0.1:1", "client", { retryStrategy: () => null, lazyConnect: true });
deadRedis.on("error", () => undefined);
const deadDb = createDb("postgres://postgres@127.0.0.1:5432/alfred_test_missing_database", { max: 1 });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  liveRedis.disconnect();
  deadRedis.disconnect();
  await deadDb.close();
  await database.destroy();
});

describe("readiness", () => {
  it("is ready when Postgres and Redis answer and every migration is applied", async () => {
    expect(await checkReadiness({ db: database.db, redis: liveRedis })).toEqual({ status: "ready", db: "ok", redis: "ok", migrations: "ok" });
  });

  it("names Redis when it is down", async () => {
    expect(await checkReadiness({ db: database.db, redis: deadRedis }, 1_000)).toEqual({ status: "not_ready", db: "ok", redis: "down", migrations: "ok" });
  });

  it("names Postgres when its database cannot be reached (migrations then unknown)", async () => {
    expect(await checkReadiness({ db: deadDb.db, redis: liveRedis }, 1_000)).toEqual({ status: "not_ready", db: "down", redis: "ok", migrations: "unknown" });
  });

  it("names the migrations this database has not applied", async () => {
    const latest = journal.entries.at(-1)!;
    await database.db.execute(sql`delete from drizzle.__drizzle_migrations where created_at = ${latest.when}`);
    expect(await checkReadiness({ db: database.db, redis: liveRedis })).toEqual({ status: "not_ready", db: "ok", redis: "ok", migrations: "pending", pending_migrations: [latest.tag] });
    await database.db.execute(sql`drop table drizzle.__drizzle_migrations`);
    const all = await checkReadiness({ db: database.db, redis: liveRedis });
    expect(all.pending_migrations).toEqual(journal.entries.map((e) => e.tag));
  });
});
