import { PostCommitEffects, recordEvent, type Producer } from "@alfred/automation";
import { and, asc, eq, inArray, isNull, lt, schema, sql } from "@alfred/db";
import type { JobContext } from "./context";

const { memberships, notifications, tasks } = schema;

export const OVERDUE_TASKS_BATCH_SIZE = 500;
/** Bounds one run; whatever is left is picked up by the next scheduled run. */
const MAX_BATCHES_PER_RUN = 20;

/**
 * Notifies once about every open task past its due time, across tenants, and records one
 * `task.overdue` event per task for destinations and rules. Each batch locks its tasks with
 * `FOR UPDATE SKIP LOCKED` and writes the notifications, the events and `overdue_notified_at` in the
 * same transaction, so replicas running this at the same time never notify a task twice. The
 * event's source id names the due time too: a task moved to a new due date can be overdue again.
 *
 * The notification goes to the assignee while they are an active member of the task's tenant;
 * otherwise (unassigned, deactivated) to the tenant's admins (`user_id` null), so the task is not
 * silently forgotten.
 */
export async function checkOverdueTasks(
  ctx: JobContext & { producer?: Pick<Producer, "publishLive" | "flush"> },
  options: { batchSize?: number } = {},
): Promise<{ notified: number }> {
  const batchSize = options.batchSize ?? OVERDUE_TASKS_BATCH_SIZE;
  let notified = 0;
  let batches = 0;
  while (batches < MAX_BATCHES_PER_RUN) {
    const effects = new PostCommitEffects();
    const tenantIds = await notifyOverdueBatch(ctx, batchSize, effects);
    batches += 1;
    // Wakes the delivery engines for the task.overdue deliveries just committed.
    await ctx.producer?.flush(effects);
    notified += tenantIds.length;
    // After commit, one live `notification.created` per tenant so open bells refresh at once.
    if (ctx.producer && tenantIds.length) {
      const live = [...new Set(tenantIds)].map((tenantId) => ({ tenantId, kind: "notification.created", data: { notification_kind: "task_overdue" } }));
      await ctx.producer.publishLive(live).catch((err: Error) => ctx.logger.warn({ err: err.message }, "could not publish overdue notifications live"));
    }
    if (tenantIds.length < batchSize) break;
  }
  ctx.logger.debug({ notified, batches }, "overdue tasks checked");
  return { notified };
}

/** Notifies one batch; returns the tenant id of every task notified (one entry per task). */
async function notifyOverdueBatch({ db }: JobContext, batchSize: number, effects: PostCommitEffects): Promise<string[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({
        id: tasks.id,
        tenantId: tasks.tenantId,
        title: tasks.title,
        status: tasks.status,
        dueAt: tasks.dueAt,
        assigneeId: tasks.assigneeId,
        conversationId: tasks.conversationId,
        contactId: tasks.contactId,
        activeAssigneeId: memberships.userId,
      })
      .from(tasks)
      .leftJoin(
        memberships,
        and(eq(memberships.tenantId, tasks.tenantId), eq(memberships.userId, tasks.assigneeId), isNull(memberships.deactivatedAt)),
      )
      .where(and(eq(tasks.status, "open"), lt(tasks.dueAt, sql`now()`), isNull(tasks.overdueNotifiedAt)))
      .orderBy(asc(tasks.dueAt))
      .limit(batchSize)
      .for("update", { of: tasks, skipLocked: true });
    if (due.length === 0) return [];

    await tx.insert(notifications).values(
      due.map((task) => ({
        tenantId: task.tenantId,
        userId: task.activeAssigneeId,
        kind: "task_overdue",
        title: `Task overdue: ${task.title}`.slice(0, 200),
        data: { task_id: task.id, due_at: task.dueAt?.toISOString() ?? null },
      })),
    );
    for (const task of due) {
      const dueAt = task.dueAt!.toISOString();
      await recordEvent(
        tx,
        {
          tenantId: task.tenantId,
          type: "task.overdue",
          sourceEventId: `task.overdue:${task.id}:${dueAt}`,
          payload: { task_id: task.id, title: task.title, status: task.status, due_at: dueAt, assignee_id: task.assigneeId, conversation_id: task.conversationId, contact_id: task.contactId },
        },
        effects,
      );
    }
    await tx
      .update(tasks)
      .set({ overdueNotifiedAt: sql`now()` })
      .where(inArray(tasks.id, due.map((task) => task.id)));
    return due.map((task) => task.tenantId);
  });
}
