import { createHash, randomUUID } from "node:crypto";
import { hmacSha256Hex, signApiBody, signSha256Header } from "@alfred/channels";
import { fuzzParameters, hostileJson, hostileString } from "@alfred/core/testing";
import { createChannel, drainDueReceipts } from "@alfred/crm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleWebhook } from "./intake/webhooks";
import { createApiHarness, seedTenant, type ApiHarness, type TenantFixture } from "./testing/harness";

/**
 * Every webhook type (WhatsApp, Messenger, Instagram, e-mail via Mailgun, the API channel) fuzzed
 * with CORRECTLY SIGNED bodies full of hostile text: NUL, lone surrogates, RTL and zero-width
 * characters, extreme timestamps, deep JSON, odd content types. Whatever a signed body holds: never
 * a 5xx, never a stack trace or SQL in the answer, and never a lost webhook: an acknowledged body is
 * stored as a receipt (then becomes a message, or is parked for an admin), and processing it never
 * fails. A fixed seed under CI; `FUZZ_RUNS=500` for a longer hunt.
 */

const WA_PHONE = "106540352242999";
const WA_SECRET = "fuzz-wa-secret";
const FB_PAGE = "FUZZ_PAGE";
const FB_SECRET = "fuzz-fb-secret";
const IG_ACCOUNT = "17841400000099999";
const IG_SECRET = "fuzz-ig-secret";
const MAIL_ADDRESS = "fuzz@inbox.acme.test";
const MAIL_KEY = "fuzz-mailgun-signing-key";
const API_SECRET = "fuzz-api-channel-secret";

let h: ApiHarness;
let t: TenantFixture;
let apiChannelId: string;

/** Content types a provider really sends (must be stored), and odd ones (a 4xx is fine, a 5xx never). */
const JSON_TYPES = ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/vnd.meta+json", null] as const;
const ODD_TYPES = ["text/plain", "application/xml", "multipart/form-data; boundary=x", "", "application/json; charset=\u00ff\u00fe", "application/x-www-form-urlencoded"] as const;
/** Provider timestamps (seconds or ms) from the epoch to beyond what Postgres or a JS Date holds. */
const TIMESTAMPS = ["0", "-1", "1", "999999999999", "99999999999999999999", "1e308", "NaN", "", "2024-02-31", String(Math.floor(Date.now() / 1000))] as const;

const hostileText = hostileString(60);
/** A payload extra: hostile JSON, or text nested deep (up to 5,000 levels, as the original report tried). */
const extra = fc.oneof(
  hostileJson(4).map((v) => JSON.stringify(v)),
  fc.constantFrom(10, 200, 5_000).map((depth) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
);

interface Case {
  type: "whatsapp" | "messenger" | "instagram" | "email" | "api";
  raw: string;
  headers: Record<string, string>;
  /** Whether a provider could send it as is: then it must be acknowledged and stored. */
  mustStore: boolean;
}

function jsonCase(type: Case["type"], raw: string, signatureHeader: string, signature: string, contentType: string | null, mustStore: boolean): Case {
  return { type, raw, headers: { ...(contentType === null ? {} : { "content-type": contentType }), [signatureHeader]: signature }, mustStore };
}

const contentType = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...JSON_TYPES).map((c) => ({ c, provider: true })) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_TYPES).map((c) => ({ c, provider: false })) });

const whatsapp = fc.record({ text: hostileText, name: hostileText, from: hostileString(20), ts: fc.constantFrom(...TIMESTAMPS), extra: fc.option(extra), ct: contentType }).map(({ text, name, from, ts, extra: more, ct }) => {
  const value = {
    messaging_product: "whatsapp",
    metadata: { display_phone_number: "15550000000", phone_number_id: WA_PHONE },
    contacts: [{ profile: { name }, wa_id: from || "1555" }],
    messages: [{ from: from || "1555", id: `wamid.fuzz.${randomUUID()}`, timestamp: ts, type: "text", text: { body: text } }],
  };
  const body = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [{ field: "messages", value }] }] });
  const raw = more === null ? body : `${body.slice(0, -1)},"extra":${more}}`;
  return jsonCase("whatsapp", raw, "x-hub-signature-256", signSha256Header(raw, WA_SECRET), ct.c, ct.provider);
});

const metaMessaging = (type: "messenger" | "instagram") =>
  fc.record({ text: hostileText, sender: hostileString(20), ts: fc.constantFrom(...TIMESTAMPS), extra: fc.option(extra), ct: contentType }).map(({ text, sender, ts, extra: more, ct }) => {
    const [object, account, secret] = type === "messenger" ? ["page", FB_PAGE, FB_SECRET] : ["instagram", IG_ACCOUNT, IG_SECRET];
    const timestamp = Number(ts);
    const body = JSON.stringify({
      object,
      entry: [{ id: account, time: timestamp, messaging: [{ sender: { id: sender || "u1" }, recipient: { id: account }, timestamp: Number.isFinite(timestamp) ? timestamp : ts, message: { mid: `mid.fuzz.${randomUUID()}`, text } }] }],
    });
    const raw = more === null ? body : `${body.slice(0, -1)},"extra":${more}}`;
    return jsonCase(type, raw, "x-hub-signature-256", signSha256Header(raw, secret), ct.c, ct.provider);
  });

const email = fc
  .record({ text: hostileText, subject: hostileText, fromName: hostileString(20), ts: fc.constantFrom("0", "1", "999999999999", String(Math.floor(Date.now() / 1000))), date: fc.constantFrom("Tue, 31 Feb 2024 25:61:00 +9900", "Thu, 01 Jan 1970 00:00:00 +0000", "Fri, 31 Dec 275760 00:00:00 +0000", "\u0000", "not a date") })
  .map(({ text, subject, fromName, ts, date }) => {
    const token = randomUUID().replaceAll("-", "");
    const messageId = `<fuzz.${randomUUID()}@mail.example.com>`;
    const from = `"${fromName}" <pat@example.com>`;
    const fields = {
      recipient: MAIL_ADDRESS,
      sender: "bounce@example.com",
      from,
      subject,
      "body-plain": text,
      "stripped-text": text,
      "message-headers": JSON.stringify([["From", from], ["To", MAIL_ADDRESS], ["Subject", subject], ["Message-Id", messageId], ["Date", date]]),
      timestamp: ts,
      token,
      signature: hmacSha256Hex(MAIL_KEY, ts + token),
    };
    return { type: "email" as const, raw: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" }, mustStore: true };
  });

const api = fc.record({ text: hostileText, name: hostileText, fromId: hostileString(20), sentAt: fc.constantFrom("0000-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "2024-02-31T00:00:00Z", "\u0000", new Date().toISOString()), extra: fc.option(hostileJson(3)), ct: contentType }).map(({ text, name, fromId, sentAt, extra: more, ct }) => {
  const raw = JSON.stringify({ channel_id: apiChannelId, external_id: `ext-${randomUUID()}`, from: { id: fromId || "crm-1", name }, text, sent_at: sentAt, ...(more === null ? {} : { extra: more }) });
  // The API channel's callers are developers: a body of the wrong shape may get a 422 (they are told), never a 5xx.
  return jsonCase("api", raw, "x-alfred-signature", signApiBody(raw, API_SECRET), ct.c, false);
});

const LEAKS = /\bat \S+ \(|node_modules|\.ts:\d+|Failed query|select .* from|insert into|violates|syntax error|invalid byte sequence|unsupported Unicode/i;

async function send(c: Case): Promise<{ status: number; text: string }> {
  // Bytes, not a string: a string body would get a default text/plain content type.
  const req = new Request(`http://alfred.test/api/v1/webhooks/${c.type}`, { method: "POST", headers: c.headers, body: Buffer.from(c.raw, "utf8") });
  const res = await handleWebhook(req, c.type, h.deps);
  return { status: res.status, text: await res.text() };
}

async function receiptsOf(raw: string): Promise<{ status: string }[]> {
  const sha = createHash("sha256").update(Buffer.from(raw, "utf8")).digest("hex");
  return (await h.database.pool.query<{ status: string }>("select status from inbound_receipts where body_sha256 = $1", [sha])).rows;
}

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Fuzz Webhooks Co");
  const make = async (type: Case["type"], config: Record<string, unknown>) => (await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type, name: `${type} fuzz`, config })).id;
  await make("whatsapp", { phone_number_id: WA_PHONE, access_token: "t", app_secret: WA_SECRET, verify_token: "v1" });
  await make("messenger", { page_id: FB_PAGE, page_access_token: "t", app_secret: FB_SECRET, verify_token: "v2" });
  await make("instagram", { instagram_account_id: IG_ACCOUNT, access_token: "t", app_secret: IG_SECRET, verify_token: "v3" });
  await make("email", { inbound_address: MAIL_ADDRESS, signing_key: MAIL_KEY });
  apiChannelId = await make("api", { secret: API_SECRET });
});
afterAll(() => h.close());

describe("signed webhooks with hostile content", () => {
  it.each([
    ["whatsapp", whatsapp],
    ["messenger", metaMessaging("messenger")],
    ["instagram", metaMessaging("instagram")],
    ["email (Mailgun)", email],
    ["api", api],
  ] as const)("%s: never a 5xx or a leak; every signed body a provider could send is stored, and processing it never fails", async (_name, arbitrary) => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (c) => {
        const res = await send(c);
        expect(res.status, res.text).toBeLessThan(500);
        expect(res.text).not.toMatch(LEAKS);
        if (res.status >= 400) expect(JSON.parse(res.text)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        if (c.mustStore) expect(res.status, res.text).toBe(200);
        if (res.status !== 200) return;
        // Acknowledged, so stored: the provider will not send it again.
        expect(await receiptsOf(c.raw)).not.toHaveLength(0);
        const drained = await drainDueReceipts(h.deps);
        const failing = await h.database.pool.query<{ last_error: string }>("select last_error from inbound_receipts where status = 'pending' and attempts > 0");
        expect(failing.rows, JSON.stringify(failing.rows)).toEqual([]);
        expect(drained.failed).toBe(0);
        // Processed into messages, or parked with its reason for an admin: never left failing.
        for (const r of await receiptsOf(c.raw)) expect(["processed", "parked"]).toContain(r.status);
      }),
      fuzzParameters(15),
    );
  }, 240_000);
});
