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

/**
 * One row per live worker process, beaten every few seconds by its delivery engine (Postgres' clock
 * only). A delivery leased by a worker whose beat went stale may be claimed before its lease runs
 * out: a killed worker's work resumes within seconds, not after the HTTP timeout. In Postgres, not
 * Redis, so the rule holds while Redis is down or was emptied.
 */
export const workerHeartbeats = pgTable(
  "worker_heartbeats",
  {
    workerId: text().primaryKey(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("worker_heartbeats_last_seen_idx").on(t.lastSeenAt)],
);
