export { allowlistFromEnv, EMPTY_ALLOWLIST, parseSsrfAllowlist, type AllowlistEnv, type SsrfAllowlist } from "./allowlist";
export type { EgressPolicy, HostResolver, ResolvedAddress } from "./policy";
export { MAX_URL_LENGTH, validateTenantUrl, type TenantUrlKind, type TenantUrlRules } from "./tenant-url";
export { ADDRESS_NOT_ALLOWED, assertUrlAllowedAtSend, createGuardedDispatcher, SsrfBlockedError, type GuardedDispatcher } from "./guard";
export { EgressError, toEgressError, type EgressFailureKind } from "./errors";
export { createEgressClient, guardedRequest, type EgressClient, type EgressDownload, type EgressRequest, type EgressResponse } from "./client";
export type { GuardedSmtpOptions } from "./smtp";
export { boundedSnippet, SNIPPET_MAX_CHARS } from "./snippet";
