import { AUDIT_ACTOR_TYPES } from "@alfred/db/schema";
import { z } from "zod";
import { cursorInput, instantInput as instant, limitInput } from "../schemas";


export const listAuditLogsInput = z
  .object({
    action: z.string().trim().min(1).max(200).optional(),
    actor_id: z.uuid().optional(),
    target_id: z.string().trim().min(1).max(200).optional(),
    correlation_id: z.string().trim().min(1).max(128).optional(),
    since: instant.optional(),
    until: instant.optional(),
    cursor: cursorInput,
    limit: limitInput,
  })
  .optional()
  .default({});

export const auditLogEntry = z.object({
  id: z.uuid(),
  at: z.string(),
  actor: z.object({ type: z.enum(AUDIT_ACTOR_TYPES), id: z.string().nullable(), name: z.string().nullable() }),
  action: z.string(),
  /** `type` is null for rows written by the generic mutation audit, which records the id only. */
  target: z.object({ type: z.string().nullable(), id: z.string() }).nullable(),
  correlation_id: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});

export const auditLogPage = z.object({ items: z.array(auditLogEntry), next_cursor: z.string().nullable() });
