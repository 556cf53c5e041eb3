/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done(value)` or the timeout; returns the last value. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}

/**
 * Calls `fire(i)` at a fixed rate for `seconds` without waiting for answers (an open loop, as
 * providers and producers behave), keeping at most `maxInFlight` running. Returns when all finished.
 */
export async function atFixedRate(perSecond: number, seconds: number, fire: (i: number) => Promise<void>, maxInFlight = 256): Promise<{ sent: number; skipped: number }> {
  const total = Math.round(perSecond * seconds);
  const started = performance.now();
  const running = new Set<Promise<void>>();
  let skipped = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (running.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const p = fire(i).finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);
  return { sent: total - skipped, skipped };
}
