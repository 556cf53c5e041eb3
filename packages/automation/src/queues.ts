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

/** Same shape `correlationIdFrom` accepts, so a producer's id survives the hop into the worker. */
const correlationId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/)
  .optional();

/** One HTTP delivery of an automation event to one destination (`automation_deliveries` row). */
export const deliveryJobSchema = z.object({
  delivery_id: z.uuid(),
  tenant_id: z.uuid(),
  correlation_id: correlationId,
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

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
 * Job id of one delivery attempt. BullMQ ignores an add whose id already exists, so the producer,
 * the retry path and the reconciler can all enqueue `(delivery, attempt)` and only one job runs.
 * Custom ids must not contain ':' (BullMQ's key separator).
 */
export function deliveryJobId(deliveryId: string, attempt: number): string {
  if (!ID_TOKEN.test(deliveryId)) throw new RangeError(`deliveryJobId: invalid delivery id "${deliveryId}"`);
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`deliveryJobId: attempt must be an integer >= 1, got ${attempt}`);
  return `delivery-${deliveryId}-${attempt}`;
}

/** Job id of an outbound message send: one job per message however often it is enqueued. */
export function channelSendJobId(messageId: string): string {
  if (!ID_TOKEN.test(messageId)) throw new RangeError(`channelSendJobId: invalid message id "${messageId}"`);
  return `channel-send-${messageId}`;
}
