import type { Principal } from "@alfred/auth";
import { AppError } from "@alfred/core";
import { and, beforeCursor, cursorTimestamp, decodeCursor, desc, encodeCursor, eq, gte, lt, type SQL } from "@alfred/db";
import { apiKeys, auditLogs, automationDestinations, users } from "@alfred/db/schema";
import type { z } from "zod";
import type { Context } from "../../context";
import type { auditLogPage, listAuditLogsInput } from "./audit-logs.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };

export const DEFAULT_AUDIT_PAGE = 50;


/**
 * The tenant's audit log, newest first, keyset-paginated on `audit_logs_tenant_created_idx` (or
 * `audit_logs_tenant_action_idx` with an action filter). Actor names come from the tenant's own
 * API keys and destinations; users are joined by id (audit rows only ever name the tenant's users).
 */
export async function listAuditLogsHandler({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof listAuditLogsInput> }): Promise<z.infer<typeof auditLogPage>> {
  if (input.since && input.until && input.since >= input.until) {
    throw new AppError("validation_error", "since must be earlier than until", { path: "since" });
  }
  const limit = input.limit ?? DEFAULT_AUDIT_PAGE;
  const where: SQL[] = [eq(auditLogs.tenantId, ctx.tenantId)];
  if (input.action) where.push(eq(auditLogs.action, input.action));
  if (input.actor_id) where.push(eq(auditLogs.actorId, input.actor_id));
  if (input.target_id) where.push(eq(auditLogs.targetId, input.target_id));
  if (input.correlation_id) where.push(eq(auditLogs.correlationId, input.correlation_id));
  if (input.since) where.push(gte(auditLogs.createdAt, input.since));
  if (input.until) where.push(lt(auditLogs.createdAt, input.until));
  const cursor = decodeCursor(input.cursor);
  if (cursor) where.push(beforeCursor(auditLogs.createdAt, auditLogs.id, cursor));
  const rows = await ctx.db
    .select({
      row: auditLogs,
      key: cursorTimestamp(auditLogs.createdAt),
      userName: users.name,
      apiKeyName: apiKeys.name,
      destinationName: automationDestinations.name,
    })
    .from(auditLogs)
    .leftJoin(users, and(eq(auditLogs.actorType, "user"), eq(users.id, auditLogs.actorId)))
    .leftJoin(apiKeys, and(eq(auditLogs.actorType, "api_key"), eq(apiKeys.id, auditLogs.actorId), eq(apiKeys.tenantId, ctx.tenantId)))
    .leftJoin(
      automationDestinations,
      and(eq(auditLogs.actorType, "destination"), eq(automationDestinations.id, auditLogs.actorId), eq(automationDestinations.tenantId, ctx.tenantId)),
    )
    .where(and(...where))
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ row, userName, apiKeyName, destinationName }) => ({
      id: row.id,
      at: row.createdAt.toISOString(),
      actor: { type: row.actorType, id: row.actorId, name: userName ?? apiKeyName ?? destinationName ?? (row.actorType === "system" ? "Alfred" : null) },
      action: row.action,
      target: row.targetId ? { type: row.targetType, id: row.targetId } : null,
      correlation_id: row.correlationId,
      metadata: row.metadata,
    })),
    next_cursor: rows.length > limit && last ? encodeCursor(last.key, last.row.id) : null,
  };
}
