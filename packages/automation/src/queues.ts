import { z } from "zod";

/**
 * Queue names, Redis key prefix, job payload schemas and job scheduler definitions, shared by the
 * producers (web, crm writes) and the worker. Payloads carry ids only: the worker re-reads rows
 * from Postgres (the source of truth), so a lost or stale job never carries stale data, and no
 * secret ever reaches Redis.
 */

export const QUEUE_NAMES = {
  deliveries: "deliveries",
  channelSends: "channel-sends",
  maintenance: "maintenance",
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const DEFAULT_QUEUE_PREFIX = "alfred";

/** Becomes part of every Redis key of the queues (`<prefix>:<queue>:...`); keep it a plain token. */
export const queuePrefixSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 characters of letters, digits, '_', '.' or '-'");

/**
 * The BullMQ key prefix: `QUEUE_PREFIX` when set (tests use one per file so runs never share
 * queues), else `alfred`. An empty value counts as unset.
 */
export function queuePrefix(env: { QUEUE_PREFIX?: string | undefined }): string {
  const value = env.QUEUE_PREFIX?.trim();
  if (!value) return DEFAULT_QUEUE_PREFIX;
  const parsed = queuePrefixSchema.safeParse(value);
  if (!parsed.success) throw new Error(`QUEUE_PREFIX: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/**
 * Worker heartbeat: each worker process writes `<prefix>:workers:<id>` (JSON `{ id, last_seen_at }`)
 * with a TTL every few seconds, and records the same id in the `<prefix>:workers` sorted set
 * (score = last seen, ms) so readers list workers without scanning the keyspace.
 */
export const WORKER_HEARTBEAT = {
  intervalMs: 5_000,
  /** The key outlives a few missed beats; a worker silent for longer than `healthyWithinMs` is unhealthy. */
  ttlSeconds: 120,
  healthyWithinMs: 30_000,
  /** Index entries older than this are pruned. */
  forgetAfterMs: 3_600_000,
} as const;

export const workerHeartbeatIndexKey = (prefix: string) => `${prefix}:workers`;
export const workerHeartbeatKey = (prefix: string, workerId: string) => `${prefix}:workers:${workerId}`;

/** Same shape `correlationIdFrom` accepts, so a producer's id survives the hop into the worker. */
const correlationId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .optional();

/** What started an attempt; recorded on the attempt row. */
export const DELIVERY_TRIGGERS = ["scheduled", "manual", "test"] as const;
export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number];

/**
 * One HTTP delivery of an automation event to one destination (`automation_deliveries` row).
 * `attempt` is the attempt number the job was enqueued for: a job whose attempt is no longer the
 * next one (the delivery moved on) does nothing.
 */
export const deliveryJobSchema = z.object({
  delivery_id: z.uuid(),
  tenant_id: z.uuid(),
  attempt: z.number().int().min(1).optional(),
  trigger: z.enum(DELIVERY_TRIGGERS).default("scheduled"),
  correlation_id: correlationId,
});
export type DeliveryJob = z.input<typeof deliveryJobSchema>;

/** One outbound message to its channel's provider (`messages` row, direction `out`). */
export const channelSendJobSchema = z.object({
  message_id: z.uuid(),
  tenant_id: z.uuid(),
  correlation_id: correlationId,
});
export type ChannelSendJob = z.infer<typeof channelSendJobSchema>;

/** Maintenance jobs run across tenants; the job name selects the work, the payload is (so far) empty. */
const maintenancePayload = z.object({ correlation_id: correlationId });

export const maintenanceJobSchemas = {
  /** Enqueues pending deliveries that have no live job (Redis lost, producer failed fast). */
  reconcile_deliveries: maintenancePayload,
  /** Notifies assignees once about open tasks past their due time. */
  check_overdue_tasks: maintenancePayload,
  /** Flags leads with no activity for too long. */
  check_stalled_leads: maintenancePayload,
} as const;

export type MaintenanceJobName = keyof typeof maintenanceJobSchemas;
export const MAINTENANCE_JOB_NAMES = Object.keys(maintenanceJobSchemas) as MaintenanceJobName[];
export type MaintenanceJobData<N extends MaintenanceJobName = MaintenanceJobName> = z.infer<(typeof maintenanceJobSchemas)[N]>;

export function isMaintenanceJobName(name: string): name is MaintenanceJobName {
  return Object.hasOwn(maintenanceJobSchemas, name);
}

/** `every` in milliseconds, or a cron `pattern` (UTC); exactly one of them. */
export type JobSchedule = { every: number; pattern?: never } | { pattern: string; every?: never };

export interface JobSchedulerDefinition {
  /** Stable id: upserting the same id from every worker replica keeps exactly one scheduler. */
  id: string;
  queue: QueueName;
  schedule: JobSchedule;
  job: { name: MaintenanceJobName; data: MaintenanceJobData };
  /** Scheduled runs are frequent; keep only a short history of them in Redis. */
  keep: { completed: number; failed: number };
}

/** Every scheduler the worker upserts at boot. */
export const JOB_SCHEDULERS: readonly JobSchedulerDefinition[] = [
  {
    id: "reconcile-deliveries",
    queue: QUEUE_NAMES.maintenance,
    schedule: { every: 5_000 },
    job: { name: "reconcile_deliveries", data: {} },
    keep: { completed: 50, failed: 200 },
  },
  {
    id: "check-overdue-tasks",
    queue: QUEUE_NAMES.maintenance,
    schedule: { every: 60_000 },
    job: { name: "check_overdue_tasks", data: {} },
    keep: { completed: 50, failed: 200 },
  },
  {
    id: "check-stalled-leads",
    queue: QUEUE_NAMES.maintenance,
    schedule: { pattern: "*/15 * * * *" },
    job: { name: "check_stalled_leads", data: {} },
    keep: { completed: 50, failed: 200 },
  },
];

const ID_TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Job id of one delivery attempt: `delivery-<delivery id>-<attempt>[-<run>]`.
 *
 * BullMQ ignores `add()` for an id that still exists, completed and failed jobs included (they are
 * kept by removeOnComplete / removeOnFail). The scheme:
 * - Scheduled runs (the producer after commit, the retry path after a failed attempt, and the
 *   reconciler for a pending row that is due) all use the plain `(delivery, attempt)` id, so however
 *   many of them enqueue the same attempt, one job exists and one runs.
 * - A job that runs before its row is due is moved back to delayed (same id, still live) instead of
 *   completing, so skew between Redis' and Postgres' clocks cannot consume the id.
 * - A lease recovery (the worker died mid-attempt) gets `-lease-<expired locked_until ms>`: the dead
 *   worker's job id may be stuck active or failed, and each expired lease is a distinct value, so
 *   every recovery has a fresh id while reconciler replicas still agree on it.
 * - A manual retry or test send gets `-manual-<token>` / `-test-<token>`: it must run now even while
 *   the scheduled job of the same attempt waits delayed (that one later finds its attempt taken and
 *   does nothing).
 * - Left-over terminal jobs: the reconciler treats a completed or failed job under a due row's id as
 *   dead, removes it and adds the attempt again, so no no-op run can swallow a later real one.
 * Custom ids must not contain ':' (BullMQ's key separator).
 */
export function deliveryJobId(deliveryId: string, attempt: number, run?: { kind: "lease" | "manual" | "test"; token: string }): string {
  if (!ID_TOKEN.test(deliveryId)) throw new RangeError(`deliveryJobId: invalid delivery id "${deliveryId}"`);
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`deliveryJobId: attempt must be an integer >= 1, got ${attempt}`);
  if (!run) return `delivery-${deliveryId}-${attempt}`;
  if (!ID_TOKEN.test(run.token)) throw new RangeError(`deliveryJobId: invalid run token "${run.token}"`);
  return `delivery-${deliveryId}-${attempt}-${run.kind}-${run.token}`;
}

/** Job id of an outbound message send: one job per message however often it is enqueued. */
export function channelSendJobId(messageId: string): string {
  if (!ID_TOKEN.test(messageId)) throw new RangeError(`channelSendJobId: invalid message id "${messageId}"`);
  return `channel-send-${messageId}`;
}
