import { AppError } from "@alfred/core";
import { and, eq, isNull, or, sql, type DbOrTx } from "@alfred/db";
import { notifications } from "@alfred/db/schema";

/** A user's notifications: addressed to them, or to every admin when they are an admin. */
function visibleTo(tenantId: string, userId: string, isAdmin: boolean) {
  return and(eq(notifications.tenantId, tenantId), isAdmin ? or(eq(notifications.userId, userId), isNull(notifications.userId)) : eq(notifications.userId, userId));
}

export async function listNotifications(db: DbOrTx, tenantId: string, userId: string, isAdmin: boolean, options: { unreadOnly?: boolean; limit?: number }) {
  const rows = await db
    .select()
    .from(notifications)
    .where(and(visibleTo(tenantId, userId, isAdmin), options.unreadOnly ? isNull(notifications.readAt) : undefined))
    .orderBy(sql`${notifications.createdAt} desc`)
    .limit(options.limit ?? 50);
  const [unread] = await db.select({ n: sql<number>`count(*)::int` }).from(notifications).where(and(visibleTo(tenantId, userId, isAdmin), isNull(notifications.readAt)));
  return {
    items: rows.map((n) => ({ id: n.id, kind: n.kind, title: n.title, body: n.body, data: n.data, read_at: n.readAt?.toISOString() ?? null, created_at: n.createdAt.toISOString() })),
    unread_count: unread?.n ?? 0,
  };
}

export async function markNotificationRead(db: DbOrTx, tenantId: string, userId: string, isAdmin: boolean, id: string) {
  const updated = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(and(visibleTo(tenantId, userId, isAdmin), eq(notifications.id, id)))
    .returning({ id: notifications.id });
  if (updated.length === 0) throw new AppError("not_found", "notification not found");
  return { id, read: true };
}
