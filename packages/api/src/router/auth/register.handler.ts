import { issueTokenPair, registerTenant } from "@alfred/auth";
import type { z } from "zod";
import type { Context } from "../../context";
import type { registerInput, registerOutput } from "./register.schema";

/** Sign-ups are limited per client address (10 an hour) before any hashing. */
export async function registerHandler({ ctx, input }: { ctx: Context; input: z.infer<typeof registerInput> }): Promise<z.infer<typeof registerOutput>> {
  await ctx.addressLimits.consume("register", ctx.clientAddress);
  const principal = await registerTenant(ctx.db, { email: input.email, password: input.password, name: input.name, tenantName: input.tenant_name }, ctx.clientAddress);
  const tokens = await issueTokenPair(principal, ctx.jwtSecret);
  return {
    user: { id: principal.userId, email: principal.email, name: principal.name, role: "admin" },
    tenant: { id: principal.tenantId, name: principal.tenantName },
    ...tokens,
  };
}
