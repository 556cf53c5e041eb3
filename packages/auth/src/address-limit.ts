import { createHash } from "node:crypto";
import { AppError, type Logger } from "@alfred/core";
import type { Redis } from "ioredis";

export interface AddressLimit {
  max: number;
  windowSeconds: number;
}

/**
 * Per client address, shared by every web replica (Redis). Sign-in attempts: 30 per 5 minutes, a
 * successful one given back (an office behind one address signs in freely; a guesser does not).
 * Registrations: 10 per hour.
 */
export const ADDRESS_LIMITS = {
  login: { max: 30, windowSeconds: 5 * 60 },
  register: { max: 10, windowSeconds: 60 * 60 },
} satisfies Record<string, AddressLimit>;

export type AddressAction = keyof typeof ADDRESS_LIMITS;

/**
 * Fixed-window counters per (action, address). Counted before any hashing, atomically, so 80
 * concurrent attempts cannot all slip through a check-then-count gap. If Redis is unreachable the
 * check fails open (logged), as the login throttle does: the hashing queue still bounds the cost.
 */
export class AddressRateLimit {
  constructor(
    private readonly redis: Redis,
    private readonly logger?: Logger,
    private readonly prefix = "alfred",
    private readonly limits: Record<AddressAction, AddressLimit> = ADDRESS_LIMITS,
  ) {}

  private key(action: AddressAction, address: string): string {
    return `${this.prefix}:address-limit:${action}:${createHash("sha256").update(address).digest("hex")}`;
  }

  /** Counts an attempt; throws `rate_limited` (429 + Retry-After) past the limit. */
  async consume(action: AddressAction, address: string): Promise<void> {
    const { max, windowSeconds } = this.limits[action];
    let count: number;
    let ttl: number;
    try {
      const key = this.key(action, address);
      const replies = (await this.redis.multi().incr(key).expire(key, windowSeconds, "NX").ttl(key).exec()) as [[null, number], unknown, [null, number]];
      count = replies[0][1];
      ttl = replies[2][1];
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message, action }, "address limit unavailable; failing open");
      return;
    }
    if (count > max) {
      const retryAfterSeconds = ttl > 0 ? ttl : windowSeconds;
      const what = action === "login" ? "sign-in attempts" : "sign-ups";
      throw new AppError("rate_limited", `too many ${what} from your address; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
    }
  }

  /** Gives a counted attempt back (a successful sign-in). */
  async refund(action: AddressAction, address: string): Promise<void> {
    try {
      await this.redis.decr(this.key(action, address));
    } catch {
      // Best effort: the window expires on its own.
    }
  }
}
