import { resolveApiKey } from "@alfred/auth";
import type { ApiDeps, RequestAuth } from "../context";

/**
 * `RestOptions.resolveApiKey` for the REST routes: an `alf_...` bearer becomes a request of the
 * key's tenant, acting for the key's creator with the key's role as a ceiling (the tRPC context
 * re-reads the creator and applies the cap on every call).
 */
export function createApiKeyResolver(deps: Pick<ApiDeps, "db">): (token: string) => Promise<RequestAuth | null> {
  return async (token) => {
    const identity = await resolveApiKey(deps.db, token);
    if (!identity) return null;
    return { userId: identity.userId, tenantId: identity.tenantId, via: "api_key", apiKey: { id: identity.apiKeyId, role: identity.role } };
  };
}
