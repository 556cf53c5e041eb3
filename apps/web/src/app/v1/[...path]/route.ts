import { createApiKeyResolver, handleRestRequest } from "@alfred/api/rest";
import { CORRELATION_HEADER, correlationIdFrom, errorBody } from "@alfred/core";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ path: string[] }> };

/**
 * `/v1/automations/*`: the original API's paths for destinations (and, with #5, callbacks), served
 * by the same handler as `/api/v1/automations/*`. Nothing else of `/api/v1` exists under `/v1`.
 */
async function handler(req: NextRequest, ctx: RouteContext) {
  const { path } = await ctx.params;
  if (path[0] !== "automations") {
    const correlationId = correlationIdFrom(req.headers.get(CORRELATION_HEADER));
    return Response.json(errorBody("not_found", `no route ${req.method} /v1/${path.join("/")}`, correlationId), {
      status: 404,
      headers: { [CORRELATION_HEADER]: correlationId },
    });
  }
  const d = deps();
  return handleRestRequest(req, `/${path.join("/")}`, d, { resolveApiKey: createApiKeyResolver(d) });
}

export { handler as GET, handler as POST, handler as PATCH, handler as PUT, handler as DELETE };
