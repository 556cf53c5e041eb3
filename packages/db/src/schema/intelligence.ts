import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, timestamps } from "./_columns";
import { tenants } from "./identity";
import { messages } from "./crm";

/** A single condition -> actions rule, evaluated on the same events that go to destinations. */
export const rules = pgTable(
  "rules",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text().notNull(),
    enabled: boolean().notNull().default(true),
    eventType: text().notNull(),
    /** The rule as written (conditions + actions JSON), validated by the rules engine. */
    definition: jsonb().notNull(),
    /** The engine's compiled form, re-derived whenever `definition` changes. */
    compiled: jsonb(),
    version: integer().notNull().default(1),
    ...timestamps(),
  },
  (t) => [index("rules_tenant_event_idx").on(t.tenantId, t.eventType, t.enabled)],
);

/** A multi-step flow (trigger, steps with branches and waits), possibly written from a prompt. */
export const flows = pgTable(
  "flows",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text().notNull(),
    enabled: boolean().notNull().default(false),
    triggerEventType: text().notNull(),
    definition: jsonb().notNull(),
    sourcePrompt: text(),
    version: integer().notNull().default(1),
    ...timestamps(),
  },
  (t) => [index("flows_tenant_trigger_idx").on(t.tenantId, t.triggerEventType, t.enabled)],
);

/**
 * Every call to an AI provider (classification, natural language -> flow), for cost and audit: who
 * asked, what for, which provider, how long, how much input and how it ended. Never the text, the
 * prompt, the answer or the key (see AiCallRecord in @alfred/rules).
 */
export const aiEvents = pgTable(
  "ai_events",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    /** classify | flow_from_text */
    purpose: text().notNull(),
    /** local | openai_compatible */
    provider: text().notNull(),
    model: text(),
    messageId: uuid().references(() => messages.id, { onDelete: "set null" }),
    latencyMs: integer().notNull(),
    /** Characters of input sent (the text itself is not kept). */
    inputChars: integer().notNull(),
    /** ok | not_understood | error */
    outcome: text().notNull(),
    /** For outcome error: timeout, http_status, invalid_json, invalid_shape, transport, misconfigured. */
    errorKind: text(),
    createdAt: createdAt(),
  },
  (t) => [
    index("ai_events_tenant_created_idx").on(t.tenantId, t.createdAt.desc()),
    index("ai_events_message_idx").on(t.messageId).where(sql`${t.messageId} is not null`),
  ],
);
