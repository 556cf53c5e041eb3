import { roleAtLeast } from "@alfred/auth";
import { conversationsOfContact, createTask, getContact, listContacts, listNotifications, listTasks, markNotificationRead, updateContact, updateTask } from "@alfred/crm";
import { z } from "zod";
import { createTRPCRouter, tenantProcedure } from "../../trpc";
import { write } from "../../write";
import { booleanInput, idInput, pageOf } from "../schemas";
import {
  contactConversation,
  contactView,
  createTaskInput,
  listContactsInput,
  listTasksInput,
  notificationView,
  taskView,
  updateContactInput,
  updateTaskInput,
} from "./crm.schema";

export const contactsRouter = createTRPCRouter({
  list: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/contacts", tags: ["contacts"], summary: "Contacts, newest first; q searches name, e-mail, phone", protect: true } })
    .input(listContactsInput)
    .output(pageOf(contactView))
    .query(({ ctx, input }) => listContacts(ctx.db, ctx.tenantId, input)),
  get: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/contacts/{id}", tags: ["contacts"], summary: "One contact with its settings", protect: true } })
    .input(idInput)
    .output(contactView)
    .query(({ ctx, input }) => getContact(ctx.db, ctx.tenantId, input.id)),
  conversations: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/contacts/{id}/conversations", tags: ["contacts"], summary: "The contact's conversations", protect: true } })
    .input(idInput)
    .output(z.object({ items: z.array(contactConversation) }))
    .query(async ({ ctx, input }) => {
      await getContact(ctx.db, ctx.tenantId, input.id);
      return { items: await conversationsOfContact(ctx.db, ctx.tenantId, input.id) };
    }),
  update: tenantProcedure
    .meta({ openapi: { method: "PATCH", path: "/contacts/{id}", tags: ["contacts"], summary: "Edit details, attributes, lead score and settings", protect: true } })
    .input(updateContactInput)
    .output(contactView)
    .mutation(({ ctx, input }) =>
      write(ctx, (tx, scope) =>
        updateContact(tx, scope, input.id, {
          name: input.name,
          email: input.email,
          phone: input.phone,
          attributes: input.attributes,
          leadScore: input.lead_score,
          settings: input.settings && { automatedMessagesOptOut: input.settings.automated_messages_opt_out, preferredLanguage: input.settings.preferred_language },
        }),
      ),
    ),
});

export const tasksRouter = createTRPCRouter({
  list: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/tasks", tags: ["tasks"], summary: "Tasks: filter by assignee (me, unassigned, id), status, conversation, contact, overdue", protect: true } })
    .input(listTasksInput)
    .output(pageOf(taskView))
    .query(({ ctx, input }) =>
      listTasks(ctx.db, ctx.tenantId, ctx.principal.userId, {
        assignee: input.assignee,
        status: input.status,
        conversationId: input.conversation_id,
        contactId: input.contact_id,
        overdue: input.overdue,
        cursor: input.cursor,
        limit: input.limit,
      }),
    ),
  create: tenantProcedure
    .meta({ openapi: { method: "POST", path: "/tasks", tags: ["tasks"], summary: "Create a task or a lead task (404 when a named conversation, contact or assignee is not in the workspace)", protect: true, errorResponses: [404] }, rest: { status: 201 } })
    .input(createTaskInput)
    .output(taskView)
    .mutation(({ ctx, input }) =>
      write(ctx, (tx, scope) =>
        createTask(tx, scope, {
          title: input.title,
          description: input.description,
          dueAt: input.due_at,
          conversationId: input.conversation_id,
          contactId: input.contact_id,
          assigneeId: input.assignee_id,
          lead: input.lead,
          pipelineStage: input.pipeline_stage,
        }),
      ),
    ),
  update: tenantProcedure
    .meta({ openapi: { method: "PATCH", path: "/tasks/{id}", tags: ["tasks"], summary: "Edit, reassign, complete (status done) or reopen", protect: true } })
    .input(updateTaskInput)
    .output(taskView)
    .mutation(({ ctx, input }) =>
      write(ctx, (tx, scope) => updateTask(tx, scope, input.id, { title: input.title, description: input.description, dueAt: input.due_at, assigneeId: input.assignee_id, status: input.status })),
    ),
});

export const notificationsRouter = createTRPCRouter({
  list: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/notifications", tags: ["notifications"], summary: "Your notifications (admins also see workspace-wide ones)", protect: true } })
    .input(z.object({ unread: booleanInput.optional() }).optional().default({}))
    .output(z.object({ items: z.array(notificationView), unread_count: z.number().int() }))
    .query(({ ctx, input }) => listNotifications(ctx.db, ctx.tenantId, ctx.principal.userId, roleAtLeast(ctx.principal.role, "admin"), { unreadOnly: input.unread })),
  markRead: tenantProcedure
    .meta({ openapi: { method: "POST", path: "/notifications/{id}/read", tags: ["notifications"], summary: "Mark one notification read", protect: true }, audit: false })
    .input(idInput)
    .output(z.object({ id: z.uuid(), read: z.boolean() }))
    .mutation(({ ctx, input }) => markNotificationRead(ctx.db, ctx.tenantId, ctx.principal.userId, roleAtLeast(ctx.principal.role, "admin"), input.id)),
});
