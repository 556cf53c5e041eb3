import { createRedis } from "@alfred/core";
import { DeliveryEngine, type DeliveryEngineDeps, type DeliveryEngineOptions } from "../delivery";
import { listenForWakeUps } from "../wakeups";

/**
 * The production delivery engine in this process, woken like the worker's, for integration tests of
 * other packages (the API's "send test event", retries) that need deliveries to actually go out.
 */
export async function startDeliveryEngine(
  deps: DeliveryEngineDeps,
  options: { prefix: string; redisUrl?: string } & Partial<DeliveryEngineOptions>,
): Promise<DeliveryEngine & { stop(): Promise<void> }> {
  const { prefix, redisUrl, ...engineOptions } = options;
  const engine = new DeliveryEngine(deps, { sweepMs: 250, ...engineOptions });
  const subscriber = createRedis(redisUrl ?? "redis://127.0.0.1:6379", "worker");
  await listenForWakeUps(subscriber, prefix, { deliveries: () => engine.wake() });
  await engine.start();
  return Object.assign(engine, {
    async stop() {
      await engine.close();
      subscriber.disconnect();
    },
  });
}
