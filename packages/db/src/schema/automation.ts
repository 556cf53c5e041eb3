import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, timestamps } from "./_columns";
import { tenants } from "./identity";

export const destinationDisabledReasonEnum = pgEnum("destination_disabled_reason", [
  "manual",
  "auto_failures",
  "gone",
]);

/** A static credential a destination sends with every delivery, for receivers that cannot check an HMAC. */
export const destinationCredentialKindEnum = pgEnum("destination_credential_kind", ["basic", "header"]);

/** A tenant's automation endpoint (an Activepieces Catch Webhook, or any HTTP receiver). */
export const automationDestinations = pgTable(
  "automation_destinations",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    name: text().notNull(),
    url: text().notNull(),
    /** AES-256-GCM envelope `kid:iv:tag:ciphertext`, never the secret itself. */
    secretEncrypted: text().notNull(),
    secretMasked: text().notNull(),
    /** During a rotation the previous secret keeps signing until `previousSecretExpiresAt`. */
    previousSecretEncrypted: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true }),
    /**
     * When an admin confirmed the receiver checks the new secret. Until then (or until the previous
     * secret expires) `X-Alfred-Body-Signature`, which one-secret receivers check, uses the previous one.
     */
    newSecretConfirmedAt: timestamp({ withTimezone: true }),
    /**
     * Optional static credential: `basic` (Authorization: Basic, `credentialName` is the username) or
     * `header` (`credentialName` is the header name). The password / header value is encrypted like
     * the signing secret; only a mask of it is kept in the clear.
     */
    credentialKind: destinationCredentialKindEnum(),
    credentialName: text(),
    credentialEncrypted: text(),
    credentialMasked: text(),
    enabled: boolean().notNull().default(true),
    disabledReason: destinationDisabledReasonEnum(),
    disabledAt: timestamp({ withTimezone: true }),
    /** Start of the current unbroken run of failed attempts; cleared by any success. */
    failingSince: timestamp({ withTimezone: true }),
    eventTypes: text().array().notNull().default([]),
    ...timestamps(),
  },
  (t) => [
    index("automation_destinations_tenant_idx").on(t.tenantId, t.createdAt),
    check(
      "automation_destinations_credential_complete",
      sql`(${t.credentialKind} is null and ${t.credentialName} is null and ${t.credentialEncrypted} is null and ${t.credentialMasked} is null) or (${t.credentialKind} is not null and ${t.credentialName} is not null and ${t.credentialEncrypted} is not null and ${t.credentialMasked} is not null)`,
    ),
  ],
);

/** The rule action an event was caused by (see @alfred/rules ActionOrigin). */
export interface EventOrigin {
  rule_id: string;
  root_event_id: string;
  depth: number;
  chain: string[];
}

/** The transactional outbox: written in the same transaction as the change that caused it. */
export const automationEvents = pgTable(
  "automation_events",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    type: text().notNull(),
    /** Idempotency key of the producer: a repeat returns the existing event. */
    sourceEventId: text().notNull(),
    payload: jsonb().notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    correlationId: text(),
    /**
     * Set when a rule's action caused the event (`{rule_id, root_event_id, depth, chain}`): the rule
     * engine evaluates it in that chain, so no rule re-triggers itself (loop prevention).
     */
    origin: jsonb().$type<EventOrigin>(),
    /** The rule engine has evaluated the tenant's rules and flows on this event. */
    rulesDoneAt: timestamp({ withTimezone: true }),
    /** Lease of the rule engine evaluating it; an expired lease means that worker died. */
    rulesLockedUntil: timestamp({ withTimezone: true }),
    /** W3C trace context of what recorded the event: each delivery attempt joins that trace. */
    traceparent: text(),
    createdAt: createdAt(),
  },
  (t) => [
    // The rule engine's claim: events not evaluated yet, oldest first.
    index("automation_events_rules_due_idx").on(t.createdAt).where(sql`${t.rulesDoneAt} is null`),
    uniqueIndex("automation_events_tenant_source_key").on(t.tenantId, t.sourceEventId),
    index("automation_events_tenant_occurred_idx").on(t.tenantId, t.occurredAt.desc()),
    index("automation_events_tenant_correlation_idx").on(t.tenantId, t.correlationId),
  ],
);

export const deliveryStatusEnum = pgEnum("delivery_status", [
  "pending",
  "delivering",
  "delivered",
  "failed",
  "cancelled",
]);
export const DELIVERY_STATUSES = deliveryStatusEnum.enumValues;

export const attemptTriggerEnum = pgEnum("delivery_attempt_trigger", ["scheduled", "manual", "test"]);

/** One event to one destination. Replays of an event create new rows. */
export const automationDeliveries = pgTable(
  "automation_deliveries",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    eventId: uuid().notNull().references(() => automationEvents.id, { onDelete: "cascade" }),
    destinationId: uuid().notNull().references(() => automationDestinations.id, { onDelete: "cascade" }),
    /** Denormalised from the event so the dashboard filters without a join. */
    eventType: text().notNull(),
    status: deliveryStatusEnum().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    lastStatusCode: integer(),
    lastError: text(),
    nextRetryAt: timestamp({ withTimezone: true }),
    deliveredAt: timestamp({ withTimezone: true }),
    /** Lease of the worker currently sending it; an expired lease means the worker died. */
    lockedUntil: timestamp({ withTimezone: true }),
    /** Which worker holds the lease: a lease of a worker whose heartbeat stopped can be taken early. */
    lockedBy: text(),
    /** What the next attempt is recorded as: a manual retry or a test send goes out as such. */
    nextTrigger: attemptTriggerEnum().notNull().default("scheduled"),
    ...timestamps(),
  },
  (t) => [
    index("automation_deliveries_tenant_created_idx").on(t.tenantId, t.createdAt.desc(), t.id.desc()),
    index("automation_deliveries_tenant_status_idx").on(t.tenantId, t.status, t.createdAt.desc()),
    index("automation_deliveries_tenant_destination_idx").on(t.tenantId, t.destinationId, t.createdAt.desc()),
    index("automation_deliveries_tenant_event_idx").on(t.tenantId, t.eventId),
    // The engine's claim: due pending rows by due time, and leases that ran out.
    index("automation_deliveries_due_idx").on(t.nextRetryAt).where(sql`${t.status} = 'pending'`),
    index("automation_deliveries_leased_idx").on(t.lockedUntil).where(sql`${t.status} = 'delivering'`),
  ],
);

export const automationDeliveryAttempts = pgTable(
  "automation_delivery_attempts",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    deliveryId: uuid().notNull().references(() => automationDeliveries.id, { onDelete: "cascade" }),
    number: integer().notNull(),
    trigger: attemptTriggerEnum().notNull().default("scheduled"),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    durationMs: integer().notNull(),
    statusCode: integer(),
    /** timeout, connection, ssrf_blocked, redirect, http_status... */
    errorClass: text(),
    errorMessage: text(),
    responseSnippet: text(),
    /** Headers as sent (signatures included, secrets never). */
    requestHeaders: jsonb().$type<Record<string, string>>().notNull().default({}),
    /** When the next attempt was scheduled for, when this one failed and another follows. */
    retryAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("automation_delivery_attempts_delivery_number_key").on(t.deliveryId, t.number),
    index("automation_delivery_attempts_tenant_idx").on(t.tenantId, t.startedAt.desc()),
  ],
);

export const callbackStatusEnum = pgEnum("callback_status", ["processing", "succeeded", "failed"]);

/** Inbound callbacks; the unique (destination_id, event_id) claim makes each act exactly once. */
export const automationCallbackEvents = pgTable(
  "automation_callback_events",
  {
    id: id(),
    tenantId: uuid().notNull().references(() => tenants.id, { onDelete: "cascade" }),
    destinationId: uuid().notNull().references(() => automationDestinations.id, { onDelete: "cascade" }),
    eventId: text().notNull(),
    correlationId: text(),
    /** The outbound event this callback answers, when `correlation_id` names one of the tenant's. */
    linkedEventId: uuid().references(() => automationEvents.id, { onDelete: "set null" }),
    action: text().notNull(),
    requestBody: jsonb(),
    status: callbackStatusEnum().notNull().default("processing"),
    responseStatus: integer(),
    responseBody: text(),
    resultType: text(),
    resultId: uuid(),
    createdAt: createdAt(),
    completedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("automation_callback_events_destination_event_key").on(t.destinationId, t.eventId),
    index("automation_callback_events_tenant_created_idx").on(t.tenantId, t.createdAt.desc()),
    index("automation_callback_events_tenant_linked_idx").on(t.tenantId, t.linkedEventId),
  ],
);
