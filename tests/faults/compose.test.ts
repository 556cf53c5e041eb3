import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { queuePrefixSchema } from "@alfred/automation";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./lib/processes";

/**
 * compose.yaml cannot be run here (no Docker), so it is checked as data: the services a deployment
 * at scale needs, each with a healthcheck, Redis set up the way BullMQ requires, a Cluster-safe queue
 * prefix, connection pools that fit Postgres, and the proxy pointing at the web replicas.
 */

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const compose = parse(readFileSync(path.join(ROOT, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;

describe("compose.yaml", () => {
  it("runs Postgres, Redis, a migration job, two web replicas and two workers behind a proxy", () => {
    expect(Object.keys(services).sort()).toEqual(["migrate", "postgres", "proxy", "redis", "web-1", "web-2", "worker-1", "worker-2"]);
    for (const [name, service] of Object.entries(services)) {
      if (name !== "migrate") expect(service.healthcheck?.test.length, `${name} has a healthcheck`).toBeGreaterThan(0);
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(services).toHaveProperty(dependency);
      if (service.build) expect(existsSync(path.join(ROOT, service.build.context, service.build.dockerfile)), `${name}: ${service.build.dockerfile}`).toBe(true);
    }
    for (const name of ["web-1", "web-2", "worker-1", "worker-2"]) expect(services[name]!.depends_on).toMatchObject({ migrate: { condition: "service_completed_successfully" } });
  });

  it("keeps every Redis key (noeviction) and persists it (AOF)", () => {
    const command = services.redis!.command!.join(" ");
    expect(command).toContain("--maxmemory-policy noeviction");
    expect(command).toContain("--appendonly yes");
    expect(services.redis!.volumes).toEqual([expect.stringMatching(/:\/data$/)]);
  });

  it("gives web and workers the same settings, a Redis Cluster hash tag as queue prefix, and pools that fit max_connections", () => {
    const env = (name: string) => services[name]!.environment!;
    const shared = ["DATABASE_URL", "REDIS_URL", "QUEUE_PREFIX", "NEXTAUTH_SECRET", "AUTH_JWT_SECRET", "AUTOMATION_ENCRYPTION_KEYS", "STORAGE_DIR"];
    for (const name of ["web-2", "worker-1", "worker-2"]) for (const key of shared) expect(env(name)[key], `${name} ${key}`).toBe(env("web-1")[key]);
    // Local-disk storage works across replicas only on one shared volume, mounted where STORAGE_DIR points.
    for (const name of ["web-1", "web-2", "worker-1", "worker-2"]) expect(services[name]!.volumes).toContain(`storage:${env("web-1").STORAGE_DIR}`);
    const prefix = env("web-1").QUEUE_PREFIX!;
    expect(queuePrefixSchema.parse(prefix)).toMatch(/^\{[^}]+\}$/);
    const pools = ["web-1", "web-2", "worker-1", "worker-2"].reduce((sum, name) => sum + Number(env(name).DATABASE_POOL_SIZE), 0);
    const maxConnections = Number(/max_connections=(\d+)/.exec(services.postgres!.command!.join(" "))![1]);
    expect(pools).toBeLessThan(maxConnections / 2); // room for the migration job, operators, another replica
  });

  it("has the proxy balance both web replicas and leave the live feed unbuffered", () => {
    const nginx = readFileSync(path.join(ROOT, "deploy/nginx.conf"), "utf8");
    expect(nginx).toContain("server web-1:3000");
    expect(nginx).toContain("server web-2:3000");
    expect(nginx).toContain("proxy_buffering off");
    expect(services["web-1"]!.environment!.TRUSTED_PROXY_HOPS).toBe("1");
  });

  it("builds the web image from Next's standalone output, and the worker from its bundle", () => {
    const web = readFileSync(path.join(ROOT, "deploy/web.Dockerfile"), "utf8");
    expect(web).toContain("NEXT_OUTPUT=standalone");
    expect(web).toContain(".next/standalone");
    expect(readFileSync(path.join(ROOT, "apps/web/next.config.ts"), "utf8")).toMatch(/output: "standalone"/);
    expect(readFileSync(path.join(ROOT, "deploy/worker.Dockerfile"), "utf8")).toContain("apps/worker/dist/index.js");
  });
});
