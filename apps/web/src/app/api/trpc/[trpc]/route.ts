import { appRouter, createContext } from "@alfred/api";
import { CORRELATION_HEADER, correlationIdFrom } from "@alfred/core";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";
import { sessionAuth } from "~/server/request-auth";

export const dynamic = "force-dynamic";

async function handler(req: NextRequest) {
  const correlationId = correlationIdFrom(req.headers.get(CORRELATION_HEADER));
  const auth = await sessionAuth(req);
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext(deps(), { auth, correlationId, headers: req.headers }),
    responseMeta: () => ({ headers: new Headers({ [CORRELATION_HEADER]: correlationId }) }),
  });
}

export { handler as GET, handler as POST };
