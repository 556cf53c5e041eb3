import { authenticate, issueTokenPair, type TokenPair } from "@alfred/auth";
import { AppError } from "@alfred/core";
import type { z } from "zod";
import type { Context } from "../../context";
import type { loginInput } from "./login.schema";

/**
 * Same limits as browser sign-in: attempts per client address (a success given back), then 10
 * failures per e-mail in 15 minutes, each a 429 before any hashing; the hash itself waits in the
 * address's line of the hashing queue.
 */
export async function loginHandler({ ctx, input }: { ctx: Context; input: z.infer<typeof loginInput> }): Promise<TokenPair> {
  await ctx.addressLimits.consume("login", ctx.clientAddress);
  await ctx.throttle.assertAllowed(input.email);
  const principal = await authenticate(ctx.db, input.email, input.password, ctx.clientAddress);
  if (!principal) {
    await ctx.throttle.recordFailure(input.email);
    throw new AppError("unauthorized", "wrong e-mail or password");
  }
  await Promise.all([ctx.throttle.reset(input.email), ctx.addressLimits.refund("login", ctx.clientAddress)]);
  return issueTokenPair(principal, ctx.jwtSecret);
}
