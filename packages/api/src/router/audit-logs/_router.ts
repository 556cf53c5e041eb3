import { createTRPCRouter, roleProcedure } from "../../trpc";
import { listAuditLogsHandler } from "./audit-logs.handler";
import { auditLogPage, listAuditLogsInput } from "./audit-logs.schema";

export const auditLogsRouter = createTRPCRouter({
  list: roleProcedure("admin")
    .meta({
      openapi: {
        method: "GET",
        path: "/audit-logs",
        tags: ["audit"],
        summary: "Audit log, newest first; filter by action, actor, target, correlation id and time",
        protect: true,
      },
    })
    .input(listAuditLogsInput)
    .output(auditLogPage)
    .query(listAuditLogsHandler),
});
