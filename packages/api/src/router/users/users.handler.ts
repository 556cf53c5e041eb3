import { changeRole, createUser, getUser, listUsers, setUserActive, type Principal } from "@alfred/auth";
import { AppError } from "@alfred/core";
import type { z } from "zod";
import type { Context } from "../../context";
import type { changeRoleInput, createUserInput, userIdInput } from "./users.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };

export const meHandler = ({ ctx }: { ctx: TenantCtx }) => ({
  user: { id: ctx.principal.userId, email: ctx.principal.email, name: ctx.principal.name },
  tenant: { id: ctx.principal.tenantId, name: ctx.principal.tenantName },
  role: ctx.principal.role,
});

export const listHandler = async ({ ctx }: { ctx: TenantCtx }) => ({ items: await listUsers(ctx.db, ctx.tenantId) });

export const getHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof userIdInput> }) => getUser(ctx.db, ctx.tenantId, input.id);

export const createHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof createUserInput> }) => createUser(ctx.db, ctx.tenantId, input);

export const changeRoleHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof changeRoleInput> }) =>
  changeRole(ctx.db, ctx.tenantId, input.id, input.role);

export async function setActiveHandler({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof userIdInput> }, active: boolean) {
  if (!active && input.id === ctx.principal.userId) throw new AppError("conflict", "you cannot deactivate yourself");
  return setUserActive(ctx.db, ctx.tenantId, input.id, active);
}
