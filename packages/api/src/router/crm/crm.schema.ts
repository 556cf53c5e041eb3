import { z } from "zod";
import { booleanInput, cursorInput, freeformObject, instantInput, limitInput, MAX_CONTACT_ATTRIBUTES_BYTES, patchInput } from "../schemas";

export const contactView = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  lead_score: z.number().int(),
  settings: z.object({ automated_messages_opt_out: z.boolean(), preferred_language: z.string().nullable() }),
  created_at: z.string(),
  updated_at: z.string(),
});

export const listContactsInput = z.object({ q: z.string().trim().max(200).optional(), cursor: cursorInput, limit: limitInput }).optional().default({});

export const updateContactInput = patchInput({
  name: z.string().trim().max(200).nullable().optional(),
  email: z.email().max(254).nullable().optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  attributes: freeformObject(MAX_CONTACT_ATTRIBUTES_BYTES).optional(),
  lead_score: z.number().int().min(0).max(100).optional(),
  settings: z.object({ automated_messages_opt_out: z.boolean().optional(), preferred_language: z.string().max(20).nullable().optional() }).optional(),
});

export const contactConversation = z.object({ id: z.uuid(), status: z.string(), channel_type: z.string(), last_activity_at: z.string(), subject: z.string().nullable() });

export const taskView = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  status: z.enum(["open", "done"]),
  due_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  overdue: z.boolean(),
  assignee_id: z.uuid().nullable(),
  conversation_id: z.uuid().nullable(),
  contact_id: z.uuid().nullable(),
  lead: z.boolean(),
  created_by: z.object({ type: z.enum(["user", "destination", "system"]), id: z.string().nullable() }),
  created_at: z.string(),
});

export const listTasksInput = z
  .object({
    assignee: z.union([z.enum(["me", "unassigned"]), z.uuid()]).optional(),
    status: z.enum(["open", "done"]).optional(),
    conversation_id: z.uuid().optional(),
    contact_id: z.uuid().optional(),
    overdue: booleanInput.optional(),
    cursor: cursorInput,
    limit: limitInput,
  })
  .optional()
  .default({});

export const createTaskInput = z.object({
  title: z.string().trim().min(1).max(300),
  description: z.string().max(5000).nullable().optional(),
  due_at: instantInput.nullable().optional(),
  conversation_id: z.uuid().nullable().optional(),
  contact_id: z.uuid().nullable().optional(),
  assignee_id: z.uuid().nullable().optional(),
  lead: z.boolean().optional(),
  pipeline_stage: z.string().max(100).nullable().optional(),
});

export const updateTaskInput = patchInput({
  title: z.string().trim().min(1).max(300).optional(),
  description: z.string().max(5000).nullable().optional(),
  due_at: instantInput.nullable().optional(),
  assignee_id: z.uuid().nullable().optional(),
  status: z.enum(["open", "done"]).optional(),
});

export const notificationView = z.object({
  id: z.uuid(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  read_at: z.string().nullable(),
  created_at: z.string(),
});
