import { describe, expect, it } from "vitest";
import { loadEnv } from "./env";

describe("loadEnv", () => {
  it("needs no variables: local defaults", () => {
    expect(loadEnv({})).toEqual({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/alfred",
      REDIS_URL: "redis://127.0.0.1:6379",
      WORKER_HTTP_PORT: 3001,
      QUEUE_PREFIX: "alfred",
      LOG_LEVEL: "info",
      NODE_ENV: "development",
    });
  });

  it("treats empty values as unset and coerces the port", () => {
    const env = loadEnv({ QUEUE_PREFIX: "", WORKER_HTTP_PORT: "4010", LOG_LEVEL: "", REDIS_URL: "rediss://cache.internal:6380" });
    expect(env).toMatchObject({ QUEUE_PREFIX: "alfred", WORKER_HTTP_PORT: 4010, LOG_LEVEL: "info", REDIS_URL: "rediss://cache.internal:6380" });
  });

  it.each([
    ["DATABASE_URL", "mysql://localhost/alfred"],
    ["DATABASE_URL", "not a url"],
    ["REDIS_URL", "http://127.0.0.1:6379"],
    ["WORKER_HTTP_PORT", "http"],
    ["WORKER_HTTP_PORT", "70000"],
    ["WORKER_HTTP_PORT", "30.5"],
    ["QUEUE_PREFIX", "has:colon"],
    ["LOG_LEVEL", "verbose"],
    ["NODE_ENV", "staging"],
  ])("rejects %s=%s with a message naming it", (name, value) => {
    expect(() => loadEnv({ [name]: value })).toThrow(new RegExp(`^worker: invalid environment\\n  ${name}: `));
  });

  it("names every bad variable at once", () => {
    expect(() => loadEnv({ REDIS_URL: "nope", WORKER_HTTP_PORT: "-1" })).toThrow(/REDIS_URL: [^\n]+\n {2}WORKER_HTTP_PORT: /);
  });
});
