import { handleCallback } from "@alfred/api";
import { createApiKeyResolver, handleRestRequest } from "@alfred/api/rest";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

/** Signed callbacks from automation destinations (Activepieces). */
export function POST(req: NextRequest) {
  return handleCallback(req, deps());
}

/** The callbacks list is an ordinary REST route (procedure `callbacks.list`). */
export function GET(req: NextRequest) {
  const d = deps();
  return handleRestRequest(req, "/automations/callbacks", d, { resolveApiKey: createApiKeyResolver(d) });
}
