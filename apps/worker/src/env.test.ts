import { describe, expect, it } from "vitest";
import { loadEnv } from "./env";

const KEYS = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

describe("loadEnv", () => {
  it("needs only the encryption key ring: local defaults for the rest", () => {
    expect(loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS })).toEqual({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/alfred",
      REDIS_URL: "redis://127.0.0.1:6379",
      WORKER_HTTP_PORT: 3001,
      QUEUE_PREFIX: "alfred",
      DATABASE_POOL_SIZE: 16,
      LOG_LEVEL: "info",
      NODE_ENV: "development",
      AUTOMATION_DELIVERY_CONCURRENCY: 64,
      AUTOMATION_DELIVERY_CONCURRENCY_PER_DESTINATION: 16,
      RECEIPT_RETENTION_DAYS: 30,
      AI_TIMEOUT_MS: 15_000,
      AUTOMATION_ENCRYPTION_KEYS: KEYS,
      automation: {
        ssrfAllowlist: { entries: [] },
        replayWindowSeconds: 300,
        deliveryTimeoutMs: 10_000,
        retryScheduleSeconds: [60, 300, 900, 3600, 21600],
        disableAfterHours: 120,
        rotationGraceSeconds: 86_400,
      },
    });
  });

  it("refuses to start without AUTOMATION_ENCRYPTION_KEYS, or with a malformed ring, naming it", () => {
    expect(() => loadEnv({})).toThrow(/^worker: invalid environment\n {2}AUTOMATION_ENCRYPTION_KEYS: /);
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: "k1:dG9vLXNob3J0" })).toThrow(/AUTOMATION_ENCRYPTION_KEYS: key "k1" must be 32 bytes/);
  });

  it("parses the automation settings, naming a bad one", () => {
    const env = loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, AUTOMATION_RETRY_SCHEDULE_SECONDS: "1,2,3", AUTOMATION_SSRF_ALLOWLIST: "127.0.0.1:4000" });
    expect(env.automation.retryScheduleSeconds).toEqual([1, 2, 3]);
    expect(env.automation.ssrfAllowlist.entries).toHaveLength(1);
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, AUTOMATION_RETRY_SCHEDULE_SECONDS: "300,60" })).toThrow(/AUTOMATION_RETRY_SCHEDULE_SECONDS: .*must not decrease/);
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, AUTOMATION_SSRF_ALLOWLIST: "http://x" })).toThrow(/^worker: invalid environment\n {2}AUTOMATION_SSRF_ALLOWLIST entry "http:\/\/x"/);
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, EGRESS_ALLOWLIST: "10.0.0.0/33" })).toThrow(/^worker: invalid environment\n {2}EGRESS_ALLOWLIST entry "10.0.0.0\/33"/);
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, AUTOMATION_DELIVERY_TIMEOUT_MS: "0" })).toThrow(/AUTOMATION_DELIVERY_TIMEOUT_MS: /);
  });

  it("reads the egress allow-list from EGRESS_ALLOWLIST, else from its old name", () => {
    const sources = (env: Record<string, string>) => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, ...env }).automation.ssrfAllowlist.entries.map((e) => e.source);
    expect(sources({ EGRESS_ALLOWLIST: "127.0.0.1:4000,10.0.0.0/8" })).toEqual(["127.0.0.1:4000", "10.0.0.0/8"]);
    expect(sources({ AUTOMATION_SSRF_ALLOWLIST: "127.0.0.1:5000" })).toEqual(["127.0.0.1:5000"]);
    expect(sources({ EGRESS_ALLOWLIST: "127.0.0.1:4000", AUTOMATION_SSRF_ALLOWLIST: "127.0.0.1:5000" })).toEqual(["127.0.0.1:4000"]);
    expect(sources({ EGRESS_ALLOWLIST: "", AUTOMATION_SSRF_ALLOWLIST: "127.0.0.1:5000" })).toEqual(["127.0.0.1:5000"]);
  });

  it("accepts a Redis Cluster hash tag as the prefix", () => {
    expect(loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, QUEUE_PREFIX: "{alfred}" }).QUEUE_PREFIX).toBe("{alfred}");
  });

  it("treats empty values as unset and coerces the port", () => {
    const env = loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, QUEUE_PREFIX: "", WORKER_HTTP_PORT: "4010", LOG_LEVEL: "", REDIS_URL: "rediss://cache.internal:6380" });
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
    ["QUEUE_PREFIX", "{unclosed"],
    ["QUEUE_PREFIX", "{a}{b}"],
    ["LOG_LEVEL", "verbose"],
    ["NODE_ENV", "staging"],
    ["AUTOMATION_DELIVERY_CONCURRENCY", "0"],
    ["AUTOMATION_DELIVERY_CONCURRENCY", "many"],
    ["AUTOMATION_DELIVERY_CONCURRENCY_PER_DESTINATION", "2.5"],
    ["RECEIPT_RETENTION_DAYS", "0"],
    ["DATABASE_POOL_SIZE", "2"],
  ])("rejects %s=%s with a message naming it", (name, value) => {
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, [name]: value })).toThrow(new RegExp(`^worker: invalid environment\\n  ${name}: `));
  });

  it("names every bad variable at once", () => {
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, REDIS_URL: "nope", WORKER_HTTP_PORT: "-1" })).toThrow(/REDIS_URL: [^\n]+\n {2}WORKER_HTTP_PORT: /);
  });

  it("takes an OpenAI-compatible model only with its name, and refuses a base URL that is not http(s)", () => {
    expect(loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, AI_BASE_URL: "http://127.0.0.1:11434/v1", AI_MODEL: "llama3", AI_API_KEY: "sk-test" })).toMatchObject({ AI_BASE_URL: "http://127.0.0.1:11434/v1", AI_MODEL: "llama3" });
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, AI_BASE_URL: "http://127.0.0.1:11434/v1" })).toThrow(/AI_MODEL: is required when AI_BASE_URL is set/);
    expect(() => loadEnv({ AUTOMATION_ENCRYPTION_KEYS: KEYS, AI_BASE_URL: "ftp://models.example", AI_MODEL: "m" })).toThrow(/AI_BASE_URL: /);
  });
});
