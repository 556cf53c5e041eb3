import type { AnyProcedure } from "@trpc/server";
import type { Meta } from "../trpc";

/**
 * What a REST route answers, decided once: the adapter (handler.ts) answers with these statuses
 * and the OpenAPI document (openapi.ts) lists exactly these, so the two cannot disagree.
 */

export type Access = "public" | NonNullable<Meta["access"]>;

export interface RouteAnswers {
  access: Access;
  successStatus: 200 | 201 | 202 | 204;
  errorStatuses: number[];
}

const METHODS_WITH_BODY = new Set(["POST", "PATCH", "PUT"]);

const hasVoidOutput = (procedure: AnyProcedure) => (procedure._def as { output?: { _zod?: { def?: { type?: string } } } }).output?._zod?.def?.type === "void";

/** `meta.rest.status` when declared; otherwise 204 for a procedure that returns nothing, else 200. */
function successStatusOf(procedure: AnyProcedure): RouteAnswers["successStatus"] {
  const meta = procedure._def.meta as Meta | undefined;
  return meta?.rest?.status ?? (hasVoidOutput(procedure) ? 204 : 200);
}

/**
 * Every error status the route can answer, from how the adapter and the procedure builders work:
 * - 401: an Authorization header that is not a valid token, on any route; no token on a protected one;
 * - 403: the caller's role (or the API key's) is below the route's minimum role;
 * - 400: a path segment that is not valid percent-encoding, or a body that is not JSON;
 * - 404: the `{id}` in the path names nothing of the caller's tenant;
 * - 413 / 415: a body over the size limit / not `application/json`;
 * - 422: input that fails validation (every route takes input: unknown text is refused too);
 * plus what the procedure declares in `openapi.errorResponses` (409 conflicts, 429 throttles...).
 */
export function answersOf(procedure: AnyProcedure, method: string, paramNames: readonly string[]): RouteAnswers {
  const meta = procedure._def.meta as Meta | undefined;
  const access: Access = meta?.access ?? "public";
  const statuses = new Set<number>([401, 422]);
  if (access === "manager" || access === "admin") statuses.add(403);
  if (paramNames.length > 0) statuses.add(400).add(404);
  if (METHODS_WITH_BODY.has(method)) statuses.add(400).add(413).add(415);
  const declared = meta?.openapi?.errorResponses;
  for (const status of Array.isArray(declared) ? declared : Object.keys(declared ?? {})) statuses.add(Number(status));
  return { access, successStatus: successStatusOf(procedure), errorStatuses: [...statuses].sort((a, b) => a - b) };
}
