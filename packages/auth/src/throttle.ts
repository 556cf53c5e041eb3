import { createHash } from "node:crypto";
import { AppError, type Logger } from "@alfred/core";
import type { Redis } from "ioredis";

export const LOGIN_MAX_FAILURES = 10;
export const LOGIN_WINDOW_SECONDS = 15 * 60;

/**
 * Failed-login counter per e-mail in Redis (shared by every web replica). After 10 failures within
 * 15 minutes further attempts are refused with 429 until the window ends. If Redis is unreachable
 * the check fails open (logged): sign-in stays available, and /api/health reports Redis down.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly logger?: Logger,
    private readonly prefix = "alfred",
  ) {}

  private key(email: string): string {
    const digest = createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
    return `${this.prefix}:login-failures:${digest}`;
  }

  /** Throws `rate_limited` (429 + Retry-After) when the e-mail is locked out. */
  async assertAllowed(email: string): Promise<void> {
    try {
      const key = this.key(email);
      const [[, count], [, ttl]] = (await this.redis.multi().get(key).ttl(key).exec()) as [[null, string | null], [null, number]];
      if (Number(count ?? 0) >= LOGIN_MAX_FAILURES) {
        const retryAfterSeconds = ttl > 0 ? ttl : LOGIN_WINDOW_SECONDS;
        throw new AppError("rate_limited", `too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.logger?.warn({ err: (err as Error).message }, "login throttle unavailable; failing open");
    }
  }

  async recordFailure(email: string): Promise<void> {
    try {
      const key = this.key(email);
      // The window starts at the first failure and is not extended by later ones.
      await this.redis.multi().incr(key).expire(key, LOGIN_WINDOW_SECONDS, "NX").exec();
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message }, "login throttle unavailable; failure not counted");
    }
  }

  async reset(email: string): Promise<void> {
    try {
      await this.redis.del(this.key(email));
    } catch {
      // Best effort: a stale counter only expires on its own.
    }
  }
}
