import { sql, type Database } from "@alfred/db";
import { workerHeartbeats } from "@alfred/db/schema";

/**
 * The delivery engine's heartbeat in Postgres (`worker_heartbeats`). A lease normally runs for the
 * HTTP timeout plus a margin (35 s by default), which is how long a killed worker's deliveries would
 * sit before anyone may retry them. A worker that beats proves it is alive; one whose beat is older
 * than `staleAfterMs` is dead (or so stuck it may as well be), and the claim takes its leases early.
 * Both the beat and the comparison use Postgres' clock, so replicas' clocks never matter.
 */
export const LEASE_HEARTBEAT = {
  intervalMs: 2_000,
  /** Four missed beats: survives a GC pause or a slow statement on a loaded machine, not a dead process. */
  staleAfterMs: 8_000,
  /** Rows of workers gone this long are deleted (their leases expired long before). */
  forgetAfterMs: 24 * 3_600_000,
} as const;

/** Records that `workerId` is alive now (first beat inserts the row). */
export async function beatWorker(db: Database, workerId: string): Promise<void> {
  await db
    .insert(workerHeartbeats)
    .values({ workerId })
    .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: sql`now()` } });
}

/** A worker shutting down cleanly has recorded everything it held: its row goes. */
export async function forgetWorker(db: Database, workerId: string): Promise<void> {
  await db.execute(sql`delete from ${workerHeartbeats} where worker_id = ${workerId}`);
}

/** Deletes the rows of workers silent for longer than `forgetAfterMs`. */
export async function pruneWorkerHeartbeats(db: Database, forgetAfterMs: number = LEASE_HEARTBEAT.forgetAfterMs): Promise<number> {
  const deleted = await db.execute(sql`delete from ${workerHeartbeats} where last_seen_at < now() - ${forgetAfterMs} * interval '1 millisecond'`);
  return deleted.rowCount ?? 0;
}
