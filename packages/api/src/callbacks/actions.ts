import { AppError } from "@alfred/core";
import { addInternalComment, createTask, queueOutboundMessage, updateContact, updateConversation, type Scope } from "@alfred/crm";
import type { DbOrTx } from "@alfred/db";
import { CONVERSATION_STATUSES } from "@alfred/db/schema";
import { z } from "zod";
import { freeformObject, instantInput, MAX_CONTACT_ATTRIBUTES_BYTES } from "../router/schemas";

const id = z.uuid();
const when = instantInput;

/**
 * What an automation may do in Alfred, each validated by zod and run through the same domain
 * services the inbox UI uses (so the usual outbound events and live updates follow).
 */
export const CALLBACK_ACTIONS = {
  create_task: {
    params: z.object({
      title: z.string().trim().min(1).max(300),
      description: z.string().max(5000).nullish(),
      due_at: when.nullish(),
      conversation_id: id.nullish(),
      contact_id: id.nullish(),
      assignee_id: id.nullish(),
      lead: z.boolean().optional(),
    }),
    async run(tx: DbOrTx, scope: Scope, p: { title: string; description?: string | null; due_at?: Date | null; conversation_id?: string | null; contact_id?: string | null; assignee_id?: string | null; lead?: boolean }) {
      const task = await createTask(tx, scope, { title: p.title, description: p.description, dueAt: p.due_at, conversationId: p.conversation_id, contactId: p.contact_id, assigneeId: p.assignee_id, lead: p.lead });
      return { result: { task_id: task.id }, target: { type: "task", id: task.id } };
    },
  },
  update_conversation_status: {
    params: z.object({ conversation_id: id, status: z.enum(CONVERSATION_STATUSES), snoozed_until: when.nullish() }),
    async run(tx: DbOrTx, scope: Scope, p: { conversation_id: string; status: (typeof CONVERSATION_STATUSES)[number]; snoozed_until?: Date | null }) {
      const conversation = await updateConversation(tx, scope, p.conversation_id, { status: p.status, snoozedUntil: p.snoozed_until ?? null });
      return { result: { conversation_id: conversation.id, status: conversation.status }, target: { type: "conversation", id: conversation.id } };
    },
  },
  add_internal_comment: {
    params: z.object({ conversation_id: id, body: z.string().trim().min(1).max(4096) }),
    async run(tx: DbOrTx, scope: Scope, p: { conversation_id: string; body: string }) {
      const comment = await addInternalComment(tx, scope, p.conversation_id, p.body);
      return { result: { comment_id: comment.id }, target: { type: "internal_comment", id: comment.id } };
    },
  },
  send_message: {
    params: z.object({ conversation_id: id, body: z.string().trim().min(1).max(4096) }),
    async run(tx: DbOrTx, scope: Scope, p: { conversation_id: string; body: string }) {
      const message = await queueOutboundMessage(tx, scope, p.conversation_id, p.body);
      return { result: { message_id: message.id, status: message.status }, target: { type: "message", id: message.id } };
    },
  },
  update_contact: {
    params: z.object({
      contact_id: id,
      name: z.string().trim().max(200).nullish(),
      email: z.email().max(254).nullish(),
      phone: z.string().trim().max(40).nullish(),
      attributes: freeformObject(MAX_CONTACT_ATTRIBUTES_BYTES).optional(),
      lead_score: z.number().int().min(0).max(100).optional(),
    }),
    async run(tx: DbOrTx, scope: Scope, p: { contact_id: string; name?: string | null; email?: string | null; phone?: string | null; attributes?: Record<string, unknown>; lead_score?: number }) {
      const contact = await updateContact(tx, scope, p.contact_id, { name: p.name, email: p.email, phone: p.phone, attributes: p.attributes, leadScore: p.lead_score });
      return { result: { contact_id: contact.id }, target: { type: "contact", id: contact.id } };
    },
  },
} as const;

export type CallbackAction = keyof typeof CALLBACK_ACTIONS;
export const CALLBACK_ACTION_NAMES = Object.keys(CALLBACK_ACTIONS) as CallbackAction[];

export interface ValidatedAction {
  action: CallbackAction;
  params: unknown;
}

/** Validates `action` and its params; a problem is a 422 naming the field (`params.conversation_id`). */
export function validateAction(action: unknown, params: unknown): ValidatedAction {
  if (typeof action !== "string" || !Object.hasOwn(CALLBACK_ACTIONS, action)) {
    throw new AppError("validation_error", `action must be one of ${CALLBACK_ACTION_NAMES.join(", ")}`, { path: "action" });
  }
  const parsed = CALLBACK_ACTIONS[action as CallbackAction].params.safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = ["params", ...issue.path.map(String)].join(".");
    throw new AppError("validation_error", `${path}: ${issue.message}`, { path });
  }
  return { action: action as CallbackAction, params: parsed.data };
}

export async function runAction(tx: DbOrTx, scope: Scope, validated: ValidatedAction) {
  const definition = CALLBACK_ACTIONS[validated.action] as { run: (tx: DbOrTx, scope: Scope, params: unknown) => Promise<{ result: Record<string, unknown>; target: { type: string; id: string } }> };
  return definition.run(tx, scope, validated.params);
}
