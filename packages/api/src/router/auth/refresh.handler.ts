import { issueTokenPair, loadPrincipal, verifyToken, type TokenPair } from "@alfred/auth";
import { AppError } from "@alfred/core";
import type { z } from "zod";
import type { Context } from "../../context";
import type { refreshInput } from "./login.schema";

/** A new pair for a valid refresh token of a user who still has access (role re-read). */
export async function refreshHandler({ ctx, input }: { ctx: Context; input: z.infer<typeof refreshInput> }): Promise<TokenPair> {
  const claims = await verifyToken(input.refresh_token, "refresh", ctx.jwtSecret);
  const principal = await loadPrincipal(ctx.db, claims.userId, claims.tenantId);
  if (!principal) throw new AppError("unauthorized", "this account is deactivated or no longer has access");
  return issueTokenPair(principal, ctx.jwtSecret);
}
