import { randomUUID } from "node:crypto";
import { recordEvent } from "@alfred/automation";
import { AppError } from "@alfred/core";
import { and, cursorTimestamp, type DbOrTx, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, eq, type SQL, sql } from "@alfred/db";
import { contacts, conversations, leadTasks, memberships, tasks } from "@alfred/db/schema";
import type { Scope } from "./scope";

export interface TaskView {
  id: string;
  title: string;
  description: string | null;
  status: "open" | "done";
  due_at: string | null;
  completed_at: string | null;
  overdue: boolean;
  assignee_id: string | null;
  conversation_id: string | null;
  contact_id: string | null;
  lead: boolean;
  created_by: { type: "user" | "destination" | "system"; id: string | null };
  created_at: string;
}

type TaskRow = typeof tasks.$inferSelect;

function toView(row: TaskRow, lead: boolean): TaskView {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    due_at: row.dueAt?.toISOString() ?? null,
    completed_at: row.completedAt?.toISOString() ?? null,
    overdue: row.status === "open" && row.dueAt !== null && row.dueAt.getTime() < Date.now(),
    assignee_id: row.assigneeId,
    conversation_id: row.conversationId,
    contact_id: row.contactId,
    lead,
    created_by: row.createdByDestinationId ? { type: "destination", id: row.createdByDestinationId } : row.createdByUserId ? { type: "user", id: row.createdByUserId } : { type: "system", id: null },
    created_at: row.createdAt.toISOString(),
  };
}

function taskPayload(row: TaskRow) {
  return {
    task_id: row.id,
    title: row.title,
    status: row.status,
    due_at: row.dueAt?.toISOString() ?? null,
    assignee_id: row.assigneeId,
    conversation_id: row.conversationId,
    contact_id: row.contactId,
  };
}

async function assertInTenant(tx: DbOrTx, tenantId: string, refs: { conversationId?: string | null; contactId?: string | null; assigneeId?: string | null }) {
  if (refs.conversationId) {
    const [row] = await tx.select({ id: conversations.id }).from(conversations).where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, refs.conversationId)));
    if (!row) throw new AppError("not_found", "conversation not found", { path: "conversation_id" });
  }
  if (refs.contactId) {
    const [row] = await tx.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, refs.contactId)));
    if (!row) throw new AppError("not_found", "contact not found", { path: "contact_id" });
  }
  if (refs.assigneeId) {
    const [row] = await tx
      .select({ id: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, refs.assigneeId), sql`${memberships.deactivatedAt} is null`));
    if (!row) throw new AppError("not_found", "assignee is not an active user of this workspace", { path: "assignee_id" });
  }
}

export interface NewTask {
  title: string;
  description?: string | null;
  dueAt?: Date | null;
  conversationId?: string | null;
  contactId?: string | null;
  assigneeId?: string | null;
  /** A lead task: tied to the contact's pipeline (needs a contact, taken from the conversation if absent). */
  lead?: boolean;
  pipelineStage?: string | null;
}

export async function createTask(tx: DbOrTx, scope: Scope, input: NewTask): Promise<TaskView> {
  await assertInTenant(tx, scope.tenantId, input);
  let contactId = input.contactId ?? null;
  if (!contactId && input.conversationId) {
    const [c] = await tx.select({ contactId: conversations.contactId }).from(conversations).where(eq(conversations.id, input.conversationId));
    contactId = c?.contactId ?? null;
  }
  if (input.lead && !contactId) throw new AppError("validation_error", "a lead task needs a contact_id or a conversation_id", { path: "contact_id" });
  const [row] = await tx
    .insert(tasks)
    .values({
      tenantId: scope.tenantId,
      title: input.title,
      description: input.description ?? null,
      dueAt: input.dueAt ?? null,
      conversationId: input.conversationId ?? null,
      contactId,
      assigneeId: input.assigneeId ?? null,
      createdByUserId: scope.actor.type === "user" ? scope.actor.id : null,
      createdByDestinationId: scope.actor.type === "destination" ? scope.actor.id : null,
    })
    .returning();
  if (input.lead) await tx.insert(leadTasks).values({ tenantId: scope.tenantId, taskId: row!.id, contactId: contactId!, pipelineStage: input.pipelineStage ?? null });
  await recordEvent(tx, { tenantId: scope.tenantId, type: "task.created", sourceEventId: `task.created:${row!.id}`, correlationId: scope.correlationId, origin: scope.origin, payload: taskPayload(row!) }, scope.effects);
  scope.effects.live.push({ tenantId: scope.tenantId, kind: "task.changed", conversationId: row!.conversationId, data: { task_id: row!.id } });
  return toView(row!, Boolean(input.lead));
}

export interface TaskFilters {
  assignee?: string;
  status?: "open" | "done";
  conversationId?: string;
  contactId?: string;
  overdue?: boolean;
  cursor?: string;
  limit?: number;
}

export async function listTasks(db: DbOrTx, tenantId: string, viewerId: string, filters: TaskFilters) {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = decodeCursor(filters.cursor);
  const where: SQL[] = [eq(tasks.tenantId, tenantId)];
  if (filters.assignee === "me") where.push(eq(tasks.assigneeId, viewerId));
  else if (filters.assignee === "unassigned") where.push(sql`${tasks.assigneeId} is null`);
  else if (filters.assignee) where.push(eq(tasks.assigneeId, filters.assignee));
  if (filters.status) where.push(eq(tasks.status, filters.status));
  if (filters.conversationId) where.push(eq(tasks.conversationId, filters.conversationId));
  if (filters.contactId) where.push(eq(tasks.contactId, filters.contactId));
  if (filters.overdue) where.push(sql`${tasks.status} = 'open' and ${tasks.dueAt} < now()`);
  if (cursor) where.push(sql`(${tasks.createdAt}, ${tasks.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  const rows = await db
    .select({ task: tasks, leadId: leadTasks.id, cursorAt: cursorTimestamp(tasks.createdAt) })
    .from(tasks)
    .leftJoin(leadTasks, eq(leadTasks.taskId, tasks.id))
    .where(and(...where))
    .orderBy(sql`${tasks.createdAt} desc, ${tasks.id} desc`)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map((r) => toView(r.task, r.leadId !== null)), next_cursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.task.id) : null };
}

export interface TaskUpdate {
  title?: string;
  description?: string | null;
  dueAt?: Date | null;
  assigneeId?: string | null;
  status?: "open" | "done";
}

/** Edit, reassign, complete or reopen; completing records `task.completed` once per completion. */
export async function updateTask(tx: DbOrTx, scope: Scope, id: string, update: TaskUpdate): Promise<TaskView> {
  const [current] = await tx.select().from(tasks).where(and(eq(tasks.tenantId, scope.tenantId), eq(tasks.id, id))).for("update");
  if (!current) throw new AppError("not_found", "task not found");
  await assertInTenant(tx, scope.tenantId, { assigneeId: update.assigneeId });
  const patch: Partial<typeof tasks.$inferInsert> = {};
  if (update.title !== undefined) patch.title = update.title;
  if (update.description !== undefined) patch.description = update.description;
  if (update.dueAt !== undefined) {
    patch.dueAt = update.dueAt;
    patch.overdueNotifiedAt = null;
  }
  if (update.assigneeId !== undefined) patch.assigneeId = update.assigneeId;
  const completing = update.status === "done" && current.status !== "done";
  if (update.status !== undefined && update.status !== current.status) {
    patch.status = update.status;
    patch.completedAt = update.status === "done" ? new Date() : null;
  }
  const [row] = Object.keys(patch).length ? await tx.update(tasks).set(patch).where(eq(tasks.id, id)).returning() : [current];
  if (completing) {
    await recordEvent(
      tx,
      { tenantId: scope.tenantId, type: "task.completed", sourceEventId: `task.completed:${id}:${randomUUID()}`, correlationId: scope.correlationId, origin: scope.origin, payload: taskPayload(row!) },
      scope.effects,
    );
  }
  scope.effects.live.push({ tenantId: scope.tenantId, kind: "task.changed", conversationId: row!.conversationId, data: { task_id: id } });
  const [lead] = await tx.select({ id: leadTasks.id }).from(leadTasks).where(eq(leadTasks.taskId, id));
  return toView(row!, Boolean(lead));
}
