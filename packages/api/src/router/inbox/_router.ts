import { addInternalComment, conversationTimeline, listMessageAttachments, getConversation, listConversations, markConversationRead, queueOutboundMessage, updateConversation } from "@alfred/crm";
import { z } from "zod";
import { createTRPCRouter, tenantProcedure } from "../../trpc";
import { write } from "../../write";
import { idInput, pageOf } from "../schemas";
import {
  attachmentItem,
  bodyInput,
  commentOutput,
  conversationItem,
  listConversationsInput,
  timelineInput,
  timelineOutput,
  updateConversationInput,
} from "./inbox.schema";

const tags = ["conversations"];

/** The agent inbox: every role may work conversations of its own tenant. */
export const conversationsRouter = createTRPCRouter({
  list: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/conversations", tags, summary: "Conversations, newest activity first (keyset pagination)", protect: true } })
    .input(listConversationsInput)
    .output(pageOf(conversationItem))
    .query(({ ctx, input }) =>
      listConversations(ctx.db, ctx.tenantId, ctx.principal.userId, { status: input.status, assignee: input.assignee, channelId: input.channel_id, q: input.q, cursor: input.cursor, limit: input.limit }),
    ),
  get: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/conversations/{id}", tags, summary: "One conversation", protect: true } })
    .input(idInput)
    .output(conversationItem)
    .query(({ ctx, input }) => getConversation(ctx.db, ctx.tenantId, input.id)),
  update: tenantProcedure
    .meta({ openapi: { method: "PATCH", path: "/conversations/{id}", tags, summary: "Change status (open, pending, resolved, snoozed) or assignee", protect: true } })
    .input(updateConversationInput)
    .output(conversationItem)
    .mutation(({ ctx, input }) => write(ctx, (tx, scope) => updateConversation(tx, scope, input.id, { status: input.status, snoozedUntil: input.snoozed_until, assigneeId: input.assignee_id }))),
  markRead: tenantProcedure
    .meta({ openapi: { method: "POST", path: "/conversations/{id}/read", tags, summary: "Mark the conversation read", protect: true }, audit: false })
    .input(idInput)
    .output(z.object({ id: z.uuid(), unread_count: z.number() }))
    .mutation(({ ctx, input }) => write(ctx, (tx, scope) => markConversationRead(tx, scope, input.id))),
  timeline: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/conversations/{id}/messages", tags, summary: "Messages and internal comments, pages going back in time", protect: true } })
    .input(timelineInput)
    .output(timelineOutput)
    .query(({ ctx, input }) => conversationTimeline(ctx.db, ctx.tenantId, input.id, { cursor: input.cursor, limit: input.limit })),
  sendMessage: tenantProcedure
    .meta({ openapi: { method: "POST", path: "/conversations/{id}/messages", tags, summary: "Reply to the customer (queued, sent by the worker)", protect: true }, rest: { status: 202 } })
    .input(bodyInput)
    .output(z.object({ id: z.uuid(), status: z.literal("queued") }))
    .mutation(({ ctx, input }) => write(ctx, (tx, scope) => queueOutboundMessage(tx, scope, input.id, input.body))),
  addComment: tenantProcedure
    .meta({ openapi: { method: "POST", path: "/conversations/{id}/comments", tags, summary: "Private note, visible to the team only", protect: true }, rest: { status: 201 } })
    .input(bodyInput)
    .output(commentOutput)
    .mutation(({ ctx, input }) => write(ctx, (tx, scope) => addInternalComment(tx, scope, input.id, input.body))),
});

/** Messages by id: their files (the bytes are served by GET /api/v1/attachments/{id}/content). */
export const messagesRouter = createTRPCRouter({
  attachments: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/messages/{id}/attachments", tags: ["conversations"], summary: "Files of a message (e-mail attachments, WhatsApp/Messenger/Instagram media)", protect: true } })
    .input(idInput)
    .output(z.object({ items: z.array(attachmentItem) }))
    .query(async ({ ctx, input }) => ({ items: await listMessageAttachments(ctx.db, ctx.tenantId, input.id) })),
});
