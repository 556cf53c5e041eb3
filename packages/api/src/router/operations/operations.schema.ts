import { ALL_EVENT_TYPES } from "@alfred/automation";
import { z } from "zod";
import { instantInput as instant } from "../schemas";

const eventType = z.enum(ALL_EVENT_TYPES as [string, ...string[]]);

export const deliveryCountsInput = z
  .object({
    destination_id: z.uuid().optional(),
    event_type: eventType.optional(),
    since: instant.optional(),
    until: instant.optional(),
  })
  .optional()
  .default({});

export const deliveryCountsOutput = z.object({
  pending: z.number().int(),
  delivering: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});

/** Same shape as the correlation ids Alfred issues and accepts (`correlationIdFrom`). */
const correlationId = z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, "letters, digits and . _ : - only");

export const timelineInput = z
  .object({ correlation_id: correlationId.optional(), event_id: z.uuid().optional() })
  .refine((v) => v.correlation_id !== undefined || v.event_id !== undefined, { message: "pass correlation_id or event_id", path: ["correlation_id"] });

export const TIMELINE_KINDS = ["message", "event", "delivery", "attempt", "callback", "result"] as const;

export const timelineItem = z.object({
  at: z.string(),
  kind: z.enum(TIMELINE_KINDS),
  title: z.string(),
  status: z.string().optional(),
  ref: z.object({ type: z.string(), id: z.string() }),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const timelineOutput = z.object({ items: z.array(timelineItem) });

const count = z.number().int();

export const queueHealthOutput = z.object({
  /** The caller's tenant's own work, from Postgres: all any tenant sees on a hosted install. */
  work: z.object({
    deliveries: z.object({ due: count, scheduled: count, delivering: count, failed_last_24h: count, oldest_pending_seconds: count.nullable() }),
    outbound_messages: z.object({ queued: count, sending: count, failed_last_24h: count, oldest_unsent_seconds: count.nullable() }),
  }),
  /**
   * Machine-wide queues and worker heartbeats, shared by every tenant: only on a single-company
   * install (ALFRED_SINGLE_COMPANY=true), else null. `available` is false when Redis did not answer.
   */
  machine: z
    .object({
      available: z.boolean(),
      queues: z.array(z.object({ name: z.string(), waiting: count, delayed: count, active: count, failed: count, completed: count })),
      workers: z.array(z.object({ id: z.string(), last_seen_at: z.string(), healthy: z.boolean() })),
    })
    .nullable(),
});

export const HEALTH_WINDOWS = { "24h": 24, "7d": 24 * 7 } as const;

export const destinationHealthInput = z.object({
  id: z.uuid(),
  window: z.enum(Object.keys(HEALTH_WINDOWS) as ["24h", "7d"]).default("24h"),
});

const latency = z.object({ p50_ms: z.number().nullable(), p95_ms: z.number().nullable(), p99_ms: z.number().nullable() });

export const destinationHealthOutput = z.object({
  destination_id: z.uuid(),
  window: z.enum(["24h", "7d"]),
  since: z.string(),
  until: z.string(),
  /** One entry per hour of the window, oldest first, empty hours included: deliveries created in it, by where they are now. */
  hours: z.array(z.object({ hour: z.string(), delivered: z.number().int(), failed: z.number().int(), pending: z.number().int(), cancelled: z.number().int() }).extend(latency.shape)),
  totals: z.object({ delivered: z.number().int(), failed: z.number().int(), pending: z.number().int(), cancelled: z.number().int() }),
  /** Event committed -> delivered, over the window's delivered deliveries (null when none). */
  latency,
});
