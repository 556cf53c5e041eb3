import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, timestamps } from "./_columns";
import { tenants, users } from "./identity";
import { messages } from "./crm";
import { automationEvents } from "./automation";

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
    compiled: jsonb().notNull(),
    /** Bumped on every change of the definition; each execution records the version it ran. */
    version: integer().notNull().default(1),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
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
    /** The executable plan (`compileFlow`): steps with their offsets from the trigger. */
    compiled: jsonb().notNull(),
    /** The instruction the flow was written from ("describe it in words"), when it was. */
    sourcePrompt: text(),
    version: integer().notNull().default(1),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    ...timestamps(),
  },
  (t) => [index("flows_tenant_trigger_idx").on(t.tenantId, t.triggerEventType, t.enabled)],
);

/**
 * One evaluation of a rule (or of a flow's start or one of its steps) on one committed event: what
 * matched, what each action did, what failed. The unique keys make a rule act once per event however
 * many workers see the event: the row is inserted in the transaction that runs the actions.
 */
export const ruleExecutions = pgTable(
  "rule_executions",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    ruleId: uuid().references(() => rules.id, { onDelete: "cascade" }),
    flowId: uuid().references(() => flows.id, { onDelete: "cascade" }),
    /** A flow's step index; null for a rule and for a flow's start (its conditions, the scheduling). */
    step: integer(),
    eventId: uuid().notNull().references(() => automationEvents.id, { onDelete: "cascade" }),
    eventType: text().notNull(),
    /** The version of the rule or flow that ran. */
    version: integer().notNull(),
    matched: boolean().notNull(),
    /** other_event_type, already_applied (loop prevention), depth_limit, disabled. */
    skipped: text(),
    conditions: jsonb().$type<unknown[]>().notNull().default([]),
    /** One entry per action: type, outcome (done / skipped / failed), detail. */
    actions: jsonb().$type<unknown[]>().notNull().default([]),
    errors: jsonb().$type<string[]>().notNull().default([]),
    /** Rule actions between the customer's (or user's) event and this one. */
    chainDepth: integer().notNull().default(0),
    rootEventId: uuid(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("rule_executions_rule_event_key").on(t.ruleId, t.eventId).where(sql`${t.ruleId} is not null`),
    uniqueIndex("rule_executions_flow_event_step_key").on(t.flowId, t.eventId, sql`coalesce(${t.step}, -1)`).where(sql`${t.flowId} is not null`),
    index("rule_executions_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index("rule_executions_rule_created_idx").on(t.ruleId, t.createdAt.desc()),
    index("rule_executions_flow_created_idx").on(t.flowId, t.createdAt.desc()),
    index("rule_executions_event_idx").on(t.eventId),
  ],
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
