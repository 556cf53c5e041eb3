import { PostCommitEffects } from "@alfred/automation";
import type { Database } from "@alfred/db";
import { DEFAULT_RECEIPT_SETTINGS, drainReceiptLane, type ReceiptProcessingSettings } from "./process";
import { dueReceiptLanes } from "./store";

/**
 * Processes every receipt that is due, lane after lane, until none is (what a worker does
 * continuously; tools and tests call it to process synchronously). A lane another caller holds is
 * waited for: that caller may have looked before our receipts committed. Returns the post-commit work.
 */
export async function drainDueReceipts(deps: { db: Database }, settings: ReceiptProcessingSettings = DEFAULT_RECEIPT_SETTINGS, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  const effects = new PostCommitEffects();
  const totals = { processed: 0, failed: 0, parked: 0, effects, stored: { messages: 0, duplicates: 0, statuses: 0, ignored: 0 } };
  for (let lanes = await dueReceiptLanes(deps.db); lanes.length; lanes = await dueReceiptLanes(deps.db)) {
    let progressed = false;
    for (const lane of lanes) {
      for (let more = true; more; ) {
        const drain = await drainReceiptLane(deps, lane, settings);
        more = drain.locked && drain.more;
        totals.processed += drain.processed;
        totals.failed += drain.failed;
        totals.parked += drain.parked;
        for (const key of ["messages", "duplicates", "statuses", "ignored"] as const) totals.stored[key] += drain.stored[key];
        progressed ||= drain.processed + drain.failed + drain.parked > 0;
        effects.absorb(drain.effects);
      }
    }
    if (!progressed) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 10)); // held by another drainer right now
    }
  }
  return totals;
}
