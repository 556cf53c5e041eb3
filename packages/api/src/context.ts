import type { LoginThrottle, Principal, Role } from "@alfred/auth";
import type { AutomationSettings, Producer } from "@alfred/automation";
import type { Logger, SecretKeyProvider } from "@alfred/core";
import type { Database } from "@alfred/db";
import type { Redis } from "ioredis";
import type { LiveHub } from "./live";

/** Long-lived dependencies, built once per process by the app (web) and shared by every request. */
export interface ApiDeps {
  db: Database;
  redis: Redis;
  logger: Logger;
  /** Signs REST access/refresh tokens. */
  jwtSecret: string;
  throttle: LoginThrottle;
  /** Encrypts channel and destination secrets at rest. */
  keys: SecretKeyProvider;
  /** Enqueues jobs and publishes live updates after commit. */
  producer: Producer;
  automation: AutomationSettings;
  /** Live inbox updates (web only; absent in the worker and in tests that do not need them). */
  live?: LiveHub;
}

/** Who is calling, as the transport established it; the principal is re-read from the database. */
export interface RequestAuth {
  userId: string;
  tenantId: string;
  via: "session" | "bearer" | "api_key";
  /**
   * Set when `via` is `api_key`: the key, and its role. The key acts as `userId` (its creator), so
   * deactivating that user stops it, and its effective role is the lower of the two roles.
   */
  apiKey?: { id: string; role: Role };
}

export interface Context extends ApiDeps {
  auth: RequestAuth | null;
  correlationId: string;
}

export function createContext(deps: ApiDeps, request: { auth: RequestAuth | null; correlationId: string }): Context {
  return { ...deps, auth: request.auth, correlationId: request.correlationId };
}

export type { Principal };
