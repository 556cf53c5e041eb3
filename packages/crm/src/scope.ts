import { PostCommitEffects } from "@alfred/automation";
import type { Database, DbOrTx } from "@alfred/db";
import type { EventOrigin } from "@alfred/db/schema";

/** Who acts: a signed-in user, an automation destination (callback), an API key, or Alfred itself. */
export interface Actor {
  type: "user" | "destination" | "api_key" | "system";
  id: string | null;
}

/**
 * Everything a tenant-scoped domain service needs besides its transaction. The tenant id always
 * comes from here (the principal, the verified destination, the webhook's channel), never from input.
 */
export interface Scope {
  tenantId: string;
  actor: Actor;
  correlationId: string | null;
  effects: PostCommitEffects;
  /** Set when a rule acts: stored on the events its changes cause, so the same rule is not triggered again. */
  origin?: EventOrigin | null;
}

export function newScope(tenantId: string, actor: Actor, correlationId: string | null = null): Scope {
  return { tenantId, actor, correlationId, effects: new PostCommitEffects() };
}

/** Runs `fn` in one transaction; post-commit effects stay in `scope.effects` for the caller to flush. */
export function inTransaction<T>(db: Database, fn: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.transaction((tx) => fn(tx));
}
