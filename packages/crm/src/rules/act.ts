import { randomUUID } from "node:crypto";
import { fanOut, recordEvent } from "@alfred/automation";
import { AppError, isAppError } from "@alfred/core";
import { and, arrayParam, eq, inArray, isNull, sql, type DbOrTx } from "@alfred/db";
import { contacts, conversations, memberships, notifications } from "@alfred/db/schema";
import { applyLeadScoreChange, type ResolvedAction } from "@alfred/rules";
import { updateContact } from "../contacts";
import { updateConversation, lockConversation } from "../conversations";
import { addInternalComment, queueOutboundMessage } from "../messages";
import type { Scope } from "../scope";
import { createTask } from "../tasks";

/** What one action did, as the execution log shows it. */
export interface ActionOutcome {
  type: ResolvedAction["type"];
  outcome: "done" | "skipped" | "failed";
  /** What was done (`assigned to <user id>`), why it was skipped, or the error. */
  detail: string | null;
}

type Params = Record<string, unknown>;

/**
 * Runs one resolved action through the domain services, in a savepoint: a failing action (a
 * WhatsApp window that closed, a user deactivated since the rule was written) is rolled back and
 * logged, and the actions after it still run. Events the services record carry `scope.origin`.
 */
export async function runAction(tx: DbOrTx, scope: Scope, action: ResolvedAction): Promise<ActionOutcome> {
  if (action.skipped) return { type: action.type, outcome: "skipped", detail: action.skipped };
  try {
    const detail = await tx.transaction((savepoint) => perform(savepoint, scope, action.type, action.params));
    return { type: action.type, outcome: "done", detail };
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { type: action.type, outcome: "failed", detail: err.message };
  }
}

async function perform(tx: DbOrTx, scope: Scope, type: ResolvedAction["type"], p: Params): Promise<string> {
  const conversationId = p.conversation_id as string;
  switch (type) {
    case "assign_agent":
      await updateConversation(tx, scope, conversationId, { assigneeId: p.user_id as string });
      return `assigned to ${p.user_id as string}`;
    case "assign_round_robin": {
      const userId = await nextInRotation(tx, scope.tenantId, p.among as "online_agents" | string[]);
      if (!userId) throw new AppError("validation_error", "no active agent to assign to");
      await updateConversation(tx, scope, conversationId, { assigneeId: userId });
      return `assigned to ${userId}`;
    }
    case "set_status":
      await updateConversation(tx, scope, conversationId, { status: p.status as "open", snoozedUntil: p.snoozed_until ? new Date(p.snoozed_until as string) : null });
      return `status ${p.status as string}`;
    case "set_priority":
      return setConversationField(tx, scope, conversationId, { priority: p.priority as "normal" }, "priority");
    case "add_label":
      return setConversationField(tx, scope, conversationId, { labels: sql`array(select distinct unnest(${conversations.labels} || array[${p.label as string}]::text[]))` as unknown as string[] }, "labels");
    case "create_task": {
      const assignee = p.assignee as "conversation_assignee" | "none" | { user_id: string };
      let assigneeId: string | null = null;
      if (assignee === "conversation_assignee" && p.conversation_id) assigneeId = (await lockConversation(tx, scope.tenantId, conversationId)).assigneeId;
      else if (typeof assignee === "object") assigneeId = assignee.user_id;
      const task = await createTask(tx, scope, {
        title: p.title as string,
        description: (p.description as string | null) ?? null,
        dueAt: p.due_at ? new Date(p.due_at as string) : null,
        conversationId: (p.conversation_id as string | null) ?? null,
        contactId: (p.contact_id as string | null) ?? null,
        assigneeId,
      });
      return `task ${task.id}`;
    }
    case "send_message": {
      const sent = await queueOutboundMessage(tx, scope, conversationId, p.text as string);
      return `message ${sent.id} queued`;
    }
    case "add_internal_comment": {
      const comment = await addInternalComment(tx, scope, conversationId, p.text as string);
      return `comment ${comment.id}`;
    }
    case "update_contact": {
      const fields = p.fields as { name?: string; email?: string; phone?: string; attributes?: Record<string, unknown> };
      await updateContact(tx, scope, p.contact_id as string, fields);
      return `contact ${Object.keys(fields).join(", ")} updated`;
    }
    case "change_lead_score": {
      // Applied to the score as it is now: another rule or the classifier may have moved it since the event.
      const [contact] = await tx.select({ leadScore: contacts.leadScore }).from(contacts).where(and(eq(contacts.tenantId, scope.tenantId), eq(contacts.id, p.contact_id as string))).for("update");
      if (!contact) throw new AppError("not_found", "contact not found");
      const change = applyLeadScoreChange(contact.leadScore, "set" in p && p.set !== undefined ? { set: p.set as number } : { delta: p.delta as number }, "rule");
      if (change.changed) await updateContact(tx, scope, p.contact_id as string, { leadScore: change.score });
      return change.changed ? `lead score ${change.previous_score} -> ${change.score}` : `lead score stays ${change.score}`;
    }
    case "notify_users": {
      const to = p.to as { user_ids: string[] } | { role: "agent" | "manager" | "admin" };
      const recipients = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(and(eq(memberships.tenantId, scope.tenantId), isNull(memberships.deactivatedAt), "role" in to ? eq(memberships.role, to.role) : inArray(memberships.userId, to.user_ids)));
      if (recipients.length === 0) throw new AppError("validation_error", "none of the users to notify is an active user of this workspace");
      const data = { rule_id: scope.origin?.rule_id ?? null, event_id: scope.origin?.root_event_id ?? null };
      await tx.insert(notifications).values(recipients.map((r) => ({ tenantId: scope.tenantId, userId: r.userId, kind: "rule", title: p.title as string, data })));
      for (const r of recipients) scope.effects.live.push({ tenantId: scope.tenantId, kind: "notification.created", data: { notification_kind: "rule", user_id: r.userId } });
      return `${recipients.length} user(s) notified`;
    }
    case "emit_to_destination": {
      const deliveryIds = await fanOut(tx, { tenantId: scope.tenantId, eventId: p.event_id as string, eventType: await eventTypeOf(tx, p.event_id as string), destinationId: p.destination_id as string });
      if (deliveryIds.length === 0) throw new AppError("not_found", "the destination does not exist or is disabled");
      scope.effects.deliveries.push(...deliveryIds.map((deliveryId) => ({ deliveryId, tenantId: scope.tenantId })));
      return `delivery ${deliveryIds[0]}`;
    }
  }
}

async function eventTypeOf(tx: DbOrTx, eventId: string): Promise<string> {
  const { rows } = await tx.execute<{ type: string }>(sql`select type from automation_events where id = ${eventId}`);
  return rows[0]!.type;
}

/** Priority and labels are not part of the agents' conversation update yet: set here, with the same event. */
async function setConversationField(tx: DbOrTx, scope: Scope, conversationId: string, patch: Partial<typeof conversations.$inferInsert>, field: "priority" | "labels"): Promise<string> {
  const before = await lockConversation(tx, scope.tenantId, conversationId);
  const [after] = await tx.update(conversations).set(patch).where(eq(conversations.id, conversationId)).returning();
  const changed = JSON.stringify(before[field]) !== JSON.stringify(after![field]);
  if (changed) {
    await recordEvent(
      tx,
      {
        tenantId: scope.tenantId,
        type: "conversation.updated",
        sourceEventId: `conversation.updated:${conversationId}:${randomUUID()}`,
        correlationId: scope.correlationId,
        origin: scope.origin,
        payload: { conversation_id: conversationId, status: after!.status, assignee_id: after!.assigneeId, changes: [field] },
      },
      scope.effects,
    );
    scope.effects.live.push({ tenantId: scope.tenantId, kind: "conversation.changed", conversationId, data: { changes: [field] } });
  }
  return field === "priority" ? `priority ${after!.priority}` : `labels ${after!.labels.join(", ")}`;
}

/**
 * Round robin: the candidate with the fewest open conversations assigned, ties to the one assigned
 * least recently, then by id. Alfred has no presence yet, so "online agents" means every active user
 * with the agent role (the README says so); a list of user ids is narrowed to active members.
 */
async function nextInRotation(tx: DbOrTx, tenantId: string, among: "online_agents" | string[]): Promise<string | null> {
  const candidates = among === "online_agents" ? sql`m.role = 'agent'` : sql`m.user_id = any(${arrayParam(among)}::uuid[])`;
  const { rows } = await tx.execute<{ user_id: string }>(sql`
    select m.user_id from memberships m
    left join lateral (
      select count(*) filter (where c.status in ('open', 'pending')) as open, max(c.updated_at) as last
      from conversations c where c.tenant_id = m.tenant_id and c.assignee_id = m.user_id
    ) load on true
    where m.tenant_id = ${tenantId} and m.deactivated_at is null and ${candidates}
    order by load.open asc, load.last asc nulls first, m.user_id asc
    limit 1`);
  return rows[0]?.user_id ?? null;
}
