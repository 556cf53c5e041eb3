export { classifyAddress, parseHostLiteral, type AddressVerdict } from "./address";
export { allowlistFromEnv, EMPTY_ALLOWLIST, isExemptByAllowlist, parseSsrfAllowlist, type AllowlistEnv, type SsrfAllowlist, type SsrfAllowlistEntry } from "./allowlist";
export { systemResolver, type EgressPolicy, type HostResolver, type ResolvedAddress } from "./policy";
export { effectivePort, MAX_URL_LENGTH, validateTenantUrl, type TenantUrlKind, type TenantUrlRules } from "./tenant-url";
export {
  ADDRESS_NOT_ALLOWED,
  assertUrlAllowedAtSend,
  connectGuarded,
  createGuardedDispatcher,
  createGuardedLookup,
  SsrfBlockedError,
  type GuardedDispatcherOptions,
  type GuardedLookupOptions,
} from "./guard";
export { EgressError, toEgressError, type EgressFailureKind } from "./errors";
export {
  createEgressClient,
  createGuardedAgent,
  DEFAULT_EGRESS_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES,
  guardedRequest,
  type EgressClient,
  type EgressRequest,
  type EgressResponse,
  type GuardedDispatcher,
} from "./client";
export { createGuardedSmtpTransport, type GuardedSmtpOptions } from "./smtp";
export { boundedSnippet, SNIPPET_MAX_CHARS } from "./snippet";
