import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalDiskStorage } from "@alfred/storage";
import { issueTokenPair, registerTenant, createUser, type Principal, type Role } from "@alfred/auth";
import { automationSettingsFrom, automationEnvSchema } from "@alfred/automation";
import { createLogger, createRedis, generateKeyRingEntry } from "@alfred/core";
import { createChannel, ingestMessage, newScope } from "@alfred/crm";
import { eq, schema } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import type { Redis } from "ioredis";
import { assembleApiDeps, createContext, type ApiDeps } from "../context";
import { createApiKeyResolver, handleRestRequest } from "../rest";
import { createCaller } from "../root";

/**
 * Real Postgres (a fresh database cloned from the migrated template) and real Redis (a key prefix
 * of its own) for one test file. No mocks of our own storage.
 */
export interface ApiHarness {
  database: TestDatabase;
  redis: Redis;
  deps: ApiDeps;
  prefix: string;
  /** The local-disk blob storage folder of this file (removed on close). */
  storageDir: string;
  close(): Promise<void>;
}

/**
 * `settings` overrides automation env values (e.g. a short retry schedule) for this file. The
 * egress allow-list defaults to all of 127.0.0.1 (fake providers on random ports); a file that
 * proves what the guard refuses passes its own EGRESS_ALLOWLIST naming exactly its fakes.
 */
export async function createApiHarness(settings: Record<string, string> = {}): Promise<ApiHarness> {
  const database = await createTestDatabase();
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "client");
  const prefix = `alfred_test_${randomBytes(4).toString("hex")}`;
  const logger = createLogger("test", "silent");
  const storageDir = mkdtempSync(path.join(tmpdir(), "alfred-api-storage-"));
  const deps = assembleApiDeps({
    storage: new LocalDiskStorage(storageDir),
    db: database.db,
    redis,
    logger,
    prefix,
    jwtSecret: randomBytes(32).toString("hex"),
    keyRing: generateKeyRingEntry("test"),
    automation: automationSettingsFrom(automationEnvSchema.parse({ EGRESS_ALLOWLIST: "127.0.0.1/32", ...settings })),
  });
  return {
    database,
    redis,
    deps,
    prefix,
    storageDir,
    async close() {
      rmSync(storageDir, { recursive: true, force: true });
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await deps.producer.close();
      redis.disconnect();
      await database.destroy();
    },
  };
}

export interface TenantFixture {
  admin: Principal;
  manager: Principal;
  agent: Principal;
  password: string;
}

const unique = () => randomBytes(4).toString("hex");

/** A tenant with one user per role, all with the same password. */
export async function seedTenant(deps: ApiDeps, name = `Tenant ${unique()}`): Promise<TenantFixture> {
  const password = "correct horse battery";
  const admin = await registerTenant(deps.db, { email: `admin-${unique()}@example.test`, password, name: "Ada Admin", tenantName: name });
  const make = async (role: Role, person: string): Promise<Principal> => {
    const user = await createUser(deps.db, admin.tenantId, { email: `${role}-${unique()}@example.test`, name: person, role, password });
    return { userId: user.id, tenantId: admin.tenantId, role, email: user.email, name: user.name, tenantName: name };
  };
  return { admin, manager: await make("manager", "Max Manager"), agent: await make("agent", "Ann Agent"), password };
}

/** A tRPC caller acting as `principal` through a browser session. */
export function callerFor(deps: ApiDeps, principal: Principal | null) {
  return createCaller(
    createContext(deps, {
      auth: principal ? { userId: principal.userId, tenantId: principal.tenantId, via: "session" } : null,
      correlationId: `test-${unique()}`,
    }),
  );
}

/** A WhatsApp channel with one customer message in it, stored the way the webhook stores it. */
export async function seedConversation(deps: ApiDeps, tenantId: string, phoneNumberId: string): Promise<{ channelId: string; conversationId: string; contactId: string }> {
  const channel = await createChannel(deps.db, deps.keys, deps.automation, tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: phoneNumberId, access_token: "x", app_secret: "y", verify_token: "z" } });
  const [row] = await deps.db.select().from(schema.channels).where(eq(schema.channels.id, channel.id));
  const { conversationId } = await ingestMessage(deps.db, newScope(tenantId, { type: "system", id: null }), row!, {
    externalId: `wamid.${randomBytes(8).toString("hex")}`,
    channelAccountId: phoneNumberId,
    from: { externalId: "15550001111", name: "Hana Customer" },
    type: "text",
    body: "hello",
    sentAt: new Date(),
    raw: {},
  });
  const [conversation] = await deps.db.select({ contactId: schema.conversations.contactId }).from(schema.conversations).where(eq(schema.conversations.id, conversationId));
  return { channelId: channel.id, conversationId, contactId: conversation!.contactId };
}

export async function accessTokenFor(deps: ApiDeps, principal: Principal): Promise<string> {
  return (await issueTokenPair(principal, deps.jwtSecret)).access_token;
}

export interface RestResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary JSON
}

/** Calls the REST adapter exactly as the Next route does (API keys included), with a real Request. */
export async function rest(
  deps: ApiDeps,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<RestResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const request = new Request(`http://alfred.test/api/v1${path}`, { method, headers, body });
  const response = await handleRestRequest(request, path.split("?")[0]!, deps, { resolveApiKey: createApiKeyResolver(deps) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}
