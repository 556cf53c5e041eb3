import "server-only";
import type { RequestAuth } from "@alfred/api";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { env } from "~/env";

/** The browser session (next-auth JWT cookie) as a RequestAuth; the principal is re-read later. */
export async function sessionAuth(req: NextRequest): Promise<RequestAuth | null> {
  const token = await getToken({ req, secret: env().NEXTAUTH_SECRET });
  if (!token?.uid || !token.tid) return null;
  return { userId: token.uid, tenantId: token.tid, via: "session" };
}
