import { createLogger } from "@alfred/core";
import { schema, sql } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkStalledLeads } from "./jobs/check-stalled-leads";

const { channels, contacts, conversations, leadTasks, memberships, notifications, tasks, tenants, users } = schema;

let db: TestDatabase;
const logger = createLogger("test", "silent");
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);

async function seedLead(tenantId: string, opts: { lastActivityDaysAgo: number | null; taskDaysAgo?: number; status?: "open" | "done"; assigneeId?: string | null; name: string }) {
  const [contact] = await db.db.insert(contacts).values({ tenantId, name: opts.name }).returning();
  if (opts.lastActivityDaysAgo !== null) {
    const [channel] = await db.db.insert(channels).values({ tenantId, type: "api", name: `api ${opts.name}` }).returning();
    await db.db.insert(conversations).values({ tenantId, channelId: channel!.id, contactId: contact!.id, lastActivityAt: daysAgo(opts.lastActivityDaysAgo) });
  }
  const created = daysAgo(opts.taskDaysAgo ?? 30);
  const [task] = await db.db.insert(tasks).values({ tenantId, title: `Follow up ${opts.name}`, status: opts.status ?? "open", assigneeId: opts.assigneeId ?? null, createdAt: created }).returning();
  const [lead] = await db.db.insert(leadTasks).values({ tenantId, taskId: task!.id, contactId: contact!.id, createdAt: created }).returning();
  return { contactId: contact!.id, leadTaskId: lead!.id };
}

let tenantId: string;
let agentId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const [tenant] = await db.db.insert(tenants).values({ name: "Leads" }).returning();
  tenantId = tenant!.id;
  const [agent] = await db.db.insert(users).values({ email: "agent@leads.test", name: "Agent", passwordHash: "x" }).returning();
  agentId = agent!.id;
  await db.db.insert(memberships).values({ tenantId, userId: agentId, role: "agent" });
});
afterAll(() => db.destroy());

const stalledNotices = async () =>
  (await db.db.select().from(notifications).where(sql`${notifications.kind} = 'lead_stalled'`)).map((n) => ({ user: n.userId, contact: (n.data as { contact_id: string }).contact_id }));

describe("check_stalled_leads", () => {
  it("reminds once about leads quiet for 7 days, never about active, closed or young ones, even with concurrent runs", async () => {
    const quiet = await seedLead(tenantId, { lastActivityDaysAgo: 10, assigneeId: agentId, name: "Quiet" });
    const silent = await seedLead(tenantId, { lastActivityDaysAgo: null, taskDaysAgo: 9, name: "Never talked" });
    const active = await seedLead(tenantId, { lastActivityDaysAgo: 1, assigneeId: agentId, name: "Active" });
    const closed = await seedLead(tenantId, { lastActivityDaysAgo: 20, status: "done", name: "Closed" });
    const young = await seedLead(tenantId, { lastActivityDaysAgo: null, taskDaysAgo: 2, name: "Young" });

    const runs = await Promise.all([1, 2, 3, 4].map(() => checkStalledLeads({ db: db.db, logger })));
    expect(runs.reduce((sum, r) => sum + r.flagged, 0)).toBe(2);
    const notices = await stalledNotices();
    expect(notices).toHaveLength(2);
    expect(notices).toContainEqual({ user: agentId, contact: quiet.contactId });
    // Unassigned: every admin of the tenant (user_id null).
    expect(notices).toContainEqual({ user: null, contact: silent.contactId });
    for (const lead of [active, closed, young]) expect(notices.map((n) => n.contact)).not.toContain(lead.contactId);

    expect((await checkStalledLeads({ db: db.db, logger })).flagged).toBe(0);
  });

  it("reminds again only after another quiet period, and not once the conversation moves", async () => {
    const lead = await seedLead(tenantId, { lastActivityDaysAgo: 12, name: "Again" });
    expect((await checkStalledLeads({ db: db.db, logger })).flagged).toBe(1);
    await db.db.execute(sql`update lead_tasks set stalled_notified_at = now() - interval '8 days' where id = ${lead.leadTaskId}`);
    expect((await checkStalledLeads({ db: db.db, logger })).flagged).toBe(1);

    await db.db.execute(sql`update lead_tasks set stalled_notified_at = now() - interval '8 days' where id = ${lead.leadTaskId}`);
    await db.db.execute(sql`update conversations set last_activity_at = now() where contact_id = ${lead.contactId}`);
    expect((await checkStalledLeads({ db: db.db, logger })).flagged).toBe(0);
  });

  it("uses each tenant's own stall period: 3 days flags a lead quiet for 4, the default 7 does not", async () => {
    const [short] = await db.db.insert(tenants).values({ name: "Short stall", leadStallDays: 3 }).returning();
    const [standard] = await db.db.insert(tenants).values({ name: "Standard stall" }).returning();
    expect(standard!.leadStallDays).toBe(7);
    const quick = await seedLead(short!.id, { lastActivityDaysAgo: 4, taskDaysAgo: 10, name: "Quick" });
    await seedLead(standard!.id, { lastActivityDaysAgo: 4, taskDaysAgo: 10, name: "Patient" });
    expect((await checkStalledLeads({ db: db.db, logger })).flagged).toBe(1);
    const [notice] = await db.db.select().from(notifications).where(sql`${notifications.tenantId} = ${short!.id}`);
    expect(notice!.data).toMatchObject({ contact_id: quick.contactId, days: 3 });
    expect(await db.db.select().from(notifications).where(sql`${notifications.tenantId} = ${standard!.id}`)).toEqual([]);
  });
});
