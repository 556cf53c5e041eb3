import { clientAddress } from "@alfred/auth";
import { observeRequest, readBodyLimited } from "@alfred/api";
import { AppError, CORRELATION_HEADER, correlationIdFrom, currentCorrelationId, errorBody, findInputProblem, isAppError } from "@alfred/core";
import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions } from "~/server/auth";
import { deps } from "~/server/deps";

export const dynamic = "force-dynamic";

const SIGN_IN_FORM_MAX_BYTES = 16 * 1024;

type RouteContext = { params: Promise<{ nextauth: string[] }> };

const nextAuth = (req: NextRequest, ctx: RouteContext): Promise<Response> => NextAuth(authOptions())(req, ctx);

const ROUTE = "/api/auth/{nextauth}";

const GET = (req: NextRequest, ctx: RouteContext) => observeRequest(req, ROUTE, () => nextAuth(req, ctx));

const LOGIN_ERROR_BY_STATUS: Record<number, string> = { 413: "TooLarge", 422: "CredentialsSignin", 429: "RateLimited", 503: "Busy" };

/**
 * A refusal next-auth's `signIn()` can read: it takes the error from the `url` of every answer
 * and throws when there is none, which left the form stuck on "Signing in…".
 */
function refusal(req: NextRequest, err: AppError): Response {
  const correlationId = currentCorrelationId() ?? correlationIdFrom(req.headers.get(CORRELATION_HEADER));
  const url = new URL(`/login?error=${LOGIN_ERROR_BY_STATUS[err.status] ?? "SignInFailed"}`, req.url).toString();
  const headers: Record<string, string> = { [CORRELATION_HEADER]: correlationId };
  if (err.retryAfterSeconds) headers["retry-after"] = String(err.retryAfterSeconds);
  return Response.json({ url, ...errorBody(err.code, err.message, correlationId, err.path) }, { status: err.status, headers });
}

/**
 * Browser sign-in goes through next-auth; the checks that answer with a status run first, before
 * any hashing: body size, text Postgres cannot store, attempts per client address, the per-e-mail
 * lock-out (next-auth itself can only redirect with an error).
 */
const POST = (req: NextRequest, ctx: RouteContext) => observeRequest(req, ROUTE, () => signIn(req, ctx));

async function signIn(req: NextRequest, ctx: RouteContext): Promise<Response> {
  const { nextauth } = await ctx.params;
  if (nextauth.join("/") !== "callback/credentials") return nextAuth(req, ctx);
  try {
    // Read once with a limit (this route needs no login): a sign-in form is a few hundred bytes.
    const raw = await readBodyLimited(req.clone(), SIGN_IN_FORM_MAX_BYTES, "sign-in request too large");
    const form = new URLSearchParams(raw.toString("utf8"));
    const email = form.get("email") ?? "";
    const problem = findInputProblem({ email, password: form.get("password") ?? "" }, { maxDepth: 1 });
    if (problem) throw new AppError("validation_error", `${problem.path}: ${problem.message}`, { path: problem.path });
    const d = deps();
    await d.addressLimits.consume("login", clientAddress(req.headers, d.trustedProxyHops));
    if (email) await d.throttle.assertAllowed(email);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return refusal(req, err);
  }
  return nextAuth(req, ctx);
}

export { GET, POST };
