import { issueTokenPair, registerTenant } from "@alfred/auth";
import type { z } from "zod";
import type { Context } from "../../context";
import type { registerInput, registerOutput } from "./register.schema";

export async function registerHandler({ ctx, input }: { ctx: Context; input: z.infer<typeof registerInput> }): Promise<z.infer<typeof registerOutput>> {
  const principal = await registerTenant(ctx.db, { email: input.email, password: input.password, name: input.name, tenantName: input.tenant_name });
  const tokens = await issueTokenPair(principal, ctx.jwtSecret);
  return {
    user: { id: principal.userId, email: principal.email, name: principal.name, role: "admin" },
    tenant: { id: principal.tenantId, name: principal.tenantName },
    ...tokens,
  };
}
