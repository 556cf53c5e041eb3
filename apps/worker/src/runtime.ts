import { DeliveryEngine, JOB_SCHEDULERS, listenForWakeUps, Producer, QUEUE_NAMES, type AutomationSettings, type QueueName } from "@alfred/automation";
import { collectProcessMetrics, createRedis, EnvKeyRing, stopTracing, type Logger, type SecretKeyProvider } from "@alfred/core";
import { aiProviderFor, ReceiptEngine, RuleEngine } from "@alfred/crm";
import { createDb, type Database } from "@alfred/db";
import { createEgressClient, type EgressClient } from "@alfred/egress";
import type { AiProvider } from "@alfred/rules";
import type { BlobStorage } from "@alfred/storage";
import { Queue, Worker, type Processor } from "bullmq";
import type { Redis } from "ioredis";
import type { WorkerEnv } from "./env";
import { createHealthCheck } from "./health";
import { createQueueGauges } from "./metrics";
import { startHeartbeat, type Heartbeat } from "./heartbeat";
import { closeServer, createHttpServer, listen } from "./http";
import { createChannelSendProcessor } from "./processors/channel-sends";
import { createClassificationProcessor } from "./processors/classifications";
import { createFlowStepProcessor } from "./processors/flow-steps";
import { createMaintenanceProcessor } from "./processors/maintenance";
import { startMediaFetcher, type MediaFetcher } from "./media-fetcher";
import { upsertJobSchedulers } from "./schedulers";

/** Everything a processor may need; built once per worker process. */
interface ProcessorDeps {
  db: Database;
  logger: Logger;
  /** Enqueues follow-up jobs (retries, reconciled work); fails fast when Redis is down. */
  producer: Producer;
  keys: SecretKeyProvider;
  automation: AutomationSettings;
  /** Every call to a tenant-chosen URL outside deliveries (channel senders, SMTP). */
  egress: EgressClient;
  receiptRetentionDays: number;
  /** Classifies inbound messages: AI_BASE_URL's model through `egress`, else the local heuristic. */
  ai: AiProvider;
}

/**
 * Which BullMQ queues this worker consumes, with what concurrency. Deliveries and inbound receipts
 * are not among them: their rows in Postgres are the queue, drained by the engines below.
 */
const CONSUMERS: { queue: QueueName; concurrency: number; processor: (deps: ProcessorDeps) => Processor }[] = [
  // Housekeeping is cheap and row-locked; one at a time per replica is plenty.
  { queue: QUEUE_NAMES.maintenance, concurrency: 1, processor: createMaintenanceProcessor },
  // Outbound messages to providers: I/O-bound, and per-message ordered by the queue itself.
  { queue: QUEUE_NAMES.channelSends, concurrency: 4, processor: createChannelSendProcessor },
  // Inbound classification: a model call each (I/O-bound); the local heuristic is instant.
  { queue: QUEUE_NAMES.classifications, concurrency: 4, processor: createClassificationProcessor },
  // Delayed flow steps: short database work each.
  { queue: QUEUE_NAMES.flowSteps, concurrency: 2, processor: createFlowStepProcessor },
];

export interface WorkerRuntime {
  /** Starts the HTTP port, upserts the job schedulers, then starts consuming. Resolves with the HTTP port. */
  start(): Promise<number>;
  /** Stops HTTP, lets running jobs finish, closes queues, Redis and the pool. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * While Redis is unreachable, ioredis, every queue and every worker report an error on each
 * reconnect attempt; log the first of each kind per minute, with how many were held back.
 */
function createErrorLog(logger: Logger, windowMs = 60_000) {
  const seen = new Map<string, { at: number; suppressed: number }>();
  return (source: Record<string, string>, err: Error) => {
    const key = `${JSON.stringify(source)} ${err.message}`;
    const now = Date.now();
    const last = seen.get(key);
    if (last && now - last.at < windowMs) {
      last.suppressed += 1;
      return;
    }
    seen.set(key, { at: now, suppressed: 0 });
    logger.error({ err, ...source, ...(last?.suppressed ? { repeated: last.suppressed } : {}) }, "redis or queue error");
  };
}

function watchRedis(redis: Redis, name: string, logger: Logger, logError: ReturnType<typeof createErrorLog>): void {
  let down = false;
  redis.on("error", (err: Error) => {
    down = true;
    logError({ connection: name }, err);
  });
  redis.on("ready", () => {
    if (down) logger.info({ connection: name }, "redis connection restored");
    down = false;
  });
}

async function quitRedis(redis: Redis): Promise<void> {
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
  await Promise.race([redis.quit().then(() => undefined, () => undefined), timeout]);
  redis.disconnect();
}

/** `storage`: where inbound media goes; without it (tests that do not need it) media is not fetched. */
export function createWorkerRuntime(env: WorkerEnv, logger: Logger, storage?: BlobStorage): WorkerRuntime {
  // Receipt drainers and the delivery engine's claim and record stages each hold a connection while they run.
  const database = createDb(env.DATABASE_URL, { applicationName: "alfred-worker", max: env.DATABASE_POOL_SIZE });
  // Blocking BullMQ connection (retries forever) for queues and workers; a fail-fast one for health.
  const bullRedis = createRedis(env.REDIS_URL, "worker", { connectionName: "alfred-worker" });
  const healthRedis = createRedis(env.REDIS_URL, "client", { connectionName: "alfred-worker-health" });
  // Fail-fast connection for enqueueing from processors: a lost enqueue is the reconciler's job.
  const producerRedis = createRedis(env.REDIS_URL, "client", { connectionName: "alfred-worker-producer" });
  // Subscriber for wake-ups (a subscribed connection can do nothing else).
  const wakeRedis = createRedis(env.REDIS_URL, "worker", { connectionName: "alfred-worker-wakeups" });
  const logError = createErrorLog(logger);
  watchRedis(bullRedis, "bullmq", logger, logError);
  watchRedis(healthRedis, "health", logger, logError);
  watchRedis(producerRedis, "producer", logger, logError);
  watchRedis(wakeRedis, "wakeups", logger, logError);
  const producer = new Producer(producerRedis, env.QUEUE_PREFIX, logger);
  const egress = createEgressClient(env.automation);
  const processorDeps: ProcessorDeps = {
    db: database.db,
    logger,
    producer,
    keys: new EnvKeyRing(env.AUTOMATION_ENCRYPTION_KEYS),
    automation: env.automation,
    egress,
    receiptRetentionDays: env.RECEIPT_RETENTION_DAYS,
    ai: aiProviderFor(env, egress),
  };
  const deliveries = new DeliveryEngine(
    { db: database.db, keys: processorDeps.keys, settings: env.automation, logger, publishLive: (events) => producer.publishLive(events) },
    { maxInFlight: env.AUTOMATION_DELIVERY_CONCURRENCY, maxPerDestination: env.AUTOMATION_DELIVERY_CONCURRENCY_PER_DESTINATION },
  );
  const receipts = new ReceiptEngine({ db: database.db, producer, logger });
  const rules = new RuleEngine({ db: database.db, producer, logger });

  const bullOptions = { connection: bullRedis, prefix: env.QUEUE_PREFIX };
  // Every queue: the schedulers' (maintenance) and the consumed ones, whose depth is a metric too.
  const queueNames = new Set<QueueName>([...JOB_SCHEDULERS.map((def) => def.queue), ...CONSUMERS.map((c) => c.queue)]);
  const queues = new Map<QueueName, Queue>();
  for (const name of queueNames) {
    const queue = new Queue(name, bullOptions);
    queue.on("error", (err) => logError({ queue: name, part: "queue" }, err));
    queues.set(name, queue);
  }

  const workers = CONSUMERS.map(({ queue, concurrency, processor }) => {
    const worker = new Worker(queue, processor(processorDeps), { ...bullOptions, concurrency, autorun: false });
    worker.on("error", (err) => logError({ queue, part: "worker" }, err));
    return worker;
  });

  const server = createHttpServer({
    checkHealth: createHealthCheck({ pool: database.pool, redis: healthRedis, logger }),
    logger,
    metrics: { token: env.METRICS_TOKEN, refresh: createQueueGauges({ queues: [...queues.values()], db: database.db }) },
  });

  let closing: Promise<void> | undefined;
  let heartbeat: Heartbeat | undefined;
  let media: MediaFetcher | undefined;

  return {
    async start() {
      collectProcessMetrics("worker");
      const port = await listen(server, env.WORKER_HTTP_PORT);
      logger.info({ port, queue_prefix: env.QUEUE_PREFIX }, "worker http listening");
      try {
        // Waits for Redis when it is down at boot; /health meanwhile answers 503 naming it.
        await upsertJobSchedulers(queues, JOB_SCHEDULERS, logger);
      } catch (err) {
        // A shutdown during boot closes the queues under the upsert: that is not a start failure.
        if (closing) return port;
        throw err;
      }
      if (closing) return port;
      // A Redis that comes back empty (restarted without persistence, failed over) has lost the
      // schedulers, and with them the reconciler that rebuilds every other job: upsert them again.
      let redisWasDown = false;
      bullRedis.on("error", () => (redisWasDown = true));
      bullRedis.on("ready", () => {
        if (!redisWasDown || closing) return;
        redisWasDown = false;
        upsertJobSchedulers(queues, JOB_SCHEDULERS, logger).catch((err: unknown) => logger.error({ err }, "re-upserting job schedulers failed"));
      });
      for (const worker of workers) {
        worker.run().catch((err: unknown) => logger.error({ err, queue: worker.name }, "worker stopped with an error"));
      }
      // The engines sweep Postgres on their own; wake-ups only make them prompt.
      listenForWakeUps(wakeRedis, env.QUEUE_PREFIX, { deliveries: () => deliveries.wake(), receipts: (lanes) => receipts.wake(lanes), rules: () => rules.wake() }).catch((err: unknown) =>
        logger.warn({ err }, "not listening for wake-ups yet; the engines' sweeps find the work"),
      );
      await deliveries.start();
      receipts.start();
      if (storage) media = startMediaFetcher({ db: database.db, keys: processorDeps.keys, storage, egress: processorDeps.egress }, logger);
      // Shown in the operations view (operations.queueHealth), with the same id as on its delivery leases; on the fail-fast connection.
      heartbeat = startHeartbeat({ redis: healthRedis, prefix: env.QUEUE_PREFIX, logger, id: deliveries.id });
      logger.info({ queues: workers.map((w) => w.name), ai_provider: processorDeps.ai.name, ai_model: processorDeps.ai.model }, "worker started");
      rules.start();
      // Shown in the operations view (operations.queueHealth); on the fail-fast connection.
      heartbeat = startHeartbeat({ redis: healthRedis, prefix: env.QUEUE_PREFIX, logger });
      logger.info({ queues: workers.map((w) => w.name) }, "worker started");
      return port;
    },

    close() {
      closing ??= (async () => {
        await closeServer(server);
        await heartbeat?.stop();
        await Promise.all([...workers.map((worker) => worker.close()), deliveries.close(), receipts.close(), media?.close()]);
        await Promise.all([...workers.map((worker) => worker.close()), deliveries.close(), receipts.close(), rules.close()]);
        await Promise.all([...queues.values()].map((queue) => queue.close()));
        await producer.close();
        await processorDeps.egress.close();
        await Promise.all([quitRedis(bullRedis), quitRedis(healthRedis), quitRedis(producerRedis), quitRedis(wakeRedis)]);
        await database.close();
        await stopTracing();
      })();
      return closing;
    },
  };
}
