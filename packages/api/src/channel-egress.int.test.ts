import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { channelSendJobId } from "@alfred/automation";
import { startFakeGraphApi, startFakeSmtpServer, type FakeGraphApi, type FakeSmtpServer } from "@alfred/channels";
import { decryptChannelSecrets, getChannelRow, ingestMessage, newScope } from "@alfred/crm";
import { createEgressClient, type EgressClient } from "@alfred/egress";
import { BLOCKED_HOSTS, fakeResolver, startConnectionTrap, type ConnectionTrap } from "@alfred/egress/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChannelSendProcessor } from "../../../apps/worker/src/processors/channel-sends";
import { accessTokenFor, callerFor, createApiHarness, rest, seedTenant, type ApiHarness, type TenantFixture } from "./testing/harness";

/**
 * Issue #10 as an attacker would try it: a tenant admin points a channel somewhere inside our
 * network. Every tenant-settable URL of every channel type is refused when saved (422 naming the
 * field, with the reason) and, if a row is forced past that, when the worker sends (the message
 * fails with "address not allowed" and nothing reaches the loopback listener). The allow-list names
 * exactly this file's fake providers, and they keep working.
 */

let h: ApiHarness;
let t: TenantFixture;
let token: string;
let graph: FakeGraphApi;
let smtp: FakeSmtpServer;
let receiver: Server;
let receiverUrl: string;
let trap: ConnectionTrap;
let egress: EgressClient;
let processor: ReturnType<typeof createChannelSendProcessor>;

const unique = () => String(randomBytes(5).readUIntBE(0, 5));
/** The accounts the fake Graph API knows (token "t"); other channels get fresh ids. */
const ACCOUNTS = { whatsapp: unique(), messenger: unique(), instagram: unique() };

beforeAll(async () => {
  graph = await startFakeGraphApi({ whatsapp: { [ACCOUNTS.whatsapp]: "t" }, messenger: { [ACCOUNTS.messenger]: "t" }, instagram: { [ACCOUNTS.instagram]: "t" } });
  smtp = await startFakeSmtpServer();
  receiver = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"id":"rcv-1"}'));
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/outbound`;
  trap = await startConnectionTrap();
  h = await createApiHarness({ EGRESS_ALLOWLIST: [graph.baseUrl, smtp.url, receiverUrl].map((url) => new URL(url).host).join(",") });
  // Names whose DNS answers point inside (as a rebinding attacker's would).
  h.deps.automation.resolve = fakeResolver({ "graph.rebound.test": ["127.0.0.1"], "mail.internal.test": ["10.0.0.25"] });
  egress = createEgressClient(h.deps.automation);
  processor = createChannelSendProcessor({ db: h.deps.db, logger: h.deps.logger, keys: h.deps.keys, producer: h.deps.producer, egress });
  t = await seedTenant(h.deps);
  token = await accessTokenFor(h.deps, t.admin);
});

afterAll(async () => {
  await egress.close();
  await h.close();
  await graph.close();
  await smtp.close();
  await trap.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

type UrlField = {
  type: "whatsapp" | "messenger" | "instagram" | "api" | "email";
  field: "api_base_url" | "send_url" | "smtp_url";
  /** Complete settings for a new channel of the type, with `url` in the field (and `account` as its id). */
  settings: (url: string, account?: string) => Record<string, unknown>;
  /** The forms a hostile host is tried in. */
  forms: (host: string, port: number) => string[];
  /** A URL the allow-list lets through (this file's fake provider). */
  allowed: () => string;
};

const httpForms = (host: string, port: number) => [`http://${host}:${port}/v21.0`, `https://${host}:${port}/hook`];
const smtpForms = (host: string, port: number) => [`smtp://${host}:${port}`, `smtps://user:s3cret@${host}:${port}`];
const meta = (accountField: string, tokenField: string) => (url: string, account = unique()) => ({
  [accountField]: account,
  [tokenField]: "t",
  app_secret: "s",
  verify_token: `v-${unique()}`,
  api_base_url: url,
});

const URL_FIELDS: UrlField[] = [
  { type: "whatsapp", field: "api_base_url", settings: meta("phone_number_id", "access_token"), forms: httpForms, allowed: () => graph.baseUrl },
  { type: "messenger", field: "api_base_url", settings: meta("page_id", "page_access_token"), forms: httpForms, allowed: () => graph.baseUrl },
  { type: "instagram", field: "api_base_url", settings: meta("instagram_account_id", "access_token"), forms: httpForms, allowed: () => graph.baseUrl },
  { type: "api", field: "send_url", settings: (url) => ({ secret: "s", send_url: url }), forms: httpForms, allowed: () => receiverUrl },
  { type: "email", field: "smtp_url", settings: (url) => ({ inbound_address: `support-${unique()}@acme.test`, signing_key: "k", smtp_url: url }), forms: smtpForms, allowed: () => smtp.url },
];

const channelCount = async () => (await h.database.pool.query<{ n: number }>(`select count(*)::int as n from channels where tenant_id = $1`, [t.admin.tenantId])).rows[0]!.n;

describe.each(URL_FIELDS)("$type config.$field at save", ({ type, field, settings, forms, allowed }) => {
  let existing: { id: string; before: unknown };

  beforeAll(async () => {
    const created = await rest(h.deps, "POST", "/channels", { token, body: { type, name: `${type} fake`, config: settings(allowed()) } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    existing = { id: created.body.id, before: (await h.database.pool.query(`select * from channels where id = $1`, [created.body.id])).rows[0] };
  });

  const refused = async (method: "POST" | "PATCH", url: string) => {
    const res =
      method === "POST"
        ? await rest(h.deps, "POST", "/channels", { token, body: { type, name: "hostile", config: settings(url) } })
        : await rest(h.deps, "PATCH", `/channels/${existing.id}`, { token, body: { config: { [field]: url } } });
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(422);
    expect(res.body.error.path).toBe(`config.${field}`);
    expect(res.body.error.message.startsWith(`config.${field} `), res.body.error.message).toBe(true);
    expect(res.body.error.message).not.toContain("s3cret");
    return res.body.error.message as string;
  };

  it.each(BLOCKED_HOSTS)("refuses %s (%s) at create and at update, naming the field and the reason", async (host) => {
    const before = await channelCount();
    for (const url of forms(host, trap.port)) {
      for (const method of ["POST", "PATCH"] as const) expect(await refused(method, url)).toMatch(/points to .*, which is not allowed: .{4,}/);
    }
    expect(await channelCount()).toBe(before);
    expect((await h.database.pool.query(`select * from channels where id = $1`, [existing.id])).rows[0]).toEqual(existing.before);
  });

  it("refuses names that resolve inside, other ports of the allowed host, and malformed URLs", async () => {
    const [http, secure] = forms("127.0.0.1", trap.port);
    expect(await refused("POST", http!)).toMatch(/loopback/);
    expect(await refused("PATCH", secure!)).toMatch(/loopback/);
    expect(await refused("POST", forms("graph.rebound.test", 443)[0]!)).toMatch(/resolves to 127\.0\.0\.1, which is not allowed: loopback/);
    expect(await refused("PATCH", forms("mail.internal.test", 25)[1]!)).toMatch(/resolves to 10\.0\.0\.25, which is not allowed: private network/);
    expect(await refused("POST", forms("localhost", Number(new URL(allowed()).port))[0]!)).toMatch(/loopback/);
    const wrongScheme = field === "smtp_url" ? "http://smtp.example.com" : "ftp://graph.example.com/v21.0";
    expect(await refused("POST", wrongScheme)).toMatch(/must use/);
    if (field === "smtp_url") expect(await refused("PATCH", `smtp://x.example.com?proxy=http://127.0.0.1:${trap.port}`)).toMatch(/\?options/);
    else expect(await refused("PATCH", `http://user:pw@graph.example.com/v21.0`)).toMatch(/username or password/);
    expect(trap.connections).toBe(0);
  });
});

describe("a channel row forced past the save check is refused at send", () => {
  /** Overwrites the channel's URL in the database, in config or (smtp_url) in the encrypted secrets. */
  async function force(channelId: string, field: UrlField["field"], url: string) {
    if (field !== "smtp_url") {
      await h.database.pool.query(`update channels set config = jsonb_set(config, $2, to_jsonb($3::text)) where id = $1`, [channelId, `{${field}}`, url]);
      return;
    }
    const row = await getChannelRow(h.deps.db, t.admin.tenantId, channelId);
    const secrets = { ...decryptChannelSecrets(h.deps.keys, row), smtp_url: url };
    await h.database.pool.query(`update channels set secrets_encrypted = $2 where id = $1`, [channelId, h.deps.keys.encrypt(JSON.stringify(secrets))]);
  }

  /** One inbound message, one agent reply, one run of the worker's processor (its last attempt). */
  async function replyThroughWorker(channelId: string, customer: string) {
    const channel = await getChannelRow(h.deps.db, t.admin.tenantId, channelId);
    const inbound = await ingestMessage(h.deps.db, newScope(t.admin.tenantId, { type: "system", id: null }), channel, {
      externalId: `in-${unique()}`,
      channelAccountId: channel.externalId ?? channel.id,
      from: { externalId: customer, name: "Customer", ...(channel.type === "email" ? { email: customer } : {}) },
      type: "text",
      body: "hello",
      sentAt: new Date(),
      raw: {},
    });
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: inbound.conversationId, body: "our reply" });
    const job = await h.deps.producer.channelSends.getJob(channelSendJobId(id));
    job!.attemptsMade = 2;
    const result = await processor(job as never);
    const [message] = (await h.database.pool.query(`select status, error from messages where id = $1`, [id])).rows;
    return { result, message };
  }

  const hostileAtSend = (field: UrlField["field"]) =>
    field === "smtp_url"
      ? [`smtp://127.0.0.1:${trap.port}`, `smtps://u:p@2130706433:${trap.port}`, `smtp://[::ffff:7f00:1]:${trap.port}`, `smtp://graph.rebound.test:${trap.port}`, "smtp://169.254.169.254:25"]
      : [`http://127.0.0.1:${trap.port}/v21.0`, `http://0x7f.1:${trap.port}/v21.0`, `http://[::ffff:127.0.0.1]:${trap.port}/v21.0`, `http://graph.rebound.test:${trap.port}/v21.0`, "http://169.254.169.254/latest"];

  it.each(URL_FIELDS)("$type config.$field: the message fails with 'address not allowed', nothing reaches the listener", async ({ type, field, settings, allowed }) => {
    const created = await rest(h.deps, "POST", "/channels", { token, body: { type, name: `${type} forced`, config: settings(allowed()) } });
    expect(created.status).toBe(201);
    const providerCalls = graph.requests.length + smtp.messages.length;
    for (const url of hostileAtSend(field)) {
      await force(created.body.id, field, url);
      const { result, message } = await replyThroughWorker(created.body.id, type === "email" ? `c-${unique()}@example.org` : `c-${unique()}`);
      expect(result, url).toEqual({ sent: 0, failed: 1, skipped: 0 });
      expect(message, url).toEqual({ status: "failed", error: "address not allowed" });
    }
    expect(trap.connections).toBe(0);
    expect(graph.requests.length + smtp.messages.length).toBe(providerCalls);
  });

  it.each(URL_FIELDS)("$type config.$field: the allow-listed fake provider still gets the reply", async ({ type, settings, allowed }) => {
    const account = type === "whatsapp" || type === "messenger" || type === "instagram" ? ACCOUNTS[type] : undefined;
    const created = await rest(h.deps, "POST", "/channels", { token, body: { type, name: `${type} working`, config: settings(allowed(), account) } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { result, message } = await replyThroughWorker(created.body.id, type === "email" ? `c-${unique()}@example.org` : `c-${unique()}`);
    expect({ result, message }).toEqual({ result: { sent: 1, failed: 0, skipped: 0 }, message: { status: "sent", error: null } });
  });
});
