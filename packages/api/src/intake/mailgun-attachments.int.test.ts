import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { hmacSha256Hex } from "@alfred/channels";
import { createChannel, drainDueReceipts } from "@alfred/crm";
import { LocalDiskStorage } from "@alfred/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleRestRequest } from "../rest/handler";
import { accessTokenFor, callerFor, createApiHarness, seedTenant, type ApiHarness, type TenantFixture } from "../testing/harness";
import { stageMailgunPost } from "./mailgun-intake";
import { handleWebhook } from "./webhooks";

/**
 * Mailgun inbound e-mail with attachments, posted as Mailgun posts it (multipart/form-data, encoded
 * by undici's FormData and streamed as the request body) to the webhook exactly as the Next route
 * calls it. The attachments land in blob storage (local disk here) and on the message.
 */

const MAIL_ADDRESS = "help@inbox.files.test";
const MAIL_KEY = "key-files-0123456789abcdef";
const MB = 1024 * 1024;

let h: ApiHarness;
let t: TenantFixture;
let seq = 0;
const uid = (p: string) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Files Inc");
  await createChannel(h.deps.db, h.deps.keys, h.deps.automation, t.admin.tenantId, { type: "email", name: "Mail", config: { inbound_address: MAIL_ADDRESS, signing_key: MAIL_KEY } });
});
afterAll(() => h.close());

/** Every blob file under the storage folder (the `.meta.json` sidecars included). */
async function blobFiles(): Promise<string[]> {
  const entries = await readdir(h.storageDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

interface Mail {
  messageId: string;
  text: string;
  files: Array<{ field: string; name: string; type: string; bytes: Buffer }>;
  key?: string;
  token?: string;
  timestamp?: string;
  /** Put the signature fields after the attachments (the order is the sender's choice). */
  signatureLast?: boolean;
}

function mailForm(mail: Mail): FormData {
  const timestamp = mail.timestamp ?? String(Math.floor(Date.now() / 1000));
  const token = mail.token ?? uid("tok");
  const signature = { timestamp, token, signature: hmacSha256Hex(mail.key ?? MAIL_KEY, timestamp + token) };
  const form = new FormData();
  const text: Record<string, string> = {
    recipient: MAIL_ADDRESS,
    sender: "bounce@example.com",
    from: "Pat Customer <pat@example.com>",
    subject: "The contract",
    "body-plain": mail.text,
    "stripped-text": mail.text,
    "message-headers": JSON.stringify([["Message-Id", `<${mail.messageId}>`], ["Subject", "The contract"]]),
    "attachment-count": String(mail.files.length),
    // A field of Alfred's own name is never taken from the post.
    "alfred-stored-attachments": JSON.stringify([{ field: "x", storage_key: "../../etc/passwd", filename: null, content_type: "text/plain", size: 1, sha256: "0".repeat(64) }]),
  };
  for (const [k, v] of Object.entries(text)) form.append(k, v);
  if (!mail.signatureLast) for (const [k, v] of Object.entries(signature)) form.append(k, v);
  for (const f of mail.files) form.append(f.field, new Blob([f.bytes], { type: f.type }), f.name);
  if (mail.signatureLast) for (const [k, v] of Object.entries(signature)) form.append(k, v);
  return form;
}

/** The multipart encoder streams the form as the request body (no Content-Length, as a chunked post). */
const mailRequest = (form: FormData) => new Request("http://alfred.test/api/v1/webhooks/email", { method: "POST", body: form });

async function post(req: Request) {
  const res = await handleWebhook(req, "email", h.deps);
  const body = (await res.json()) as Record<string, unknown>;
  const drained = await drainDueReceipts(h.deps);
  await h.deps.producer.flush(drained.effects);
  return { status: res.status, body, stored: drained.stored };
}

async function messageRow(externalId: string) {
  return (await h.database.pool.query(`select id, conversation_id, body from messages where external_id = $1`, [externalId])).rows[0] as { id: string; conversation_id: string; body: string } | undefined;
}

describe("Mailgun inbound with attachments", () => {
  it("a signed 20 MB multipart e-mail is answered 200; its text and attachments are found through the API and the bytes are the ones sent", async () => {
    const pdf = randomBytes(12 * MB);
    const png = randomBytes(8 * MB);
    const note = Buffer.from("plain note\n");
    const messageId = `${uid("big")}@mail.example.com`;
    const res = await post(
      mailRequest(
        mailForm({
          messageId,
          text: "Please find the signed contract attached.",
          files: [
            { field: "attachment-1", name: "contract.pdf", type: "application/pdf", bytes: pdf },
            { field: "attachment-2", name: "scan.png", type: "image/png", bytes: png },
            { field: "attachment-3", name: "nota ção.txt", type: "text/plain; charset=utf-8", bytes: note },
          ],
        }),
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, received: 1 });
    expect(res.stored).toMatchObject({ messages: 1 });

    const message = await messageRow(messageId);
    expect(message?.body).toBe("Please find the signed contract attached.");
    const agent = callerFor(h.deps, t.agent);
    const timeline = await agent.conversations.timeline({ id: message!.conversation_id });
    const item = timeline.items.find((i) => i.id === message!.id)!;
    expect(item.body).toBe("Please find the signed contract attached.");
    expect(item.attachments.map((a) => [a.filename, a.content_type, a.size, a.sha256, a.status, a.kind])).toEqual([
      ["contract.pdf", "application/pdf", pdf.length, sha256(pdf), "stored", "file"],
      ["scan.png", "image/png", png.length, sha256(png), "stored", "file"],
      ["nota ção.txt", "text/plain", note.length, sha256(note), "stored", "file"],
    ]);
    expect(item.attachments[0]!.download_url).toBe(`/api/v1/attachments/${item.attachments[0]!.id}/content`);
    const listed = await agent.messages.attachments({ id: message!.id });
    expect(listed.items.map((a) => a.id)).toEqual(item.attachments.map((a) => a.id));

    // The stored bytes are the sent ones; the posted "alfred-stored-attachments" field was ignored.
    const rows = (await h.database.pool.query(`select storage_key, sha256 from message_attachments where message_id = $1 order by position`, [message!.id])).rows as { storage_key: string; sha256: string }[];
    expect(rows).toHaveLength(3);
    const blob = await h.deps.storage.get(rows[1]!.storage_key);
    const chunks: Buffer[] = [];
    for await (const c of blob!.body) chunks.push(c as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(png));
    expect(blob!.contentType).toBe("image/png");
    // Only text fields are kept on the receipt (the 20 MB of files are not in the database).
    const [receipt] = (await h.database.pool.query(`select octet_length(body) as size from inbound_receipts where tenant_id = $1 order by id desc limit 1`, [t.admin.tenantId])).rows as { size: number }[];
    expect(receipt!.size).toBeLessThan(10_000);
  });

  it("an unsigned 20 MB post is answered 401 and leaves no blob behind, whatever the order of its fields", async () => {
    const before = await blobFiles();
    const files = [{ field: "attachment-1", name: "big.bin", type: "application/octet-stream", bytes: randomBytes(20 * MB) }];
    for (const signatureLast of [false, true]) {
      const messageId = `${uid("unsigned")}@mail.example.com`;
      const res = await post(mailRequest(mailForm({ messageId, text: "forged", files, key: "not-the-signing-key", signatureLast })));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: "invalid_signature" } });
      expect(await messageRow(messageId)).toBeUndefined();
      expect(await blobFiles()).toEqual(before);
    }
  });

  it("Mailgun posting the same e-mail again is a duplicate: 200, one message, and no second copy of the files", async () => {
    const messageId = `${uid("retry")}@mail.example.com`;
    const mail: Mail = { messageId, text: "twice", token: uid("same"), timestamp: String(Math.floor(Date.now() / 1000)), files: [{ field: "attachment-1", name: "a.pdf", type: "application/pdf", bytes: randomBytes(300_000) }] };
    const first = await post(mailRequest(mailForm(mail)));
    const files = await blobFiles();
    const again = await post(mailRequest(mailForm(mail)));
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toMatchObject({ received: 0, duplicates: 1 });
    expect(await blobFiles()).toEqual(files);
    const count = (await h.database.pool.query(`select count(*)::int as n from message_attachments a join messages m on m.id = a.message_id where m.external_id = $1`, [messageId])).rows[0] as { n: number };
    expect(count.n).toBe(1);
  });

  it("a post for an unknown address is 404 and keeps nothing", async () => {
    const before = await blobFiles();
    const form = mailForm({ messageId: `${uid("nobody")}@x.test`, text: "hi", files: [{ field: "attachment-1", name: "x.bin", type: "application/octet-stream", bytes: randomBytes(1000) }] });
    form.set("recipient", "nobody@inbox.files.test");
    expect((await post(mailRequest(form))).status).toBe(404);
    expect(await blobFiles()).toEqual(before);
  });
});

describe("stageMailgunPost limits", () => {
  const limits = { postBytes: 4 * MB, attachmentBytes: 1 * MB, textBytes: 64 * 1024, attachments: 2 };
  const staging = async (form: FormData) => {
    const storage = new LocalDiskStorage(h.storageDir);
    return stageMailgunPost(mailRequest(form), storage, limits);
  };

  it("refuses an attachment over the limit while streaming, 413, and removes what it had stored", async () => {
    const before = await blobFiles();
    const form = mailForm({ messageId: "x@y", text: "t", files: [
      { field: "attachment-1", name: "ok.bin", type: "application/octet-stream", bytes: randomBytes(1000) },
      { field: "attachment-2", name: "big.bin", type: "application/octet-stream", bytes: randomBytes(2 * MB) },
    ] });
    await expect(staging(form)).rejects.toMatchObject({ code: "payload_too_large" });
    expect(await blobFiles()).toEqual(before);
  });

  it("refuses too many attachments, too much text and a post over the total limit", async () => {
    const before = await blobFiles();
    const small = (n: number) => ({ field: `attachment-${n}`, name: `${n}.bin`, type: "application/octet-stream", bytes: randomBytes(100) });
    await expect(staging(mailForm({ messageId: "x@y", text: "t", files: [small(1), small(2), small(3)] }))).rejects.toMatchObject({ code: "payload_too_large", message: expect.stringContaining("at most 2 attachments") });
    await expect(staging(mailForm({ messageId: "x@y", text: "t".repeat(100_000), files: [] }))).rejects.toMatchObject({ code: "payload_too_large", message: expect.stringContaining("text fields") });
    const many = [1, 2].map((n) => ({ field: `attachment-${n}`, name: `${n}.bin`, type: "application/octet-stream", bytes: randomBytes(900_000) }));
    await expect(stageMailgunPost(mailRequest(mailForm({ messageId: "x@y", text: "t", files: many })), new LocalDiskStorage(h.storageDir), { ...limits, postBytes: 1 * MB })).rejects.toMatchObject({ code: "payload_too_large" });
    expect(await blobFiles()).toEqual(before);
  });

  it("answers a body that is not a form with 400", async () => {
    const req = new Request("http://alfred.test/x", { method: "POST", headers: { "content-type": "multipart/form-data; boundary=zzz" }, body: Readable.toWeb(Readable.from([Buffer.from("--zzz\r\ngarbage")])) as ReadableStream, duplex: "half" } as RequestInit);
    await expect(stageMailgunPost(req, new LocalDiskStorage(h.storageDir))).rejects.toMatchObject({ code: "bad_request" });
  });
});

describe("attachment downloads", () => {
  const download = (id: string, auth: { token?: string; session?: { userId: string; tenantId: string } } = {}) =>
    handleRestRequest(new Request(`http://alfred.test/api/v1/attachments/${id}/content`, { headers: auth.token ? { authorization: `Bearer ${auth.token}` } : {} }), `/attachments/${id}/content`, h.deps, {
      sessionAuth: async () => (auth.session ? { ...auth.session, via: "session" as const } : null),
    });

  it("serves images inline and other files as downloads, never sniffed, to members of the tenant only", async () => {
    const png = randomBytes(5000);
    const pdf = randomBytes(7000);
    const messageId = `${uid("dl")}@mail.example.com`;
    const html = Buffer.from("<script>alert(1)</script>");
    await post(mailRequest(mailForm({ messageId, text: "files", files: [
      { field: "attachment-1", name: "photo.png", type: "image/png", bytes: png },
      { field: "attachment-2", name: "orçamento final.pdf", type: "application/pdf", bytes: pdf },
      { field: "attachment-3", name: "page.html", type: "text/html", bytes: html },
    ] })));
    const message = await messageRow(messageId);
    const [image, document, page] = (await callerFor(h.deps, t.agent).messages.attachments({ id: message!.id })).items;

    const token = await accessTokenFor(h.deps, t.agent);
    const inline = await download(image!.id, { token });
    expect(inline.status).toBe(200);
    expect(Object.fromEntries(["content-type", "content-disposition", "x-content-type-options", "content-length"].map((k) => [k, inline.headers.get(k)]))).toEqual({
      "content-type": "image/png",
      "content-disposition": `inline; filename="photo.png"; filename*=UTF-8''photo.png`,
      "x-content-type-options": "nosniff",
      "content-length": String(png.length),
    });
    expect(Buffer.from(await inline.arrayBuffer()).equals(png)).toBe(true);

    // The browser session works too (the thread's <img> and links send no bearer token).
    const asDownload = await download(document!.id, { session: { userId: t.agent.userId, tenantId: t.agent.tenantId } });
    expect(asDownload.status).toBe(200);
    expect(asDownload.headers.get("content-type")).toBe("application/pdf");
    expect(asDownload.headers.get("content-disposition")).toBe(`attachment; filename="or_amento final.pdf"; filename*=UTF-8''or%C3%A7amento%20final.pdf`);
    expect(Buffer.from(await asDownload.arrayBuffer()).equals(pdf)).toBe(true);

    // Active content is neither shown nor run: text, as a download, in a sandbox.
    const htmlAnswer = await download(page!.id, { token });
    expect(htmlAnswer.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(htmlAnswer.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(htmlAnswer.headers.get("content-security-policy")).toContain("sandbox");
    await htmlAnswer.arrayBuffer();

    expect((await download(image!.id)).status).toBe(401);
    const other = await seedTenant(h.deps, "Other Co");
    expect((await download(image!.id, { token: await accessTokenFor(h.deps, other.admin) })).status).toBe(404);
    expect((await download(image!.id, { session: { userId: other.admin.userId, tenantId: other.admin.tenantId } })).status).toBe(404);
    expect((await download("not-a-uuid", { token })).status).toBe(404);
  });
});
