import { errorBody, isAppError, CORRELATION_HEADER, correlationIdFrom } from "@alfred/core";
import { readBodyLimited } from "@alfred/api";
import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "~/server/auth";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

const SIGN_IN_FORM_MAX_BYTES = 16 * 1024;

type RouteContext = { params: Promise<{ nextauth: string[] }> };

const handler = (req: NextRequest, ctx: RouteContext) => NextAuth(authOptions())(req, ctx);

/**
 * Browser sign-in goes through next-auth; the lock-out check runs first so a locked e-mail gets a
 * real 429 with Retry-After (next-auth itself can only redirect with an error).
 */
async function POST(req: NextRequest, ctx: RouteContext) {
  const { nextauth } = await ctx.params;
  if (nextauth.join("/") === "callback/credentials") {
    // Read once with a limit (this route needs no login): a sign-in form is a few hundred bytes.
    let raw: Buffer;
    try {
      raw = await readBodyLimited(req.clone(), SIGN_IN_FORM_MAX_BYTES, "sign-in request too large");
    } catch (err) {
      if (!isAppError(err)) throw err;
      const correlationId = correlationIdFrom(req.headers.get(CORRELATION_HEADER));
      return Response.json(errorBody(err.code, err.message, correlationId), { status: err.status, headers: { [CORRELATION_HEADER]: correlationId } });
    }
    const email = new URLSearchParams(raw.toString("utf8")).get("email") ?? "";
    if (email) {
      try {
        await deps().throttle.assertAllowed(email);
      } catch (err) {
        if (!isAppError(err)) throw err;
        const correlationId = correlationIdFrom(req.headers.get(CORRELATION_HEADER));
        const url = new URL("/login?error=RateLimited", req.url).toString();
        return Response.json(
          { url, ...errorBody(err.code, err.message, correlationId) },
          { status: 429, headers: { "retry-after": String(err.retryAfterSeconds ?? 900), [CORRELATION_HEADER]: correlationId } },
        );
      }
    }
  }
  return handler(req, ctx);
}

export { handler as GET, POST };
