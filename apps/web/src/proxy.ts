import { NextResponse, type NextRequest } from "next/server";

const isApiPath = (pathname: string) => pathname.startsWith("/api/") || pathname.startsWith("/v1/");

function hasBrokenEscape(pathname: string): boolean {
  try {
    pathname.split("/").forEach((segment) => decodeURIComponent(segment));
    return false;
  } catch {
    return true;
  }
}

/**
 * Next.js decodes dynamic route parameters before any route handler runs and answers a broken
 * escape (`/api/v1/users/%E0%A4%A`) with a plain-text 500; the proxy runs first and answers the
 * API's JSON 400 instead.
 */
function brokenEscape(request: NextRequest): Response {
  const correlationId = request.headers.get("x-correlation-id")?.match(/^[A-Za-z0-9._:-]{1,128}$/)?.[0] ?? crypto.randomUUID();
  return Response.json(
    { error: { code: "bad_request", message: "the path is not valid percent-encoded UTF-8", correlation_id: correlationId, path: "(path)" } },
    { status: 400, headers: { "x-correlation-id": correlationId } },
  );
}

/**
 * Pages get a Content-Security-Policy with a fresh nonce per request: Next.js reads the nonce from
 * the request's policy header and puts it on its own scripts, so no other inline script runs
 * (`'strict-dynamic'` lets those scripts load the app's chunks). Styles stay `'unsafe-inline'`:
 * React style attributes need it and CSS cannot run code. The other security headers, and the
 * policy of API answers, are set for every path in next.config.ts.
 */
export function proxy(request: NextRequest) {
  if (isApiPath(request.nextUrl.pathname)) return hasBrokenEscape(request.nextUrl.pathname) ? brokenEscape(request) : NextResponse.next();
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const https = request.headers.get("x-forwarded-proto") === "https";
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [
    // Pages (not their prefetches) for the policy; static files need none.
    {
      source: "/((?!api/|v1/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
    // API routes for broken escapes only; their policy is next.config.ts's. Not the providers'
    // webhook routes (static paths, nothing to decode): a proxy in front of a POST makes Next.js copy
    // its body, the largest CPU cost of a webhook (see server/webhook-routes.ts).
    "/api/((?!v1/webhooks/(?:whatsapp|messenger|instagram|email|api)/?$).*)",
    "/v1/:path*",
  ],
};
