import { availableParallelism } from "node:os";
import { AppError } from "@alfred/core";

/** Who asked for password work when no client address applies (an admin creating a user, a seed). */
export const INTERNAL_REQUESTER = "internal";

interface Job {
  start: () => void;
}

export interface PasswordWorkLimits {
  /** Hashes running at once: argon2id is CPU- and memory-bound, more than the cores only queue. */
  concurrency: number;
  /** Waiting jobs per requester (client address): beyond it, 429 at once instead of a queue. */
  maxWaitingPerRequester: number;
  /** Waiting jobs in all: beyond it, 503 at once; a flood from many addresses fails fast. */
  maxWaiting: number;
}

/**
 * A bounded, fair queue for password hashing. Each requester (a client address) has its own line;
 * a free slot goes to the line with the fewest jobs already running, round-robin among equals: 80
 * attempts from one address wait behind each other, while a user signing in from another address
 * takes the very next free slot. Nothing queues forever: past the bounds the answer is 429/503 with
 * Retry-After at once, which costs the caller nothing.
 */
export class PasswordWorkQueue {
  private running = 0;
  private waitingCount = 0;
  private readonly runningBy = new Map<string, number>();
  /** Lines in round-robin order: a line served moves to the back (Map keeps insertion order). */
  private readonly lines = new Map<string, Job[]>();

  constructor(private readonly limits: PasswordWorkLimits) {}

  /** `internal` work (an admin adding users, seeds) has no per-requester bound, only the global one. */
  run<T>(requester: string, work: () => Promise<T>): Promise<T> {
    const line = this.lines.get(requester) ?? [];
    if (requester !== INTERNAL_REQUESTER && line.length >= this.limits.maxWaitingPerRequester) {
      return Promise.reject(new AppError("rate_limited", "too many sign-in attempts at once from your address; try again in a moment", { retryAfterSeconds: 1 }));
    }
    if (this.waitingCount >= this.limits.maxWaiting) {
      return Promise.reject(new AppError("unavailable", "sign-in is busy; try again in a moment", { retryAfterSeconds: 2 }));
    }
    return new Promise<T>((resolve, reject) => {
      line.push({ start: () => work().then(resolve, reject).finally(() => this.finished(requester)) });
      this.lines.set(requester, line);
      this.waitingCount++;
      this.startNext();
    });
  }

  private finished(requester: string): void {
    this.running--;
    const left = (this.runningBy.get(requester) ?? 1) - 1;
    if (left) this.runningBy.set(requester, left);
    else this.runningBy.delete(requester);
    this.startNext();
  }

  /** The first line (round-robin order) among those with the fewest jobs running. */
  private nextLine(): [string, Job[]] {
    let chosen: [string, Job[]] | undefined;
    for (const entry of this.lines) {
      if (!chosen || (this.runningBy.get(entry[0]) ?? 0) < (this.runningBy.get(chosen[0]) ?? 0)) chosen = entry;
    }
    return chosen!;
  }

  private startNext(): void {
    while (this.running < this.limits.concurrency && this.waitingCount > 0) {
      const [requester, line] = this.nextLine();
      const job = line.shift()!;
      this.lines.delete(requester);
      if (line.length) this.lines.set(requester, line);
      this.waitingCount--;
      this.running++;
      this.runningBy.set(requester, (this.runningBy.get(requester) ?? 0) + 1);
      job.start();
    }
  }
}

/** The one queue of this process: every argon2 hash and verification goes through it. */
export const passwordWork = new PasswordWorkQueue({ concurrency: Math.max(1, availableParallelism()), maxWaitingPerRequester: 2, maxWaiting: 64 });
