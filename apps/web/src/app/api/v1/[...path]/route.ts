import { createApiKeyResolver, handleRestRequest } from "@alfred/api/rest";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ path: string[] }> };

/** Every /api/v1 route is a tRPC procedure with openapi meta (see packages/api/src/rest). */
async function handler(req: NextRequest, ctx: RouteContext) {
  const { path } = await ctx.params;
  const d = deps();
  return handleRestRequest(req, `/${path.join("/")}`, d, { resolveApiKey: createApiKeyResolver(d) });
}

export { handler as GET, handler as POST, handler as PATCH, handler as PUT, handler as DELETE };
