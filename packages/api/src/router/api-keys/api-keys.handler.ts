import { createApiKey, listApiKeys, revokeApiKey, type Principal } from "@alfred/auth";
import type { z } from "zod";
import type { Context } from "../../context";
import type { apiKeyIdInput, createApiKeyInput } from "./api-keys.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };

/** The key acts on behalf of its creator (see @alfred/auth api-keys). */
export const createHandler = ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof createApiKeyInput> }) =>
  createApiKey(ctx.db, ctx.tenantId, ctx.principal.userId, input);

export const listHandler = async ({ ctx }: { ctx: TenantCtx }) => ({ items: await listApiKeys(ctx.db, ctx.tenantId) });

export const revokeHandler = async ({ ctx, input }: { ctx: TenantCtx; input: z.infer<typeof apiKeyIdInput> }): Promise<void> => {
  await revokeApiKey(ctx.db, ctx.tenantId, input.id);
};
