import { sql, type DbOrTx } from "@alfred/db";

/**
 * One tenant's own backlog, from Postgres alone: what its managers may see of the machinery on a
 * hosted install, where queues and workers are shared by every tenant. Counts come from the
 * tenant-leading indexes (`automation_deliveries_tenant_status_idx`,
 * `messages_tenant_outbound_backlog_idx`), so a tenant's view costs the same however many others
 * share the install.
 */
export interface TenantPendingWork {
  deliveries: {
    /** Pending and due now (a worker should be on them). */
    due: number;
    /** Pending, waiting for a later retry. */
    scheduled: number;
    delivering: number;
    failed_last_24h: number;
    /** Age of the oldest pending delivery, from its creation. */
    oldest_pending_seconds: number | null;
  };
  outbound_messages: {
    queued: number;
    sending: number;
    failed_last_24h: number;
    /** Age of the oldest message still queued or sending. */
    oldest_unsent_seconds: number | null;
  };
}

const FAILED_WINDOW = sql`now() - interval '24 hours'`;

const seconds = (value: string | null): number | null => (value === null ? null : Math.max(0, Math.floor(Number(value))));

export async function tenantPendingWork(db: DbOrTx, tenantId: string): Promise<TenantPendingWork> {
  const deliveries = await db.execute<{ due: string; scheduled: string; delivering: string; failed: string; oldest: string | null }>(sql`
    select count(*) filter (where status = 'pending' and (next_retry_at is null or next_retry_at <= now())) as due,
           count(*) filter (where status = 'pending' and next_retry_at > now()) as scheduled,
           count(*) filter (where status = 'delivering') as delivering,
           count(*) filter (where status = 'failed' and updated_at > ${FAILED_WINDOW}) as failed,
           extract(epoch from now() - min(created_at) filter (where status = 'pending')) as oldest
    from automation_deliveries
    where tenant_id = ${tenantId} and status in ('pending', 'delivering', 'failed')
  `);
  const messages = await db.execute<{ queued: string; sending: string; failed: string; oldest: string | null }>(sql`
    select count(*) filter (where status = 'queued') as queued,
           count(*) filter (where status = 'sending') as sending,
           count(*) filter (where status = 'failed' and updated_at > ${FAILED_WINDOW}) as failed,
           extract(epoch from now() - min(created_at) filter (where status in ('queued', 'sending'))) as oldest
    from messages
    where tenant_id = ${tenantId} and direction = 'out' and status in ('queued', 'sending', 'failed')
  `);
  const d = deliveries.rows[0]!;
  const m = messages.rows[0]!;
  return {
    deliveries: {
      due: Number(d.due),
      scheduled: Number(d.scheduled),
      delivering: Number(d.delivering),
      failed_last_24h: Number(d.failed),
      oldest_pending_seconds: seconds(d.oldest),
    },
    outbound_messages: { queued: Number(m.queued), sending: Number(m.sending), failed_last_24h: Number(m.failed), oldest_unsent_seconds: seconds(m.oldest) },
  };
}
