import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEgressClient, type EgressClient } from "@alfred/egress";
import { allowlistFor } from "@alfred/egress/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseMailgunInbound } from "../email/mailgun";
import { fixtureBytes } from "../test-helpers";
import { graphError, startFakeGraphApi, type FakeGraphApi } from "../testing/fake-graph-api";
import { startFakeSmtpServer, type FakeSmtpServer } from "../testing/fake-smtp-server";
import { decodeFormFields } from "../webhook";
import { ProviderSendError } from "./errors";
import { sendMessage } from "./index";

const PHONE_ID = "106540352242922";
const WA_TOKEN = "EAAG-whatsapp-token";
const PAGE_ID = "PAGE_1";
const PAGE_TOKEN = "EAAG-page-token";
const IG_ID = "17841400000000000";
const IG_TOKEN = "IGAA-token";

async function failure(p: Promise<unknown>): Promise<ProviderSendError> {
  const result = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (result.ok) throw new Error(`expected a ProviderSendError, got ${JSON.stringify(result.v)}`);
  expect(result.e).toBeInstanceOf(ProviderSendError);
  return result.e as ProviderSendError;
}

const clients: EgressClient[] = [];
/** The guarded client, allowed to reach exactly these fake providers. */
function allowing(...urls: string[]): EgressClient {
  const client = createEgressClient({ ssrfAllowlist: allowlistFor(...urls) });
  clients.push(client);
  return client;
}
afterAll(() => Promise.all(clients.map((client) => client.close())));

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("Graph API senders against a local fake Graph API", () => {
  let fake: FakeGraphApi;
  let egress: EgressClient;
  beforeAll(async () => {
    fake = await startFakeGraphApi({ whatsapp: { [PHONE_ID]: WA_TOKEN }, messenger: { [PAGE_ID]: PAGE_TOKEN }, instagram: { [IG_ID]: IG_TOKEN } });
    egress = allowing(fake.baseUrl);
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.requests.length = 0;
    fake.sent.length = 0;
    fake.closedWindows.clear();
  });

  const wa = (over: Partial<Parameters<typeof sendMessage>[1]> = {}) =>
    sendMessage("whatsapp", {
      egress,
      config: { phone_number_id: PHONE_ID, api_base_url: fake.baseUrl },
      secrets: { access_token: WA_TOKEN },
      to: "16505551234",
      body: "Yes, it also comes in blue.",
      ...over,
    });

  it("WhatsApp success: returns the wamid the provider assigned, sends the documented request", async () => {
    const result = await wa();
    expect(fake.sent).toHaveLength(1);
    expect(result.externalId).toBe(fake.sent[0]?.id);
    expect(result.externalId).toMatch(/^wamid\./);
    const [req] = fake.requests;
    expect(req?.path).toBe(`/v21.0/${PHONE_ID}/messages`);
    expect(req?.headers.authorization).toBe(`Bearer ${WA_TOKEN}`);
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "16505551234",
      type: "text",
      text: { body: "Yes, it also comes in blue." },
    });
  });

  it("a trailing slash in api_base_url is fine", async () => {
    await wa({ config: { phone_number_id: PHONE_ID, api_base_url: `${fake.baseUrl}/` } });
    expect(fake.requests[0]?.path).toBe(`/v21.0/${PHONE_ID}/messages`);
  });

  it("WhatsApp 4xx 131047 (outside the 24-hour window) -> non-retryable with a clear message", async () => {
    fake.closedWindows.add("16505551234");
    const err = await failure(wa());
    expect(err).toMatchObject({ retryable: false, kind: "window_closed", status: 400, providerCode: 131047 });
    expect(err.message).toMatch(/24 hours/);
    expect(fake.sent).toHaveLength(0);
  });

  it("WhatsApp wrong token -> 401 code 190, non-retryable auth", async () => {
    const err = await failure(wa({ secrets: { access_token: "stale" } }));
    expect(err).toMatchObject({ retryable: false, kind: "auth", status: 401, providerCode: 190 });
  });

  it("WhatsApp unknown phone number id -> 400 code 100, non-retryable", async () => {
    const err = await failure(wa({ config: { phone_number_id: "999", api_base_url: fake.baseUrl } }));
    expect(err).toMatchObject({ retryable: false, kind: "provider", status: 400, providerCode: 100, providerSubcode: 33 });
  });

  it("provider 500 -> retryable", async () => {
    fake.enqueue(graphError(500, 1, "An unknown error occurred"));
    const err = await failure(wa());
    expect(err).toMatchObject({ retryable: true, status: 500, providerCode: 1 });
    // The next attempt goes through.
    await expect(wa()).resolves.toMatchObject({ externalId: expect.stringMatching(/^wamid\./) });
  });

  it("provider 429 throttling -> retryable rate_limited", async () => {
    fake.enqueue(graphError(429, 130429, "(#130429) Rate limit hit"));
    expect(await failure(wa())).toMatchObject({ retryable: true, kind: "rate_limited", status: 429 });
  });

  it("provider timeout -> retryable, within the configured timeout", async () => {
    fake.enqueue("hang");
    const started = Date.now();
    const err = await failure(wa({ timeoutMs: 300 }));
    expect(err).toMatchObject({ retryable: true, kind: "timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("connection refused -> retryable network error", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/v21.0`;
    const err = await failure(wa({ egress: allowing(url), config: { phone_number_id: PHONE_ID, api_base_url: url } }));
    expect(err).toMatchObject({ retryable: true, kind: "network" });
  });

  it("2xx without messages[0].id -> non-retryable bad_response (a retry could send twice)", async () => {
    fake.enqueue({ status: 200, body: { messaging_product: "whatsapp" } });
    expect(await failure(wa())).toMatchObject({ retryable: false, kind: "bad_response" });
  });

  it("Messenger success: /me/messages with bearer page token and messaging_type RESPONSE", async () => {
    const result = await sendMessage("messenger", {
      egress,
      config: { page_id: PAGE_ID, api_base_url: fake.baseUrl },
      secrets: { page_access_token: PAGE_TOKEN },
      to: "PSID_42",
      body: "Hi from the page",
    });
    expect(result.externalId).toBe(fake.sent[0]?.id);
    expect(fake.sent[0]).toMatchObject({ product: "messenger", accountId: PAGE_ID, to: "PSID_42", text: "Hi from the page" });
    const [req] = fake.requests;
    expect(req?.path).toBe("/v21.0/me/messages");
    expect(req?.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(req?.body).toEqual({ recipient: { id: "PSID_42" }, messaging_type: "RESPONSE", message: { text: "Hi from the page" } });
  });

  it("Messenger outside the messaging window -> non-retryable window_closed", async () => {
    fake.enqueue(graphError(400, 10, "(#10) This message is sent outside of allowed window.", { error_subcode: 2018278 }));
    const err = await failure(
      sendMessage("messenger", { egress, config: { api_base_url: fake.baseUrl }, secrets: { page_access_token: PAGE_TOKEN }, to: "PSID_42", body: "late" }),
    );
    expect(err).toMatchObject({ retryable: false, kind: "window_closed", providerCode: 10, providerSubcode: 2018278 });
  });

  it("Instagram success: /{instagram_account_id}/messages", async () => {
    const result = await sendMessage("instagram", {
      egress,
      config: { instagram_account_id: IG_ID, api_base_url: fake.baseUrl },
      secrets: { access_token: IG_TOKEN },
      to: "1234567890123456",
      body: "Yes, it is!",
    });
    expect(result.externalId).toBe(fake.sent[0]?.id);
    expect(fake.requests[0]?.path).toBe(`/v21.0/${IG_ID}/messages`);
    expect(fake.requests[0]?.body).toEqual({ recipient: { id: "1234567890123456" }, message: { text: "Yes, it is!" } });
  });

  it("Instagram with the WhatsApp token -> 401", async () => {
    const err = await failure(
      sendMessage("instagram", { egress, config: { instagram_account_id: IG_ID, api_base_url: fake.baseUrl }, secrets: { access_token: WA_TOKEN }, to: "1", body: "x" }),
    );
    expect(err).toMatchObject({ retryable: false, status: 401, kind: "auth" });
  });
});

describe("API channel sender against a local receiver", () => {
  const SECRET = "api-secret";
  let server: Server;
  let url: string;
  const received: Array<{ headers: Record<string, unknown>; raw: string }> = [];
  let nextStatus = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        received.push({ headers: req.headers, raw });
        const expected = `sha256=${createHmac("sha256", SECRET).update(raw).digest("hex")}`;
        if (req.headers["x-alfred-signature"] !== expected) {
          res.writeHead(401).end("bad signature");
          return;
        }
        const status = nextStatus;
        nextStatus = 200;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 ? JSON.stringify({ external_id: `rcv-${received.length}` }) : JSON.stringify({ error: "nope" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/outbound`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const send = (secret = SECRET) =>
    sendMessage("api", { egress: allowing(url), config: { channel_id: "ch_1", send_url: url }, secrets: { secret }, to: "cust-9", body: "Hello", idempotencyKey: "msg-1" });

  it("POSTs a signed body and returns the receiver's id", async () => {
    const result = await send();
    const last = received.at(-1);
    expect(result.externalId).toBe(`rcv-${received.length}`);
    expect(JSON.parse(last?.raw ?? "{}")).toMatchObject({ channel_id: "ch_1", message_id: "msg-1", to: "cust-9", text: "Hello" });
    expect(last?.headers["idempotency-key"]).toBe("msg-1");
  });

  it("a receiver rejecting the signature (401) -> non-retryable", async () => {
    expect(await failure(send("wrong"))).toMatchObject({ retryable: false, status: 401, kind: "auth" });
  });

  it("503 -> retryable, 422 -> not", async () => {
    nextStatus = 503;
    expect(await failure(send())).toMatchObject({ retryable: true, status: 503 });
    nextStatus = 422;
    expect(await failure(send())).toMatchObject({ retryable: false, status: 422 });
  });
});

describe("e-mail sender against a local SMTP server", () => {
  let smtp: FakeSmtpServer;
  let egress: EgressClient;
  beforeAll(async () => {
    smtp = await startFakeSmtpServer();
    egress = allowing(smtp.url);
  });
  afterAll(() => smtp.close());
  afterEach(() => {
    smtp.messages.length = 0;
    smtp.rcptReply = null;
  });

  const config = { inbound_address: "support@inbox.acme.test", from_address: "Acme Support <support@inbox.acme.test>" };

  it("a reply to the Mailgun fixture arrives with In-Reply-To, References and Re: subject", async () => {
    const fields = await decodeFormFields(fixtureBytes("mailgun-inbound.urlencoded"), "application/x-www-form-urlencoded");
    const inbound = parseMailgunInbound(fields).messages[0]!;
    const thread = inbound.email!;
    const result = await sendMessage("email", {
      egress,
      config,
      secrets: { smtp_url: smtp.url },
      to: inbound.from.email!,
      body: "Sorry about that! A replacement is on its way.\n.\nLine after a lone dot.",
      threading: { subject: thread.subject, inReplyTo: thread.messageId, references: thread.references },
    });

    expect(smtp.messages).toHaveLength(1);
    const msg = smtp.messages[0]!;
    expect(msg.mailFrom).toBe("support@inbox.acme.test");
    expect(msg.rcptTo).toEqual(["sheena.nelson@example.com"]);
    expect(msg.headers.get("message-id")).toBe(`<${result.externalId}>`);
    expect(result.externalId).toMatch(/^[0-9a-f-]{36}@inbox\.acme\.test$/);
    expect(msg.headers.get("in-reply-to")).toBe("<CAF=abc123.reply@mail.example.com>");
    expect(msg.headers.get("references")?.split(/\s+/)).toEqual([
      "<CAF=first000@mail.example.com>",
      "<8f14e45f-ceea-467f-a0e6-b3a9c2d1e0f1@inbox.acme.test>",
      "<CAF=abc123.reply@mail.example.com>",
    ]);
    expect(msg.headers.get("subject")).toBe("Re: Order #1042 delivery");
    expect(msg.headers.get("from")).toBe("Acme Support <support@inbox.acme.test>");
    expect(msg.headers.get("to")).toBe("sheena.nelson@example.com");
    expect(msg.body.replace(/\r\n/g, "\n")).toContain("Sorry about that! A replacement is on its way.\n.\nLine after a lone dot.");
    // EHLO names the sender's domain, not the worker's hostname.
    expect(smtp.commands).toContain("EHLO inbox.acme.test");
  });

  it("a first message without threading still gets a Message-Id and no In-Reply-To", async () => {
    const result = await sendMessage("email", { egress, config, secrets: { smtp_url: smtp.url }, to: "bob@example.org", body: "Hi" });
    const msg = smtp.messages[0]!;
    expect(msg.headers.get("message-id")).toBe(`<${result.externalId}>`);
    expect(msg.headers.has("in-reply-to")).toBe(false);
    expect(msg.headers.has("references")).toBe(false);
  });

  it("550 on RCPT -> non-retryable; 451 -> retryable", async () => {
    smtp.rcptReply = "550 5.1.1 <bob@example.org>: Recipient address rejected";
    expect(await failure(sendMessage("email", { egress, config, secrets: { smtp_url: smtp.url }, to: "bob@example.org", body: "x" }))).toMatchObject({
      retryable: false,
      status: 550,
    });
    smtp.rcptReply = "451 4.7.1 Try again later";
    expect(await failure(sendMessage("email", { egress, config, secrets: { smtp_url: smtp.url }, to: "bob@example.org", body: "x" }))).toMatchObject({
      retryable: true,
      status: 451,
    });
    expect(smtp.messages).toHaveLength(0);
  });

  it("no SMTP server listening -> retryable network error", async () => {
    const port = await closedPort();
    const url = `smtp://127.0.0.1:${port}`;
    const err = await failure(sendMessage("email", { egress: allowing(url), config, secrets: { smtp_url: url }, to: "bob@example.org", body: "x" }));
    expect(err).toMatchObject({ retryable: true, kind: "network", message: "SMTP: connection failed (ECONNREFUSED)" });
  });
});
