import type { DbOrTx } from "./client";
import { auditLogs, type AUDIT_ACTOR_TYPES } from "./schema/operations";

export interface AuditEntry {
  tenantId: string;
  actorType: (typeof AUDIT_ACTOR_TYPES)[number];
  actorId?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  correlationId?: string | null;
  metadata?: Record<string, unknown>;
}

/** Appends one audit row; pass the transaction when the audit must commit with the change. */
export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLogs).values({ ...entry, metadata: entry.metadata ?? {} });
}
