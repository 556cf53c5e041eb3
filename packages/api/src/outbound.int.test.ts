import { channelSendJobId } from "@alfred/automation";
import { graphError, hmacSha256Hex, sendMessage, signSha256Header, startFakeGraphApi, startFakeSmtpServer, type FakeGraphApi, type FakeSmtpServer } from "@alfred/channels";
import { createChannel, deliverOutboundMessage, drainDueReceipts, newScope } from "@alfred/crm";
import { createEgressClient, type EgressClient } from "@alfred/egress";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The worker's own processor, run here against a real job read back from the real queue.
import { createChannelSendProcessor } from "../../../apps/worker/src/processors/channel-sends";
import { callerFor, createApiHarness, rest, accessTokenFor, seedTenant, type ApiHarness, type TenantFixture } from "./testing/harness";
import { handleWebhook } from "./intake/webhooks";

/**
 * An agent's reply end to end without the browser: conversations.sendMessage (queued, job enqueued
 * after commit) -> the worker's channel-send processor -> a local fake WhatsApp Cloud API / SMTP
 * server -> the message's status, provider id and `message.sent` event in Postgres.
 */

const PHONE = "106540352242922";
const TOKEN = "wa-access-token";
const SECRET = "wa-app-secret";
const MAIL_ADDRESS = "support@inbox.acme.test";
const MAIL_KEY = "mailgun-signing-key";

let h: ApiHarness;
let t: TenantFixture;
let graph: FakeGraphApi;
let smtp: FakeSmtpServer;
let egress: EgressClient;
let processor: ReturnType<typeof createChannelSendProcessor>;
type Job = Parameters<typeof processor>[0];
let seq = 0;

const q = async (text: string, params: unknown[] = []) => (await h.database.pool.query(text, params)).rows as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- rows
const messageRow = async (id: string) => (await q(`select * from messages where id = $1`, [id]))[0]!;

beforeAll(async () => {
  graph = await startFakeGraphApi({ whatsapp: { [PHONE]: TOKEN } });
  smtp = await startFakeSmtpServer();
  // The guard lets exactly these two fakes through.
  h = await createApiHarness({ EGRESS_ALLOWLIST: `${new URL(graph.baseUrl).host},${new URL(smtp.url).host}` });
  egress = createEgressClient(h.deps.automation);
  t = await seedTenant(h.deps);
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, {
    type: "whatsapp",
    name: "WhatsApp",
    config: { phone_number_id: PHONE, access_token: TOKEN, app_secret: SECRET, verify_token: "v", api_base_url: graph.baseUrl },
  });
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, {
    type: "email",
    name: "Support mail",
    config: { inbound_address: MAIL_ADDRESS, signing_key: MAIL_KEY, smtp_url: smtp.url, from_address: "support@acme.test" },
  });
  processor = createChannelSendProcessor({ db: h.deps.db, logger: h.deps.logger, keys: h.deps.keys, producer: h.deps.producer, egress });
});
afterAll(async () => {
  await egress.close();
  await graph.close();
  await smtp.close();
  await h.close();
});

/** A customer writes on WhatsApp now (signed webhook); returns the conversation id. */
async function inboundWhatsApp(from: string): Promise<string> {
  const raw = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: PHONE },
              contacts: [{ profile: { name: "Customer" }, wa_id: from }],
              messages: [{ from, id: `wamid.in.${from}.${seq++}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "hi" } }],
            },
          },
        ],
      },
    ],
  });
  const res = await handleWebhook(new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", body: raw, headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, SECRET) } }), "whatsapp", h.deps);
  expect(res.status).toBe(200);
  await drainDueReceipts(h.deps); // what the worker does with the receipt
  const [row] = await q(`select c.id from conversations c join contact_identities i on i.contact_id = c.contact_id where i.external_id = $1`, [from]);
  return row!.id as string;
}

/** The job the API enqueued after commit, read back from Redis, at the given attempt. */
async function queuedJob(messageId: string, attemptsMade = 0): Promise<Job> {
  const job = await h.deps.producer.channelSends.getJob(channelSendJobId(messageId));
  expect(job, "the send was enqueued").toBeDefined();
  expect(job!.opts.attempts).toBe(3);
  job!.attemptsMade = attemptsMade;
  return job as unknown as Job;
}

const sentEvents = (messageId: string) => q(`select * from automation_events where type = 'message.sent' and payload->>'message_id' = $1`, [messageId]);

describe("WhatsApp reply through the worker", () => {
  it("success: queued -> sent, provider id stored, message.sent recorded, the provider got the documented request", async () => {
    const conversationId = await inboundWhatsApp("491701111111");
    const queued = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversationId, body: "Yes, in blue and green." });
    expect(queued).toEqual({ id: expect.any(String), status: "queued" });
    expect(await messageRow(queued.id)).toMatchObject({ status: "queued", direction: "out", sender_user_id: t.agent.userId, external_id: null });

    const result = await processor(await queuedJob(queued.id));

    expect(result).toEqual({ sent: 1, failed: 0, skipped: 0 });
    const wire = graph.requests.at(-1)!;
    expect(wire.path).toBe(`/v21.0/${PHONE}/messages`);
    expect(wire.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(wire.body).toMatchObject({ messaging_product: "whatsapp", to: "491701111111", type: "text", text: { body: "Yes, in blue and green." } });
    const providerId = graph.sent.at(-1)!.id;
    expect(await messageRow(queued.id)).toMatchObject({ status: "sent", external_id: providerId, error: null });
    const [event] = await sentEvents(queued.id);
    expect(event!.payload).toMatchObject({ conversation_id: conversationId, external_id: providerId, status: "sent" });

    // Running the same job again (a stalled job re-run) sends nothing twice.
    const sentBefore = graph.sent.length;
    expect(await processor(await queuedJob(queued.id))).toEqual({ sent: 0, failed: 0, skipped: 1 });
    expect(graph.sent.length).toBe(sentBefore);
  });

  it("provider 4xx (131047): failed at once with the provider's error, no retry", async () => {
    const conversationId = await inboundWhatsApp("491702222222");
    graph.closedWindows.add("491702222222");
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversationId, body: "Are you there?" });

    // First attempt of three: a non-retryable error must not throw (a throw is what makes BullMQ retry).
    const result = await processor(await queuedJob(id, 0));

    expect(result).toEqual({ sent: 0, failed: 1, skipped: 0 });
    const row = await messageRow(id);
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/24 hours|131047/);
    expect(await sentEvents(id)).toHaveLength(0);
  });

  it("provider 500, then success on the retry", async () => {
    const conversationId = await inboundWhatsApp("491703333333");
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversationId, body: "Second try" });
    graph.enqueue(graphError(500, 2, "Service temporarily unavailable"));

    await expect(processor(await queuedJob(id, 0))).rejects.toThrow(/will retry/);
    expect(await messageRow(id)).toMatchObject({ status: "sending", external_id: null });

    expect(await processor(await queuedJob(id, 1))).toEqual({ sent: 1, failed: 0, skipped: 0 });
    expect(await messageRow(id)).toMatchObject({ status: "sent", external_id: graph.sent.at(-1)!.id });
    expect(await sentEvents(id)).toHaveLength(1);
  });

  it("provider 500 on every attempt: failed with the provider's error after the last one", async () => {
    const conversationId = await inboundWhatsApp("491703333334");
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversationId, body: "Never arrives" });
    for (const attempt of [0, 1]) {
      graph.enqueue(graphError(500, 2, "Service temporarily unavailable"));
      await expect(processor(await queuedJob(id, attempt))).rejects.toThrow(/will retry/);
    }
    graph.enqueue(graphError(500, 2, "Service temporarily unavailable"));
    expect(await processor(await queuedJob(id, 2))).toEqual({ sent: 0, failed: 1, skipped: 0 });
    expect(await messageRow(id)).toMatchObject({ status: "failed" });
    expect((await messageRow(id)).error).toMatch(/temporarily unavailable|500/);
  });

  it("provider timeout: retryable before the last attempt, failed after it", async () => {
    const conversationId = await inboundWhatsApp("491704444444");
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversationId, body: "Hello?" });

    graph.enqueue("hang");
    const early = await deliverOutboundMessage(h.deps.db, h.deps.keys, newScope(t.admin.tenantId, { type: "system", id: null }), id, { finalAttempt: false, egress, timeoutMs: 300 });
    expect(early.outcome).toBe("retry");
    expect(await messageRow(id)).toMatchObject({ status: "sending" });

    // The last attempt through the processor itself, with the production timeout.
    graph.enqueue("hang");
    expect(await processor(await queuedJob(id, 2))).toEqual({ sent: 0, failed: 1, skipped: 0 });
    const row = await messageRow(id);
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/no answer within/);
  }, 30_000);

  it("outside the 24-hour window the send is refused up front with a clear 422, nothing queued", async () => {
    const conversationId = await inboundWhatsApp("491705555555");
    await q(`update conversations set last_inbound_at = now() - interval '25 hours' where id = $1`, [conversationId]);
    const before = await q(`select count(*)::int as n from messages where conversation_id = $1`, [conversationId]);

    await expect(callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversationId, body: "late" })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringMatching(/24 hours/) });
    const res = await rest(h.deps, "POST", `/conversations/${conversationId}/messages`, { token: await accessTokenFor(h.deps, t.agent), body: { body: "late" } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "validation_error", message: expect.stringMatching(/customer service window/) });

    expect(await q(`select count(*)::int as n from messages where conversation_id = $1`, [conversationId])).toEqual(before);
  });

  it("a status webhook arriving before the worker stored `sent` is not overwritten (read stays read)", async () => {
    const conversationId = await inboundWhatsApp("491706666666");
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversationId, body: "fast" });
    // Meta's read status races ahead of the worker's own bookkeeping of the send.
    const send: typeof sendMessage = async (type, input) => {
      const result = await sendMessage(type, input);
      await q(`update messages set status = 'read', external_id = $2 where id = $1`, [id, result.externalId]);
      return result;
    };
    const outcome = await deliverOutboundMessage(h.deps.db, h.deps.keys, newScope(t.admin.tenantId, { type: "system", id: null }), id, { finalAttempt: false, egress, send });
    expect(outcome.outcome).toBe("sent");
    expect((await messageRow(id)).status).toBe("read");
  });
});

describe("e-mail reply through the worker", () => {
  it("goes out over SMTP with In-Reply-To / References; the customer's answer threads back into the conversation", async () => {
    const inboundId = `first.${Date.now()}@customer.example`;
    const postMail = async (messageId: string, inReplyTo?: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const token = `tok${seq++}${Date.now()}`;
      const headers: [string, string][] = [
        ["From", "Pat Customer <pat@customer.example>"],
        ["Subject", "Broken lid"],
        ["Message-Id", `<${messageId}>`],
      ];
      if (inReplyTo) headers.push(["In-Reply-To", `<${inReplyTo}>`], ["References", `<${inboundId}> <${inReplyTo}>`]);
      const fields = {
        recipient: MAIL_ADDRESS,
        from: "Pat Customer <pat@customer.example>",
        subject: "Broken lid",
        "body-plain": "text",
        "message-headers": JSON.stringify(headers),
        timestamp,
        token,
        signature: hmacSha256Hex(MAIL_KEY, timestamp + token),
      };
      const res = await handleWebhook(
        new Request("http://alfred.test/api/v1/webhooks/email", { method: "POST", body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } }),
        "email",
        h.deps,
      );
      expect(res.status).toBe(200);
      await drainDueReceipts(h.deps);
      return (await q(`select * from messages where external_id = $1`, [messageId]))[0]!;
    };

    const inbound = await postMail(inboundId);
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: inbound.conversation_id as string, body: "We are sending a new one." });
    expect(await processor(await queuedJob(id))).toEqual({ sent: 1, failed: 0, skipped: 0 });

    const mail = smtp.messages.at(-1)!;
    expect(mail.rcptTo).toEqual(["pat@customer.example"]);
    expect(mail.headers.get("in-reply-to")).toBe(`<${inboundId}>`);
    expect(mail.headers.get("references")).toContain(`<${inboundId}>`);
    expect(mail.headers.get("subject")).toBe("Re: Broken lid");
    expect(mail.body).toContain("We are sending a new one.");
    const sent = await messageRow(id);
    expect(sent.status).toBe("sent");
    expect(`<${sent.external_id}>`).toBe(mail.headers.get("message-id"));

    const answer = await postMail(`answer.${Date.now()}@customer.example`, sent.external_id as string);
    expect(answer.conversation_id).toBe(inbound.conversation_id);
  });

  it("SMTP refusing the recipient permanently (550) fails without retry", async () => {
    const conversation = (await q(`select c.id from conversations c join channels ch on ch.id = c.channel_id where ch.type = 'email' limit 1`))[0]!;
    const { id } = await callerFor(h.deps, t.agent).conversations.sendMessage({ id: conversation.id as string, body: "bounce me" });
    smtp.rcptReply = "550 5.1.1 No such user";
    try {
      expect(await processor(await queuedJob(id, 0))).toEqual({ sent: 0, failed: 1, skipped: 0 });
    } finally {
      smtp.rcptReply = null;
    }
    expect((await messageRow(id)).error).toMatch(/550|No such user/);
  });
});
