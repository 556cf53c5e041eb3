import type { Producer } from "@alfred/automation";
import { schema, sql } from "@alfred/db";
import type { JobContext } from "./context";

const BATCH_SIZE = 500;

interface StalledLead extends Record<string, unknown> {
  lead_task_id: string;
  tenant_id: string;
  contact_id: string;
  contact_name: string | null;
  task_id: string;
  title: string;
  notify_user_id: string | null;
  last_activity_at: Date;
  days: number;
}

/**
 * Every 15 minutes: leads with an open lead task whose contact has had no conversation activity
 * (or, with no conversation, whose task is older) for their tenant's stall period
 * (`tenants.lead_stall_days`, 7 unless an admin changed it in Settings). The assignee (when still
 * an active member, else the tenant's admins) is reminded at most once per stall period.
 *
 * The claim is one UPDATE ... RETURNING on the lead task's stall stamp, in the same transaction as
 * the notifications: replicas running this at once lock the same rows in turn, and the second sees
 * the fresh stamp and claims nothing. Activity after a reminder makes the lead not stalled again.
 */
export async function checkStalledLeads(ctx: JobContext & { producer?: Pick<Producer, "publishLive"> }): Promise<{ flagged: number }> {
  const flagged = await ctx.db.transaction(async (tx) => {
    const claimed = await tx.execute<StalledLead>(sql`
      with activity as (
        select lt.id, greatest(lt.created_at, coalesce(max(c.last_activity_at), lt.created_at)) as last_activity_at
        from lead_tasks lt
        join tasks t on t.id = lt.task_id and t.tenant_id = lt.tenant_id and t.status = 'open'
        left join conversations c on c.tenant_id = lt.tenant_id and c.contact_id = lt.contact_id
        group by lt.id
      ),
      stalled as (
        select a.id, a.last_activity_at, tn.lead_stall_days as days from activity a
        join lead_tasks lt on lt.id = a.id
        join tenants tn on tn.id = lt.tenant_id
        where a.last_activity_at < now() - make_interval(days => tn.lead_stall_days)
          and (lt.stalled_notified_at is null or lt.stalled_notified_at < now() - make_interval(days => tn.lead_stall_days))
        order by a.last_activity_at
        limit ${BATCH_SIZE}
      )
      update lead_tasks lt set stalled_notified_at = now()
      from stalled s, tasks t, contacts ct
      where lt.id = s.id and t.id = lt.task_id and ct.id = lt.contact_id
        and (lt.stalled_notified_at is null or lt.stalled_notified_at < now() - make_interval(days => s.days))
      returning lt.id as lead_task_id, lt.tenant_id, lt.contact_id, ct.name as contact_name, t.id as task_id, t.title,
        (select m.user_id from memberships m where m.tenant_id = lt.tenant_id and m.user_id = t.assignee_id and m.deactivated_at is null) as notify_user_id,
        s.last_activity_at, s.days
    `);
    const rows = claimed.rows;
    if (rows.length === 0) return [] as StalledLead[];
    await tx.insert(schema.notifications).values(
      rows.map((lead) => ({
        tenantId: lead.tenant_id,
        userId: lead.notify_user_id,
        kind: "lead_stalled",
        title: `Lead stalled: ${lead.contact_name ?? "a contact"} (${lead.title})`.slice(0, 200),
        data: { lead_task_id: lead.lead_task_id, task_id: lead.task_id, contact_id: lead.contact_id, last_activity_at: new Date(lead.last_activity_at).toISOString(), days: lead.days },
      })),
    );
    return rows;
  });
  if (ctx.producer && flagged.length) {
    const live = [...new Set(flagged.map((lead) => lead.tenant_id))].map((tenantId) => ({ tenantId, kind: "notification.created", data: { notification_kind: "lead_stalled" } }));
    await ctx.producer.publishLive(live).catch((err: Error) => ctx.logger.warn({ err: err.message }, "could not publish stalled-lead notifications live"));
  }
  ctx.logger.debug({ flagged: flagged.length }, "stalled leads checked");
  return { flagged: flagged.length };
}
