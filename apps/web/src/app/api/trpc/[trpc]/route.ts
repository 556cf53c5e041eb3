import { appRouter, createContext, observeRequest } from "@alfred/api";
import { CORRELATION_HEADER } from "@alfred/core";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";
import { sessionAuth } from "~/server/request-auth";

export const dynamic = "force-dynamic";

/** One route label for every batch; per-procedure counts are `alfred_trpc_calls_total`. */
function handler(req: NextRequest) {
  return observeRequest(req, "/api/trpc/{procedures}", async ({ correlationId }) => {
    const auth = await sessionAuth(req);
    return fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: () => createContext(deps(), { auth, correlationId, headers: req.headers }),
      responseMeta: () => ({ headers: new Headers({ [CORRELATION_HEADER]: correlationId }) }),
    });
  });
}

export { handler as GET, handler as POST };
