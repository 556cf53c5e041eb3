import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "./_columns";
import { tenants, users } from "./identity";

/** In-app notifications. `userId` null means every admin of the tenant. */
export const notifications = pgTable(
  "notifications",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id, { onDelete: "cascade" }),
    kind: text().notNull(),
    title: text().notNull(),
    body: text(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    readAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("notifications_tenant_user_idx").on(t.tenantId, t.userId, t.createdAt.desc())],
);

export const AUDIT_ACTOR_TYPES = ["user", "api_key", "destination", "system"] as const;

export const auditLogs = pgTable(
  "audit_logs",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    actorType: text().$type<(typeof AUDIT_ACTOR_TYPES)[number]>().notNull(),
    actorId: uuid(),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    correlationId: text(),
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_logs_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index("audit_logs_tenant_action_idx").on(t.tenantId, t.action, t.createdAt.desc()),
  ],
);
