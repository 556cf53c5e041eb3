import type { Logger } from "@alfred/core";
import { fetchPendingMedia, type MediaFetchDeps } from "@alfred/crm";

export interface MediaFetcher {
  close(): Promise<void>;
}

const BATCH = 20;

/**
 * Fetches WhatsApp/Messenger/Instagram files of inbound messages into blob storage: a batch every
 * `intervalMs`, or at once again while batches come back full. Each file's outcome is on its row.
 */
export function startMediaFetcher(deps: MediaFetchDeps, logger: Logger, intervalMs = 2_000): MediaFetcher {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      const result = await fetchPendingMedia(deps, BATCH);
      if (result.stored + result.failed) logger.info(result, "inbound media fetched");
      if (!stopped) timer = setTimeout(run, result.stored + result.failed === BATCH ? 0 : intervalMs);
    } catch (err) {
      logger.error({ err }, "fetching inbound media failed");
      if (!stopped) timer = setTimeout(run, intervalMs * 5);
    }
  };
  const run = () => {
    running = tick();
  };
  timer = setTimeout(run, 0);
  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
