import { z } from "zod";
import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetrySchedule } from "./backoff";
import { parseSsrfAllowlist, type HostResolver, type SsrfAllowlist } from "./ssrf";

/** Automation knobs, read once from the environment by each app's env module and shared by web and worker. */
export interface AutomationSettings {
  ssrfAllowlist: SsrfAllowlist;
  replayWindowSeconds: number;
  deliveryTimeoutMs: number;
  retryScheduleSeconds: readonly number[];
  disableAfterHours: number;
  /** How long a rotated-out secret keeps signing and verifying. */
  rotationGraceSeconds: number;
  /**
   * DNS resolver for the SSRF checks at save and send time. Absent means the system resolver; tests
   * inject one (e.g. a name that resolves to 127.0.0.1) so no real DNS is involved.
   */
  resolve?: HostResolver;
}

export const automationEnvSchema = z.object({
  AUTOMATION_SSRF_ALLOWLIST: z.string().optional(),
  AUTOMATION_REPLAY_WINDOW_SECONDS: z.coerce.number().int().positive().default(300),
  AUTOMATION_DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  AUTOMATION_RETRY_SCHEDULE_SECONDS: z.string().optional(),
  AUTOMATION_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  AUTOMATION_ROTATION_GRACE_SECONDS: z.coerce.number().int().positive().default(24 * 60 * 60),
});

export function automationSettingsFrom(env: z.infer<typeof automationEnvSchema>): AutomationSettings {
  return {
    ssrfAllowlist: parseSsrfAllowlist(env.AUTOMATION_SSRF_ALLOWLIST),
    replayWindowSeconds: env.AUTOMATION_REPLAY_WINDOW_SECONDS,
    deliveryTimeoutMs: env.AUTOMATION_DELIVERY_TIMEOUT_MS,
    retryScheduleSeconds: env.AUTOMATION_RETRY_SCHEDULE_SECONDS ? parseRetrySchedule(env.AUTOMATION_RETRY_SCHEDULE_SECONDS) : DEFAULT_RETRY_SCHEDULE_SECONDS,
    disableAfterHours: env.AUTOMATION_DISABLE_AFTER_HOURS,
    rotationGraceSeconds: env.AUTOMATION_ROTATION_GRACE_SECONDS,
  };
}
