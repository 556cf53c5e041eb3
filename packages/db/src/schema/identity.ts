import { sql } from "drizzle-orm";
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { id, timestamps } from "./_columns";

export const roleEnum = pgEnum("role", ["agent", "manager", "admin"]);
export const ROLES = roleEnum.enumValues;
export type Role = (typeof ROLES)[number];

export const tenants = pgTable("tenants", {
  id: id(),
  name: text().notNull(),
  /** A lead with no conversation activity for this many days is stalled (check_stalled_leads); admins edit it in Settings. */
  leadStallDays: integer().notNull().default(7),
  ...timestamps(),
});

/** A person who can sign in. E-mail is unique across Alfred (case-insensitive): it is the login. */
export const users = pgTable(
  "users",
  {
    id: id(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`)],
);

/** A user's place in a tenant: the role and whether it is still active. */
export const memberships = pgTable(
  "memberships",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid().notNull().references(() => users.id, { onDelete: "cascade" }),
    role: roleEnum().notNull(),
    deactivatedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("memberships_tenant_user_key").on(t.tenantId, t.userId),
    index("memberships_user_idx").on(t.userId),
  ],
);

/** Machine credentials for REST clients (e.g. an automation platform). Only the hash is stored. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** First characters of the key, shown in lists so people can tell keys apart. */
    prefix: text().notNull(),
    keyHash: text().notNull(),
    role: roleEnum().notNull().default("admin"),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    ...timestamps(),
  },
  (t) => [uniqueIndex("api_keys_key_hash_key").on(t.keyHash), index("api_keys_tenant_idx").on(t.tenantId, t.createdAt)],
);
