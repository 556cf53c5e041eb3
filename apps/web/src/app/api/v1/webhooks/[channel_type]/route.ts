import { handleWebhook, handleWebhookVerification } from "@alfred/api";
import type { NextRequest } from "next/server";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ channel_type: string }> };

/** Provider webhooks: Meta's GET handshake and signed POSTs for every channel type. */
export async function GET(req: NextRequest, ctx: RouteContext) {
  return handleWebhookVerification(req, (await ctx.params).channel_type, deps());
}

export async function POST(req: NextRequest, ctx: RouteContext) {
  return handleWebhook(req, (await ctx.params).channel_type, deps());
}
