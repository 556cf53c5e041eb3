import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { addInternalComment, createChannel, createTask, getChannelRow, ingestMessage, newScope, queueOutboundMessage } from "@alfred/crm";
import type { TenancyCases } from "./cases";
import { tableSnapshot } from "./cases";

const INBOX_TABLES = [
  "channels",
  "contacts",
  "contact_identities",
  "contact_settings",
  "conversations",
  "messages",
  "message_attachments",
  "internal_comments",
  "tasks",
  "lead_tasks",
  "notifications",
  "automation_events",
];

/**
 * Channels, conversations, messages, comments, contacts, tasks and notifications. The victim gets one
 * of each (a WhatsApp conversation with an inbound and an outbound message, a note, a lead task and a
 * workspace-wide notification, which the attacking admin would see if it were in their tenant).
 */
export const inboxCases: TenancyCases = {
  domain: "inbox",
  seed: async (h, victim) => {
    const tenantId = victim.admin.tenantId;
    const view = await createChannel(h.deps.db, h.deps.keys, h.deps.automation, tenantId, {
      type: "whatsapp",
      name: "Victim WhatsApp",
      config: { phone_number_id: `9${randomBytes(6).readUIntBE(0, 6)}`, access_token: "t", app_secret: "s", verify_token: `v-${randomBytes(4).toString("hex")}` },
    });
    const channel = await getChannelRow(h.deps.db, tenantId, view.id);
    const system = newScope(tenantId, { type: "system", id: null });
    const inbound = await ingestMessage(h.deps.db, system, channel, {
      externalId: `wamid.victim.${randomBytes(6).toString("hex")}`,
      channelAccountId: channel.externalId!,
      from: { externalId: "4915000000000", name: "Victim Customer", phone: "+4915000000000" },
      type: "text",
      body: "private to the victim",
      sentAt: new Date(),
      raw: {},
    });
    const blob = await h.deps.storage.put(`victim/${randomBytes(6).toString("hex")}`, Readable.from([Buffer.from("victim's private scan")]), { contentType: "image/png", maxBytes: 1000 });
    const [attachment] = await h.database.pool
      .query<{ id: string }>(`insert into message_attachments (tenant_id, message_id, kind, status, storage_key, filename, content_type, size, sha256) values ($1, $2, 'image', 'stored', $3, 'scan.png', 'image/png', $4, $5) returning id`, [tenantId, inbound.messageId, blob.key, blob.size, blob.sha256])
      .then((r) => r.rows);
    const [contact] = await h.database.pool.query<{ contact_id: string }>(`select contact_id from conversations where id = $1`, [inbound.conversationId]).then((r) => r.rows);
    const user = newScope(tenantId, { type: "user", id: victim.agent.userId });
    const outbound = await h.deps.db.transaction((tx) => queueOutboundMessage(tx, user, inbound.conversationId, "victim's reply"));
    const comment = await h.deps.db.transaction((tx) => addInternalComment(tx, user, inbound.conversationId, "victim's note"));
    const task = await h.deps.db.transaction((tx) => createTask(tx, user, { title: "victim's task", conversationId: inbound.conversationId, lead: true }));
    const [notification] = await h.database.pool
      .query<{ id: string }>(`insert into notifications (tenant_id, user_id, kind, title) values ($1, null, 'task.overdue', 'victim notice') returning id`, [tenantId])
      .then((r) => r.rows);
    return {
      channel: channel.id,
      conversation: inbound.conversationId,
      message: inbound.messageId,
      attachment: attachment!.id,
      outbound: outbound.id,
      comment: comment.id,
      contact: contact!.contact_id,
      task: task.id,
      notification: notification!.id,
      user: victim.agent.userId,
    };
  },
  snapshot: (h, victim) => tableSnapshot(h, victim.admin.tenantId, INBOX_TABLES),
  procedures: [
    { name: "channels.get", call: (c, v) => c.channels.get({ id: v.channel! }) },
    { name: "channels.update", call: (c, v) => c.channels.update({ id: v.channel!, name: "pwned", enabled: false }) },
    { name: "channels.update (secrets)", call: (c, v) => c.channels.update({ id: v.channel!, config: { app_secret: "attacker" } }) },
    { name: "channels.update (api_base_url)", call: (c, v) => c.channels.update({ id: v.channel!, config: { api_base_url: "http://169.254.169.254/latest" } }) },
    { name: "channels.delete", call: (c, v) => c.channels.delete({ id: v.channel! }) },
    { name: "conversations.get", call: (c, v) => c.conversations.get({ id: v.conversation! }) },
    { name: "conversations.update (status)", call: (c, v) => c.conversations.update({ id: v.conversation!, status: "resolved" }) },
    { name: "conversations.update (assignee)", call: (c, v) => c.conversations.update({ id: v.conversation!, assignee_id: null }) },
    { name: "conversations.markRead", call: (c, v) => c.conversations.markRead({ id: v.conversation! }) },
    { name: "conversations.timeline", call: (c, v) => c.conversations.timeline({ id: v.conversation! }) },
    { name: "conversations.sendMessage", call: (c, v) => c.conversations.sendMessage({ id: v.conversation!, body: "injected" }) },
    { name: "conversations.addComment", call: (c, v) => c.conversations.addComment({ id: v.conversation!, body: "injected" }) },
    { name: "messages.attachments", call: (c, v) => c.messages.attachments({ id: v.message! }) },
    { name: "contacts.get", call: (c, v) => c.contacts.get({ id: v.contact! }) },
    { name: "contacts.conversations", call: (c, v) => c.contacts.conversations({ id: v.contact! }) },
    { name: "contacts.update", call: (c, v) => c.contacts.update({ id: v.contact!, name: "pwned", lead_score: 99 }) },
    { name: "contacts.update (settings only)", call: (c, v) => c.contacts.update({ id: v.contact!, settings: { automated_messages_opt_out: true } }) },
    { name: "tasks.update", call: (c, v) => c.tasks.update({ id: v.task!, status: "done" }) },
    { name: "tasks.create (victim conversation)", call: (c, v) => c.tasks.create({ title: "x", conversation_id: v.conversation! }) },
    { name: "tasks.create (victim contact)", call: (c, v) => c.tasks.create({ title: "x", contact_id: v.contact!, lead: true }) },
    { name: "tasks.create (victim assignee)", call: (c, v) => c.tasks.create({ title: "x", assignee_id: v.user! }) },
    { name: "notifications.markRead", call: (c, v) => c.notifications.markRead({ id: v.notification! }) },
  ],
  routes: [
    { name: "GET /channels/{id}", method: "GET", path: (v) => `/channels/${v.channel}` },
    { name: "PATCH /channels/{id}", method: "PATCH", path: (v) => `/channels/${v.channel}`, body: () => ({ enabled: false }) },
    { name: "DELETE /channels/{id}", method: "DELETE", path: (v) => `/channels/${v.channel}` },
    { name: "GET /conversations/{id}", method: "GET", path: (v) => `/conversations/${v.conversation}` },
    { name: "PATCH /conversations/{id}", method: "PATCH", path: (v) => `/conversations/${v.conversation}`, body: () => ({ status: "resolved" }) },
    { name: "POST /conversations/{id}/read", method: "POST", path: (v) => `/conversations/${v.conversation}/read` },
    { name: "GET /conversations/{id}/messages", method: "GET", path: (v) => `/conversations/${v.conversation}/messages` },
    { name: "POST /conversations/{id}/messages", method: "POST", path: (v) => `/conversations/${v.conversation}/messages`, body: () => ({ body: "injected" }) },
    { name: "POST /conversations/{id}/comments", method: "POST", path: (v) => `/conversations/${v.conversation}/comments`, body: () => ({ body: "injected" }) },
    { name: "GET /messages/{id}/attachments", method: "GET", path: (v) => `/messages/${v.message}/attachments` },
    { name: "GET /attachments/{id}/content", method: "GET", path: (v) => `/attachments/${v.attachment}/content` },
    { name: "GET /contacts/{id}", method: "GET", path: (v) => `/contacts/${v.contact}` },
    { name: "GET /contacts/{id}/conversations", method: "GET", path: (v) => `/contacts/${v.contact}/conversations` },
    { name: "PATCH /contacts/{id}", method: "PATCH", path: (v) => `/contacts/${v.contact}`, body: () => ({ lead_score: 99 }) },
    { name: "PATCH /tasks/{id}", method: "PATCH", path: (v) => `/tasks/${v.task}`, body: () => ({ status: "done" }) },
    { name: "POST /tasks (victim conversation)", method: "POST", path: () => `/tasks`, body: (v) => ({ title: "x", conversation_id: v.conversation }) },
    { name: "POST /notifications/{id}/read", method: "POST", path: (v) => `/notifications/${v.notification}/read` },
  ],
};
