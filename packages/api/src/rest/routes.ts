import { AppError } from "@alfred/core";
import type { AnyProcedure } from "@trpc/server";
import { appRouter } from "../root";
import type { Meta } from "../trpc";
import { answersOf, type RouteAnswers } from "./responses";

export interface RestRoute extends RouteAnswers {
  method: string;
  /** `/users/{id}` as declared in the procedure's openapi meta. */
  template: string;
  pattern: RegExp;
  paramNames: string[];
  /** Dot path of the procedure, e.g. `users.create`. */
  procedurePath: string;
}

/**
 * The REST routes are read from the procedures' own `openapi` meta, so the REST API, the OpenAPI
 * document and the tRPC API cannot drift apart.
 */
function collectRoutes(): RestRoute[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  const routes: RestRoute[] = [];
  for (const [procedurePath, procedure] of Object.entries(procedures)) {
    const meta = procedure._def.meta as Meta | undefined;
    const openapi = meta?.openapi;
    if (!openapi || openapi.enabled === false) continue;
    const paramNames: string[] = [];
    const source = openapi.path
      .split("/")
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        paramNames.push(param[1]!);
        return "([^/]+)";
      })
      .join("/");
    routes.push({
      method: openapi.method,
      template: openapi.path,
      pattern: new RegExp(`^${source}/?$`),
      paramNames,
      procedurePath,
      ...answersOf(procedure, openapi.method, paramNames),
    });
  }
  // Literal segments win over parameters (`/users/me` before `/users/{id}`).
  return routes.sort((a, b) => a.paramNames.length - b.paramNames.length);
}

export const restRoutes = collectRoutes();

/** `%E0%A4%A` and other broken escapes are the client's mistake: a 400 naming the parameter. */
function decodePathParameter(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError("bad_request", `${name}: the path segment is not valid percent-encoded UTF-8`, { path: name });
  }
}

export function matchRoute(method: string, path: string): { route: RestRoute; params: Record<string, string> } | { allowed: string[] } | null {
  const allowed: string[] = [];
  for (const route of restRoutes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params = Object.fromEntries(route.paramNames.map((name, i) => [name, decodePathParameter(name, match[i + 1]!)]));
    return { route, params };
  }
  return allowed.length ? { allowed } : null;
}
