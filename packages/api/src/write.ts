import type { Principal } from "@alfred/auth";
import { newScope, type Scope } from "@alfred/crm";
import type { DbOrTx } from "@alfred/db";
import type { Context } from "./context";

export type TenantContext = Context & { principal: Principal; tenantId: string };

/**
 * Runs a domain write in one transaction, then flushes its post-commit effects (jobs, live updates).
 * The outbox rows commit with the change, so a failed flush loses nothing.
 */
export async function write<T>(ctx: TenantContext, fn: (tx: DbOrTx, scope: Scope) => Promise<T>): Promise<T> {
  const scope = newScope(ctx.tenantId, { type: "user", id: ctx.principal.userId }, ctx.correlationId);
  const result = await ctx.db.transaction((tx) => fn(tx, scope));
  await ctx.producer.flush(scope.effects, ctx.correlationId);
  return result;
}
