import { z } from "zod";

/**
 * Queue names, Redis key prefix, job payload schemas and job scheduler definitions, shared by the
 * producers (web, crm writes) and the worker. Payloads carry ids only: the worker re-reads rows
 * from Postgres (the source of truth), so a lost or stale job never carries stale data, and no
 * secret ever reaches Redis. Deliveries and inbound receipts are not BullMQ jobs: their rows are the
 * queue (claimed in batches by the worker), and Redis only carries the wake-ups below.
 */

/** Redis pub/sub channel that wakes the delivery engines (an event with deliveries committed, a manual retry). */
export const deliveriesWakeChannel = (prefix: string) => `${prefix}:wake:deliveries`;
/** Redis pub/sub channel that wakes the rule engines (events committed). */
export const rulesWakeChannel = (prefix: string) => `${prefix}:wake:rules`;
/** Redis pub/sub channel that wakes the receipt workers; the message lists the lanes (`3,17`). */
export const receiptsWakeChannel = (prefix: string) => `${prefix}:wake:receipts`;
/** Redis pub/sub channel on which a channel change is announced; webhook intake forgets its cached channels. */
export const channelChangesChannel = (prefix: string) => `${prefix}:channels:changed`;

export const QUEUE_NAMES = {
  channelSends: "channel-sends",
  maintenance: "maintenance",
  classifications: "classifications",
  flowSteps: "flow-steps",
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const DEFAULT_QUEUE_PREFIX = "alfred";

/**
 * Begins every Redis key and channel Alfred uses (`<prefix>:<queue>:...`, `<prefix>:live:...`): a
 * plain token, or one wrapped in braces, a Redis Cluster hash tag (`{alfred}`): Cluster then keeps
 * every key on one slot, which BullMQ's multi-key scripts need (https://docs.bullmq.io/bull/patterns/redis-cluster).
 */
export const queuePrefixSchema = z
  .string()
  .regex(/^(\{[A-Za-z0-9_.-]{1,62}\}|[A-Za-z0-9_.-]{1,64})$/, "must be 1-64 characters of letters, digits, '_', '.' or '-', optionally in braces as a Redis Cluster hash tag ({alfred})");

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

/** One outbound message to its channel's provider (`messages` row, direction `out`). */
export const channelSendJobSchema = z.object({
  message_id: z.uuid(),
  tenant_id: z.uuid(),
  correlation_id: correlationId,
});
export type ChannelSendJob = z.infer<typeof channelSendJobSchema>;

/**
 * One inbound message to classify (intent, sentiment, language) and score its contact's lead from.
 * A job of its own rather than a step of the receipt drain: a model call takes up to seconds (and
 * retries), which must never hold a receipt lane, its lock or its transaction.
 */
export const classificationJobSchema = z.object({
  message_id: z.uuid(),
  tenant_id: z.uuid(),
  correlation_id: correlationId,
});
export type ClassificationJob = z.infer<typeof classificationJobSchema>;

/**
 * One step of a flow, due `delay` after its trigger event (a delayed job). It carries ids and the
 * loop-prevention context the flow started in; the worker reloads the flow and the facts when it runs.
 */
export const flowStepJobSchema = z.object({
  tenant_id: z.uuid(),
  flow_id: z.uuid(),
  /** The version the flow had when it started: an edited flow does not run the old plan's steps. */
  version: z.number().int().min(1),
  event_id: z.uuid(),
  step: z.number().int().min(0),
  execution: z.object({ root_event_id: z.uuid(), depth: z.number().int().min(0), chain: z.array(z.string()) }),
  correlation_id: correlationId,
});
export type FlowStepJob = z.infer<typeof flowStepJobSchema>;

/** One job per flow, event and step however often the start is seen. */
export function flowStepJobId(job: Pick<FlowStepJob, "flow_id" | "event_id" | "step">): string {
  for (const id of [job.flow_id, job.event_id]) if (!ID_TOKEN.test(id)) throw new RangeError(`flowStepJobId: invalid id "${id}"`);
  return `flow-step-${job.flow_id}-${job.event_id}-${job.step}`;
}

/** Maintenance jobs run across tenants; the job name selects the work, the payload is (so far) empty. */
const maintenancePayload = z.object({ correlation_id: correlationId });

export const maintenanceJobSchemas = {
  /** Re-enqueues outbound replies whose send job was lost (Redis lost, producer failed fast). */
  reconcile_replies: maintenancePayload,
  /** Deletes processed inbound receipts past their retention. */
  prune_receipts: maintenancePayload,
  /** Notifies assignees once about open tasks past their due time. */
  check_overdue_tasks: maintenancePayload,
  /** Flags leads with no activity for too long. */
  check_stalled_leads: maintenancePayload,
  /** Re-enqueues classification of recent inbound messages whose job was lost (Redis lost, producer failed fast). */
  reconcile_classifications: maintenancePayload,
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
    id: "reconcile-replies",
    queue: QUEUE_NAMES.maintenance,
    schedule: { every: 15_000 },
    job: { name: "reconcile_replies", data: {} },
    keep: { completed: 50, failed: 200 },
  },
  {
    id: "prune-receipts",
    queue: QUEUE_NAMES.maintenance,
    schedule: { pattern: "17 * * * *" },
    job: { name: "prune_receipts", data: {} },
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
  {
    id: "reconcile-classifications",
    queue: QUEUE_NAMES.maintenance,
    schedule: { every: 60_000 },
    job: { name: "reconcile_classifications", data: {} },
    keep: { completed: 50, failed: 200 },
  },
];

const ID_TOKEN = /^[A-Za-z0-9_-]+$/;

/** Job id of an outbound message send: one job per message however often it is enqueued. */
export function channelSendJobId(messageId: string): string {
  if (!ID_TOKEN.test(messageId)) throw new RangeError(`channelSendJobId: invalid message id "${messageId}"`);
  return `channel-send-${messageId}`;
}

/** Job id of a message's classification: one job per message however often it is enqueued. */
export function classificationJobId(messageId: string): string {
  if (!ID_TOKEN.test(messageId)) throw new RangeError(`classificationJobId: invalid message id "${messageId}"`);
  return `classify-${messageId}`;
}
