import { createApiKeyResolver, handleRestRequest } from "@alfred/api/rest";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";
import { sessionAuth } from "~/server/request-auth";

export const dynamic = "force-dynamic";

/**
 * Every /api/v1 route is a tRPC procedure with openapi meta (see packages/api/src/rest). The path
 * is passed as sent, still percent-encoded: the adapter decodes each parameter itself and answers
 * a broken escape (`/users/%E0%A4%A`) with a JSON 400 instead of a plain-text 500.
 */
async function handler(req: NextRequest) {
  const d = deps();
  return handleRestRequest(req, req.nextUrl.pathname.slice("/api/v1".length), d, { resolveApiKey: createApiKeyResolver(d), sessionAuth: () => sessionAuth(req) });
}

export { handler as GET, handler as POST, handler as PATCH, handler as PUT, handler as DELETE };
