import { createHash, randomBytes } from "node:crypto";
import { signSha256Header, startFakeGraphApi, type FakeGraphApi } from "@alfred/channels";
import { createChannel, drainDueReceipts, fetchPendingMedia } from "@alfred/crm";
import { createEgressClient, type EgressClient } from "@alfred/egress";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleWebhook } from "./intake/webhooks";
import { callerFor, createApiHarness, seedTenant, type ApiHarness, type TenantFixture } from "./testing/harness";

/**
 * Inbound media end to end: a signed WhatsApp/Messenger webhook names a file, the worker's media
 * step fetches it from the project's fake Graph API (media id -> URL -> bytes with the channel's
 * token, through the SSRF-guarded client) into blob storage, and the thread lists it with its status.
 */

const PHONE = "106540352242922";
const TOKEN = "wa-media-token";
const APP_SECRET = "wa-media-app-secret";
const PAGE = "PAGE_MEDIA";
const PAGE_SECRET = "fb-media-app-secret";

let h: ApiHarness;
let t: TenantFixture;
let graph: FakeGraphApi;
let egress: EgressClient;
let seq = 0;
const uid = (p: string) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Media Co");
  graph = await startFakeGraphApi({ whatsapp: { [PHONE]: TOKEN }, messenger: { [PAGE]: "page-token" } });
  egress = createEgressClient(h.deps.automation);
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "whatsapp", name: "WA", config: { phone_number_id: PHONE, access_token: TOKEN, app_secret: APP_SECRET, verify_token: "v", api_base_url: graph.baseUrl } });
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "messenger", name: "FB", config: { page_id: PAGE, page_access_token: "page-token", app_secret: PAGE_SECRET, verify_token: "v2" } });
});
afterAll(async () => {
  await egress.close();
  await graph.close();
  await h.close();
});

/** A signed WhatsApp webhook with one media message of `type`. */
async function receiveWhatsApp(type: string, media: Record<string, unknown>): Promise<string> {
  const wamid = uid("wamid.");
  const message = { from: "15550001111", id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type, [type]: media };
  const value = { messaging_product: "whatsapp", metadata: { display_phone_number: PHONE, phone_number_id: PHONE }, contacts: [{ profile: { name: "Hana" }, wa_id: "15550001111" }], messages: [message] };
  const raw = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field: "messages", value }] }] });
  const res = await handleWebhook(new Request("http://alfred.test/api/v1/webhooks/whatsapp", { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, APP_SECRET) }, body: raw }), "whatsapp", h.deps);
  expect(res.status).toBe(200);
  await drainDueReceipts(h.deps);
  return wamid;
}

async function attachmentsOf(externalId: string) {
  const [row] = (await h.database.pool.query(`select id, conversation_id from messages where external_id = $1`, [externalId])).rows as { id: string; conversation_id: string }[];
  const timeline = await callerFor(h.deps, t.agent).conversations.timeline({ id: row!.conversation_id });
  return timeline.items.find((i) => i.id === row!.id)!.attachments;
}

const fetchMedia = (maxBytes?: Partial<Record<string, number>>) => fetchPendingMedia({ db: h.deps.db, keys: h.deps.keys, storage: h.deps.storage, egress, maxBytes });

async function bytesOf(attachmentId: string): Promise<Buffer> {
  const [row] = (await h.database.pool.query(`select storage_key from message_attachments where id = $1`, [attachmentId])).rows as { storage_key: string }[];
  const blob = await h.deps.storage.get(row!.storage_key);
  const chunks: Buffer[] = [];
  for await (const c of blob!.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("inbound media", () => {
  it("a WhatsApp image is pending, then fetched with the channel's token (media id -> URL -> bytes) and stored with its caption", async () => {
    const jpeg = randomBytes(40_000);
    graph.addMedia("media-image-1", { bytes: jpeg, mimeType: "image/jpeg" });
    const wamid = await receiveWhatsApp("image", { id: "media-image-1", mime_type: "image/jpeg", caption: "The damaged box" });
    expect(await attachmentsOf(wamid)).toMatchObject([{ kind: "image", status: "pending", caption: "The damaged box", download_url: null }]);

    expect(await fetchMedia()).toEqual({ stored: 1, failed: 0 });
    const [image] = await attachmentsOf(wamid);
    expect(image).toMatchObject({ kind: "image", status: "stored", content_type: "image/jpeg", size: jpeg.length, sha256: sha256(jpeg), caption: "The damaged box", error: null });
    expect((await bytesOf(image!.id)).equals(jpeg)).toBe(true);
    const calls = graph.requests.filter((r) => r.method === "GET").map((r) => [r.path, r.headers.authorization]);
    expect(calls).toEqual(expect.arrayContaining([["/v21.0/media-image-1", `Bearer ${TOKEN}`], ["/whatsapp-media/media-image-1", `Bearer ${TOKEN}`]]));
  });

  it("a WhatsApp voice note (audio) is stored as voice", async () => {
    const ogg = randomBytes(9000);
    graph.addMedia("media-voice-1", { bytes: ogg, mimeType: "audio/ogg" });
    const wamid = await receiveWhatsApp("audio", { id: "media-voice-1", mime_type: "audio/ogg; codecs=opus", voice: true });
    await fetchMedia();
    expect(await attachmentsOf(wamid)).toMatchObject([{ kind: "voice", status: "stored", content_type: "audio/ogg", size: ogg.length }]);
  });

  it("an oversized file is refused with a clear reason and nothing is stored", async () => {
    graph.addMedia("media-big-1", { bytes: randomBytes(5000), mimeType: "video/mp4" });
    const wamid = await receiveWhatsApp("video", { id: "media-big-1", mime_type: "video/mp4" });
    expect(await fetchMedia({ video: 1000 })).toEqual({ stored: 0, failed: 1 });
    const [video] = await attachmentsOf(wamid);
    expect(video).toMatchObject({ status: "failed", error: "the file is larger than 1000 bytes", download_url: null });
  });

  it("a file of the wrong type (HTML served for an image) is refused", async () => {
    graph.addMedia("media-html-1", { bytes: Buffer.from("<script>alert(1)</script>"), mimeType: "image/jpeg", servedType: "text/html" });
    const wamid = await receiveWhatsApp("image", { id: "media-html-1", mime_type: "image/jpeg" });
    await fetchMedia();
    expect(await attachmentsOf(wamid)).toMatchObject([{ status: "failed", error: "expected image content, the provider sent text/html" }]);
  });

  it("an expired channel token fails the file with a reason that says what to do", async () => {
    graph.addMedia("media-expired-1", { bytes: randomBytes(100), mimeType: "image/png" });
    const wamid = await receiveWhatsApp("image", { id: "media-expired-1", mime_type: "image/png" });
    graph.expiredTokens.add(TOKEN);
    try {
      await fetchMedia();
    } finally {
      graph.expiredTokens.delete(TOKEN);
    }
    const [image] = await attachmentsOf(wamid);
    expect(image!.status).toBe("failed");
    expect(image!.error).toMatch(/access token is invalid or expired \(Meta error 190\): reconnect the channel/);
  });

  it("a Messenger image attachment is fetched from its payload URL", async () => {
    const png = randomBytes(3000);
    const { cdnUrl } = graph.addMedia("fb-photo-1", { bytes: png, mimeType: "image/png" });
    const mid = uid("m_");
    const raw = JSON.stringify({ object: "page", entry: [{ id: PAGE, time: Date.now(), messaging: [{ sender: { id: "USER_1" }, recipient: { id: PAGE }, timestamp: Date.now(), message: { mid, attachments: [{ type: "image", payload: { url: cdnUrl } }] } }] }] });
    const res = await handleWebhook(new Request("http://alfred.test/api/v1/webhooks/messenger", { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signSha256Header(raw, PAGE_SECRET) }, body: raw }), "messenger", h.deps);
    expect(res.status).toBe(200);
    await drainDueReceipts(h.deps);
    await fetchMedia();
    const [image] = await attachmentsOf(mid);
    expect(image).toMatchObject({ kind: "image", status: "stored", content_type: "image/png", sha256: sha256(png) });
  });
});
