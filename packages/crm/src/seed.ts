import { createUser, registerTenant, type Role } from "@alfred/auth";
import type { SecretKeyProvider } from "@alfred/core";
import { count, type Database } from "@alfred/db";
import { contactIdentities, contacts, conversations, internalComments, messages, tenants } from "@alfred/db/schema";
import { EMPTY_ALLOWLIST, type EgressPolicy } from "@alfred/egress";
import { createChannel } from "./channels";

export const DEMO_PASSWORDS: Record<Role, string> = {
  admin: "alfred-admin-demo",
  manager: "alfred-manager-demo",
  agent: "alfred-agent-demo",
};

export const DEMO_USERS: { role: Role; email: string; name: string }[] = [
  { role: "admin", email: "admin@demo.alfred.test", name: "Ada Admin" },
  { role: "manager", email: "manager@demo.alfred.test", name: "Max Manager" },
  { role: "agent", email: "agent@demo.alfred.test", name: "Ann Agent" },
];

/** Demo channel credentials: public on purpose, they only work against local fake providers. */
export const DEMO_CHANNELS = {
  whatsapp: { phone_number_id: "100000000000001", verify_token: "alfred-demo-verify", app_secret: "demo-whatsapp-app-secret", access_token: "demo-whatsapp-access-token" },
  messenger: { page_id: "200000000000002", verify_token: "alfred-demo-verify", app_secret: "demo-messenger-app-secret", page_access_token: "demo-page-access-token" },
  email: { inbound_address: "support@demo.alfred.test", signing_key: "demo-mailgun-signing-key" },
  api: { secret: "demo-api-channel-secret-0123456789" },
};

/** The demo channels set no URL, so the guard that checks them needs no allow-list. */
const DEMO_EGRESS: EgressPolicy = { ssrfAllowlist: EMPTY_ALLOWLIST };

/**
 * Creates the demo tenant only when the database has no tenant at all, so it never touches real
 * data. Returns false when it did nothing.
 */
export async function seedDemoTenant(db: Database, keys: SecretKeyProvider): Promise<boolean> {
  const [existing] = await db.select({ n: count() }).from(tenants);
  if ((existing?.n ?? 0) > 0) return false;

  const [adminUser, ...others] = DEMO_USERS;
  const admin = await registerTenant(db, { email: adminUser!.email, password: DEMO_PASSWORDS.admin, name: adminUser!.name, tenantName: "Demo Company" });
  const staff: Record<string, string> = { admin: admin.userId };
  for (const user of others) {
    const created = await createUser(db, admin.tenantId, { email: user.email, name: user.name, role: user.role, password: DEMO_PASSWORDS[user.role] });
    staff[user.role] = created.id;
  }
  const tenantId = admin.tenantId;

  await db.transaction(async (tx) => {
    const { whatsapp, messenger, email, api } = DEMO_CHANNELS;
    // Through the same service as Settings -> Channels, so seeded channels are exactly like real ones.
    const [wa, fb, mail] = [
      await createChannel(tx, keys, DEMO_EGRESS, tenantId, { type: "whatsapp", name: "WhatsApp · Sales", config: { ...whatsapp } }),
      await createChannel(tx, keys, DEMO_EGRESS, tenantId, { type: "messenger", name: "Messenger · Demo page", config: { ...messenger } }),
      await createChannel(tx, keys, DEMO_EGRESS, tenantId, { type: "email", name: "Support e-mail", config: { ...email, from_address: email.inbound_address } }),
    ];
    await createChannel(tx, keys, DEMO_EGRESS, tenantId, { type: "api", name: "Website chat (API)", config: { ...api } });

    const people = await tx
      .insert(contacts)
      .values([
        { tenantId, name: "Sheena Nelson", phone: "+16505551234", leadScore: 40, attributes: { plan: "trial" } },
        { tenantId, name: "Marco Rossi", leadScore: 10 },
        { tenantId, name: "Priya Shah", email: "priya@example.com", leadScore: 75, attributes: { company: "Shah Logistics" } },
      ])
      .returning();
    const [sheena, marco, priya] = people;
    await tx.insert(contactIdentities).values([
      { tenantId, contactId: sheena!.id, channelId: wa!.id, externalId: "16505551234" },
      { tenantId, contactId: marco!.id, channelId: fb!.id, externalId: "7000000000000001" },
      { tenantId, contactId: priya!.id, channelId: mail!.id, externalId: "priya@example.com" },
    ]);

    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const [c1, c2, c3] = await tx
      .insert(conversations)
      .values([
        { tenantId, channelId: wa!.id, contactId: sheena!.id, status: "open", unreadCount: 1, lastActivityAt: minutesAgo(5), lastInboundAt: minutesAgo(5) },
        { tenantId, channelId: fb!.id, contactId: marco!.id, status: "open", assigneeId: staff.agent, unreadCount: 0, lastActivityAt: minutesAgo(50), lastInboundAt: minutesAgo(60) },
        { tenantId, channelId: mail!.id, contactId: priya!.id, status: "pending", assigneeId: staff.manager, unreadCount: 0, lastActivityAt: minutesAgo(180), lastInboundAt: minutesAgo(200), subject: "Volume pricing" },
      ])
      .returning();

    await tx.insert(messages).values([
      { tenantId, conversationId: c1!.id, channelId: wa!.id, direction: "in", type: "text", body: "Does it come in another color?", externalId: "wamid.demo-1", status: "received", createdAt: minutesAgo(5) },
      { tenantId, conversationId: c2!.id, channelId: fb!.id, direction: "in", type: "text", body: "Hi! Is the blue one still available?", externalId: "m_demo-1", status: "received", createdAt: minutesAgo(60) },
      { tenantId, conversationId: c2!.id, channelId: fb!.id, direction: "out", type: "text", body: "Yes, we have it in stock. Want me to reserve one?", externalId: "m_demo-2", status: "read", senderUserId: staff.agent, createdAt: minutesAgo(50) },
      { tenantId, conversationId: c3!.id, channelId: mail!.id, direction: "in", type: "text", body: "Could you send us volume pricing for 500 units?", externalId: "<demo-1@example.com>", status: "received", createdAt: minutesAgo(200) },
      { tenantId, conversationId: c3!.id, channelId: mail!.id, direction: "out", type: "text", body: "Thanks Priya, I'll get back to you with a quote today.", externalId: "<demo-2@demo.alfred.test>", status: "sent", senderUserId: staff.manager, createdAt: minutesAgo(180) },
    ]);
    await tx.insert(internalComments).values({ tenantId, conversationId: c3!.id, authorUserId: staff.manager, body: "Big account — loop in the sales lead before quoting.", createdAt: minutesAgo(179) });
  });
  return true;
}
