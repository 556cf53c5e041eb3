import { AddressRateLimit, clientAddress, LoginThrottle, type Principal, type Role } from "@alfred/auth";
import { Producer, type AutomationSettings } from "@alfred/automation";
import { EnvKeyRing, type Logger, type SecretKeyProvider } from "@alfred/core";
import type { Database } from "@alfred/db";
import type { BlobStorage } from "@alfred/storage";
import { createLocalProvider, type AiProvider } from "@alfred/rules";
import type { Redis } from "ioredis";
import { ChannelDirectory } from "./intake/channel-directory";
import type { LiveHub } from "./live";

/** Long-lived dependencies, built once per process by the app (web) and shared by every request. */
export interface ApiDeps {
  db: Database;
  redis: Redis;
  logger: Logger;
  /** Signs REST access/refresh tokens. */
  jwtSecret: string;
  throttle: LoginThrottle;
  /** Sign-in and sign-up attempts per client address. */
  addressLimits: AddressRateLimit;
  /** How many X-Forwarded-For entries from the right were written by trusted hands (see clientAddress). */
  trustedProxyHops: number;
  /** Encrypts channel and destination secrets at rest. */
  keys: SecretKeyProvider;
  /** Enqueues jobs and publishes live updates after commit. */
  producer: Producer;
  /** Automation knobs, and the egress policy (allow-list, resolver) every tenant-chosen URL is checked with. */
  automation: AutomationSettings;
  /**
   * ALFRED_SINGLE_COMPANY: one company owns the install, so its managers may see what is shared by
   * all tenants (BullMQ queue counts, worker ids and heartbeats). Off on a hosted install.
   */
  singleCompany: boolean;
  /** Live inbox updates (web only; absent in the worker and in tests that do not need them). */
  live?: LiveHub;
  /** Channels webhooks arrive for, cached with their secrets (forget it after a channel change). */
  channels: ChannelDirectory;
  /** Attachments and media (local disk or an S3-compatible bucket). */
  storage: BlobStorage;
  /** Natural language -> flows: the deployment's provider (AI_BASE_URL), else the local heuristic. */
  ai: AiProvider;
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
  /** The caller's address bucket (per-address limits, the hashing queue's line). */
  clientAddress: string;
}

/**
 * Builds ApiDeps the same way for the web app, tests and benchmarks: the login throttle and the
 * producer share the one Redis connection and the key prefix.
 */
export function assembleApiDeps(parts: {
  db: Database;
  redis: Redis;
  logger: Logger;
  prefix: string;
  jwtSecret: string;
  /** `kid:base64key,...` (AUTOMATION_ENCRYPTION_KEYS). */
  keyRing: string;
  automation: AutomationSettings;
  singleCompany?: boolean;
  live?: LiveHub;
  /** TRUSTED_PROXY_HOPS; 1 when not given. */
  trustedProxyHops?: number;
  storage: BlobStorage;
  /** The configured AI provider (`createAiProvider`); the local heuristic when not given. */
  ai?: AiProvider;
}): ApiDeps {
  const keys = new EnvKeyRing(parts.keyRing);
  return {
    db: parts.db,
    redis: parts.redis,
    logger: parts.logger,
    jwtSecret: parts.jwtSecret,
    throttle: new LoginThrottle(parts.redis, parts.logger, parts.prefix),
    addressLimits: new AddressRateLimit(parts.redis, parts.logger, parts.prefix),
    trustedProxyHops: parts.trustedProxyHops ?? 1,
    keys,
    producer: new Producer(parts.redis, parts.prefix, parts.logger),
    automation: parts.automation,
    singleCompany: parts.singleCompany ?? false,
    live: parts.live,
    channels: new ChannelDirectory(parts.db, keys),
    storage: parts.storage,
    ai: parts.ai ?? createLocalProvider(),
  };
}

/** `headers` are the request's: the client address is read from them (tests and jobs may omit them). */
export function createContext(deps: ApiDeps, request: { auth: RequestAuth | null; correlationId: string; headers?: Headers }): Context {
  return { ...deps, auth: request.auth, correlationId: request.correlationId, clientAddress: clientAddress(request.headers ?? new Headers(), deps.trustedProxyHops) };
}

export type { Principal };
