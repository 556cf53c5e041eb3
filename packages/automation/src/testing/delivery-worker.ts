import { createRedis } from "@alfred/core";
import { Worker } from "bullmq";
import { createDeliveryProcessor, type DeliveryDeps } from "../delivery";
import { QUEUE_NAMES } from "../queues";

/**
 * The production delivery processor on a real BullMQ worker in this process, for integration tests
 * of other packages (the API's "send test event", retries) that need deliveries to actually go out.
 */
export function startDeliveryWorker(deps: DeliveryDeps, options: { prefix: string; redisUrl?: string; concurrency?: number }): { close(): Promise<void> } {
  const connection = createRedis(options.redisUrl ?? "redis://127.0.0.1:6379", "worker");
  const worker = new Worker(QUEUE_NAMES.deliveries, createDeliveryProcessor(deps), { connection, prefix: options.prefix, concurrency: options.concurrency ?? 4 });
  worker.on("error", () => undefined);
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
