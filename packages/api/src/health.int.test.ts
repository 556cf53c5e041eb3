import { createRedis } from "@alfred/core";
import { createDb } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHealth } from "./health";

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

describe("health", () => {
  it("is ok when Postgres and Redis both answer", async () => {
    expect(await checkHealth({ db: database.db, redis: liveRedis })).toEqual({ status: "ok", db: "ok", redis: "ok" });
  });

  it("names Redis when it is down", async () => {
    expect(await checkHealth({ db: database.db, redis: deadRedis }, 1_000)).toEqual({ status: "degraded", db: "ok", redis: "down" });
  });

  it("names Postgres when its database cannot be reached", async () => {
    expect(await checkHealth({ db: deadDb.db, redis: liveRedis }, 1_000)).toEqual({ status: "degraded", db: "down", redis: "ok" });
  });
});
