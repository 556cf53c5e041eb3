import { verifyToken } from "@alfred/auth";
import { AppError, CORRELATION_HEADER, errorBody } from "@alfred/core";
import { createContext, type ApiDeps, type RequestAuth } from "../context";
import { serveAttachment } from "../attachments/download";
import { toPublicError } from "../errors";
import { observeRequest, type Observed } from "../observe";
import { readBodyLimited } from "../read-body";
import { createCaller } from "../root";
import { matchRoute } from "./routes";

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export interface RestOptions {
  /** Resolves `Authorization: Bearer` values that are not JWTs (API keys), when supported. */
  resolveApiKey?: (token: string) => Promise<RequestAuth | null>;
  /**
   * The browser session, for the one route a page loads directly (attachment downloads: `<img src>`
   * cannot send a bearer token). Every other route takes bearer tokens and API keys only.
   */
  sessionAuth?: () => Promise<RequestAuth | null>;
}

/** The attachment download: bytes, not JSON, so it is served here rather than by a procedure. */
const ATTACHMENT_CONTENT = /^\/attachments\/([^/]+)\/content$/;

function json(status: number, body: unknown, correlationId: string, headers: Record<string, string> = {}): Response {
  if (status === 204) return new Response(null, { status, headers: { [CORRELATION_HEADER]: correlationId, ...headers } });
  return Response.json(body, { status, headers: { [CORRELATION_HEADER]: correlationId, ...headers } });
}

async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const raw = (await readBodyLimited(request, MAX_JSON_BODY_BYTES, `request body is larger than ${MAX_JSON_BODY_BYTES} bytes`)).toString("utf8");
  if (raw.trim() === "") return {};
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new AppError("unsupported_media_type", "send the body as application/json");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", "request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new AppError("validation_error", "request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError("bad_request", "malformed percent-encoding in the path");
  }
}

async function authenticate(request: Request, options: RestOptions, deps: ApiDeps): Promise<RequestAuth | null> {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const [scheme, token] = header.split(/\s+/, 2);
  if (scheme?.toLowerCase() !== "bearer" || !token) throw new AppError("unauthorized", "use Authorization: Bearer <token>");
  if (options.resolveApiKey && !token.includes(".")) {
    const auth = await options.resolveApiKey(token);
    if (!auth) throw new AppError("unauthorized", "API key is invalid or revoked");
    return auth;
  }
  const claims = await verifyToken(token, "access", deps.jwtSecret);
  return { userId: claims.userId, tenantId: claims.tenantId, via: "bearer" };
}

/**
 * Serves `/api/v1/**` by calling the tRPC procedure the path names in its openapi meta. Path and
 * query parameters and the JSON body become the procedure's input; errors become
 * `{ error: { code, message, correlation_id } }` with validation errors as 422.
 */
export function handleRestRequest(request: Request, subpath: string, deps: ApiDeps, options: RestOptions = {}): Promise<Response> {
  return observeRequest(request, "/api/v1/{unmatched}", (observed) => serveRest(request, subpath, deps, options, observed));
}

async function serveRest(request: Request, subpath: string, deps: ApiDeps, options: RestOptions, observed: Observed): Promise<Response> {
  const { correlationId } = observed;
  const method = request.method.toUpperCase();
  try {
    const download = ATTACHMENT_CONTENT.exec(subpath);
    if (download) {
      if (method !== "GET" && method !== "HEAD") return json(405, errorBody("method_not_allowed", "use GET", correlationId), correlationId, { allow: "GET, HEAD" });
      const auth = (await authenticate(request, options, deps)) ?? (await options.sessionAuth?.()) ?? null;
      return await serveAttachment(deps, auth, safeDecode(download[1]!), correlationId, method === "HEAD");
    }
    const matched = matchRoute(method, subpath);
    if (!matched) return json(404, errorBody("not_found", `no route ${method} /api/v1${subpath}`, correlationId), correlationId);
    if ("allowed" in matched) {
      return json(405, errorBody("method_not_allowed", `use ${matched.allowed.join(" or ")}`, correlationId), correlationId, { allow: matched.allowed.join(", ") });
    }
    const { route, params } = matched;
    observed.route = `/api/v1${route.template}`;
    const auth = await authenticate(request, options, deps);
    const query = Object.fromEntries(new URL(request.url).searchParams);
    const body = method === "GET" || method === "DELETE" ? {} : await readJsonBody(request);
    const merged = { ...query, ...body, ...params };
    const input = Object.keys(merged).length === 0 ? undefined : merged;

    const caller = createCaller(createContext(deps, { auth, correlationId, headers: request.headers }));
    const procedure = route.procedurePath.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (input: unknown) => Promise<unknown>;
    const result = await procedure(input);
    return json(route.successStatus, result, correlationId);
  } catch (err) {
    const publicError = toPublicError(err);
    if (publicError.fault) deps.logger.error({ err, correlation_id: correlationId, path: subpath }, "REST request failed");
    const headers: Record<string, string> = publicError.retryAfterSeconds ? { "retry-after": String(publicError.retryAfterSeconds) } : {};
    if (publicError.status === 401) headers["www-authenticate"] = "Bearer";
    return json(publicError.status, errorBody(publicError.code, publicError.message, correlationId, publicError.path), correlationId, headers);
  }
}
