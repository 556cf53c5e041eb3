import { createApiKeyResolver, handleRestRequest } from "@alfred/api/rest";
import { CORRELATION_HEADER, correlationIdFrom, errorBody } from "@alfred/core";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

/**
 * `/v1/automations/*`: the original API's paths for destinations (and, with #5, callbacks), served
 * by the same handler as `/api/v1/automations/*`, with the path as sent (see /api/v1). Nothing
 * else of `/api/v1` exists under `/v1`.
 */
async function handler(req: NextRequest) {
  const subpath = req.nextUrl.pathname.slice("/v1".length);
  if (!subpath.startsWith("/automations/")) {
    const correlationId = correlationIdFrom(req.headers.get(CORRELATION_HEADER));
    return Response.json(errorBody("not_found", `no route ${req.method} /v1${subpath}`, correlationId), {
      status: 404,
      headers: { [CORRELATION_HEADER]: correlationId },
    });
  }
  const d = deps();
  return handleRestRequest(req, subpath, d, { resolveApiKey: createApiKeyResolver(d) });
}

export { handler as GET, handler as POST, handler as PATCH, handler as PUT, handler as DELETE };
