import { loadPrincipal, roleAtLeast, type Principal, type Role } from "@alfred/auth";
import { isAppError, metrics } from "@alfred/core";
import { isDatabaseUnavailable, recordAudit } from "@alfred/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { ZodError } from "zod";
import type { Context } from "./context";
import { databaseUnavailable, describeZodError, toPublicError, toTRPCError } from "./errors";
import { refuseUnstorableInput } from "./input-guard";

/**
 * `rest.status`: the HTTP status of a success on the REST route (201 for creations). `access` is set
 * by the procedure builders below (never by a procedure): who may call it, which the OpenAPI
 * document turns into security requirements and the 401/403 answers.
 */
export type Meta = OpenApiMeta<{ rest?: { status?: 200 | 201 | 202 | 204 }; audit?: false; access?: "signed_in" | Exclude<Role, "agent"> }>;

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error, ctx }) {
      const publicError = toPublicError(error);
      return {
        ...shape,
        // A fault's own text (a driver error quotes its SQL and parameters) is for the log only.
        message:
          error.cause instanceof ZodError
            ? describeZodError(error.cause).message
            : error.code === "INTERNAL_SERVER_ERROR" && !isAppError(error.cause)
              ? publicError.message
              : shape.message,
        data: { ...shape.data, appCode: publicError.code, path: publicError.path, correlationId: ctx?.correlationId, stack: undefined },
      };
    },
  });

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** Domain errors (AppError) become tRPC errors with the mapped code; everything else is logged. */
const errorMapping = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  metrics().trpcCalls.inc({ procedure: path, outcome: result.ok ? "ok" : isAppError(result.error.cause) ? result.error.cause.code : result.error.code.toLowerCase() });
  if (!result.ok) {
    const cause = result.error.cause;
    if (isAppError(cause)) throw toTRPCError(cause);
    if (isDatabaseUnavailable(cause)) {
      ctx.logger.warn({ err: cause, path, correlation_id: ctx.correlationId }, "database unavailable");
      throw toTRPCError(databaseUnavailable(cause));
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      ctx.logger.error({ err: result.error.cause ?? result.error, path, correlation_id: ctx.correlationId }, "procedure failed");
    }
  }
  return result;
});

/** Every input (tRPC and REST: body, query and path parameters) is checked before zod parses it. */
const storableInput = t.middleware(async ({ next, getRawInput }) => {
  refuseUnstorableInput(await getRawInput());
  return next();
});

export const publicProcedure = t.procedure.use(errorMapping).use(storableInput);

/** Re-reads user and membership on every call: deactivation and role changes apply at once. */
export const authedProcedure = publicProcedure.meta({ access: "signed_in" }).use(async ({ ctx, next }) => {
  if (!ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  const loaded = await loadPrincipal(ctx.db, ctx.auth.userId, ctx.auth.tenantId);
  if (!loaded) throw new TRPCError({ code: "UNAUTHORIZED", message: "this account is deactivated or no longer has access" });
  const keyRole = ctx.auth.apiKey?.role;
  // An API key never acts above its own role, nor above its creator's current role.
  const principal = keyRole && !roleAtLeast(keyRole, loaded.role) ? { ...loaded, role: keyRole } : loaded;
  return next({ ctx: { ...ctx, principal } });
});

/** Authenticated mutations leave an audit row (who, what, tenant, correlation id), as the seed did. */
const auditMutations = t.middleware(async ({ ctx, next, type, path, meta, getRawInput }) => {
  const result = await next();
  const principal = (ctx as Context & { principal?: Principal }).principal;
  if (result.ok && type === "mutation" && principal && meta?.audit !== false) {
    const data = result.data as { id?: unknown } | undefined;
    const input = (await getRawInput().catch(() => undefined)) as { id?: unknown } | undefined;
    const targetId = typeof data?.id === "string" ? data.id : typeof input?.id === "string" ? input.id : null;
    await recordAudit(ctx.db, {
      tenantId: principal.tenantId,
      actorType: ctx.auth?.via === "api_key" ? "api_key" : "user",
      actorId: ctx.auth?.apiKey?.id ?? principal.userId,
      action: path,
      targetId,
      correlationId: ctx.correlationId,
    });
  }
  return result;
});

/** Every tenant-scoped procedure: the tenant id comes from the principal, never from input. */
export const tenantProcedure = authedProcedure.use(auditMutations).use(({ ctx, next }) => next({ ctx: { ...ctx, tenantId: ctx.principal.tenantId } }));

export const roleProcedure = (minimum: Exclude<Role, "agent">) =>
  tenantProcedure.meta({ access: minimum }).use(({ ctx, next }) => {
    if (!roleAtLeast(ctx.principal.role, minimum)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `this needs the ${minimum} role` });
    }
    return next();
  });
