import { allowlistFromEnv, type EgressPolicy } from "@alfred/egress";
import { z } from "zod";
import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetrySchedule } from "./backoff";

/**
 * Automation knobs, read once from the environment by each app's env module and shared by web and
 * worker. They carry the egress policy (allow-list, resolver) every guarded call uses: destinations,
 * channel senders and SMTP alike.
 */
export interface AutomationSettings extends EgressPolicy {
  replayWindowSeconds: number;
  deliveryTimeoutMs: number;
  retryScheduleSeconds: readonly number[];
  disableAfterHours: number;
  /** How long a rotated-out secret keeps signing and verifying. */
  rotationGraceSeconds: number;
}

export const automationEnvSchema = z.object({
  /** host:port and CIDR entries every guarded call may reach anyway (fake providers in tests). */
  EGRESS_ALLOWLIST: z.string().optional(),
  /** The allow-list's earlier name, read when EGRESS_ALLOWLIST is unset. */
  AUTOMATION_SSRF_ALLOWLIST: z.string().optional(),
  AUTOMATION_REPLAY_WINDOW_SECONDS: z.coerce.number().int().positive().default(300),
  AUTOMATION_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  AUTOMATION_RETRY_SCHEDULE_SECONDS: z.string().optional(),
  AUTOMATION_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  AUTOMATION_ROTATION_GRACE_SECONDS: z.coerce.number().int().positive().default(24 * 60 * 60),
});

export function automationSettingsFrom(env: z.infer<typeof automationEnvSchema>): AutomationSettings {
  return {
    ssrfAllowlist: allowlistFromEnv(env),
    replayWindowSeconds: env.AUTOMATION_REPLAY_WINDOW_SECONDS,
    deliveryTimeoutMs: env.AUTOMATION_DELIVERY_TIMEOUT_MS,
    retryScheduleSeconds: env.AUTOMATION_RETRY_SCHEDULE_SECONDS ? parseRetrySchedule(env.AUTOMATION_RETRY_SCHEDULE_SECONDS) : DEFAULT_RETRY_SCHEDULE_SECONDS,
    disableAfterHours: env.AUTOMATION_DISABLE_AFTER_HOURS,
    rotationGraceSeconds: env.AUTOMATION_ROTATION_GRACE_SECONDS,
  };
}
