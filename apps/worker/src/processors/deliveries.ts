import { createDeliveryProcessor, QUEUE_NAMES, type AutomationSettings, type DeliveryCounters, type Producer } from "@alfred/automation";
import type { Logger, SecretKeyProvider } from "@alfred/core";
import type { Database } from "@alfred/db";
import { withJobLogging } from "./job-logging";

export interface DeliveriesProcessorDeps {
  db: Database;
  logger: Logger;
  keys: SecretKeyProvider;
  automation: AutomationSettings;
  producer: Producer;
  counters: DeliveryCounters;
}

/**
 * The `deliveries` queue: one signed POST per job (claim with a lease, send, record, schedule the
 * next attempt as a delayed job), all in @alfred/automation's delivery module.
 */
export function createDeliveriesProcessor(deps: DeliveriesProcessorDeps) {
  const deliver = createDeliveryProcessor({
    db: deps.db,
    keys: deps.keys,
    settings: deps.automation,
    producer: deps.producer,
    logger: deps.logger,
    counters: deps.counters,
  });
  return withJobLogging(QUEUE_NAMES.deliveries, deps.logger, (job) => deliver(job, job.token));
}
